using Mets.Api.Engagements;
using Mets.Api.Problems;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using ApiActor = Mets.Api.Authentication.Actor;

namespace Mets.Api.Queue;

/// <summary>One line of a work queue: an engagement whose current step is due soon, overdue or escalated.</summary>
public sealed record WorkQueueLine(string EngagementId, string Uri, EngagementStep Step, int StepNumber, DateTimeOffset? DueAt, string? Owner, string? Clinician, WorkQueueBucket Bucket);

/// <summary>What <c>GET /api/queue</c> answers: whose queue it is (a clinician, or <c>supervisor</c>) and its lines, most pressing first.</summary>
public sealed record WorkQueueView(string View, IReadOnlyList<WorkQueueLine> Items);

/// <summary><c>GET /api/queue</c>: the caller's queue, a named clinician's (<c>?clinician=</c>), or every open engagement (<c>?view=supervisor</c>).</summary>
public static class QueueEndpoints
{
    public static RouteGroupBuilder MapWorkQueue(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/queue", GetQueue)
            .WithName("GetWorkQueue")
            .WithTags("Work queue")
            .WithSummary("Engagements due soon, overdue or escalated: the caller's, a clinician's (?clinician=) or all (?view=supervisor).")
            .Produces<WorkQueueView>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    internal static async Task<IResult> GetQueue(string? clinician, string? view, ApiActor actor, [FromServices] EngagementService engagements, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var supervisor = false;
        if (view is not null)
        {
            supervisor = string.Equals(view, "supervisor", StringComparison.OrdinalIgnoreCase);
            errors.Require(supervisor || string.Equals(view, "clinician", StringComparison.OrdinalIgnoreCase), "view", "must be clinician or supervisor.");
        }

        StaffId staff = default;
        if (!supervisor)
        {
            var name = clinician ?? actor.UserName;
            if (!StaffId.TryParse(name, out staff, out var reason))
            {
                errors.Add("clinician", $"must be a staff id ({reason}).");
            }
        }

        if (!errors.IsEmpty)
        {
            return errors.ToProblem("The query is not valid.");
        }

        var items = supervisor
            ? await engagements.GetSupervisorQueueAsync(cancellationToken)
            : await engagements.GetWorkQueueAsync(staff, cancellationToken);
        return TypedResults.Ok(new WorkQueueView(
            supervisor ? "supervisor" : staff.Value,
            [.. items.Select(i => new WorkQueueLine(i.EngagementId.Value, CommandAnswers.EngagementUri(i.EngagementId), i.Step.Step, i.Step.Number, i.DueAt,
                i.Owner?.Value, i.Clinician?.Value, i.Bucket))]));
    }
}
