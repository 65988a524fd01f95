using Mets.Api.Json;
using Mets.Api.Logging;
using Mets.Api.Problems;
using Mets.Domain.Assessments;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Roster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using ApiActor = Mets.Api.Authentication.Actor;

namespace Mets.Api.Engagements;

/// <summary>Reading engagements and recording their steps (<c>/api/engagements...</c>).</summary>
public static class EngagementEndpoints
{
    /// <summary>
    /// An engagement id (32 hex digits) is the only route value the request log shows; anything else
    /// does not match the route (404), so a caller's text never reaches the log.
    /// </summary>
    internal const string IdRoute = "/{id:regex(^[0-9a-fA-F]{{32}}$)}";

    /// <summary>A provider's NPI in a route: 10 digits (the check digit is the handler's: a wrong one is 404).</summary>
    internal const string NpiRoute = "/{npi:regex(^[0-9]{{10}}$)}";

    public static RouteGroupBuilder MapEngagements(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var engagements = api.MapGroup("/engagements").WithTags("Engagements");
        engagements.MapGet(IdRoute, GetEngagement)
            .WithName("GetEngagement")
            .WithSummary("One engagement: step, due dates, referrals, scores, goals, outreach, care gaps, timeline.")
            .Produces<EngagementView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithLoggedRouteValues("id");
        engagements.MapGet(IdRoute + "/audit", GetEngagementAudit)
            .WithName("GetEngagementAudit")
            .WithSummary("Verifies the engagement's timeline against its hash chain and anchors: intact, or the first bad entry and why (for supervisors and auditors).")
            .Produces<TimelineAuditView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithLoggedRouteValues("id");
        engagements.MapGet("/", ListEngagements)
            .WithName("ListEngagements")
            .WithSummary("Open engagements, filtered by status (received|open), clinician and overdue.")
            .Produces<IReadOnlyList<EngagementSummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        MapStep<RecordAssessmentRequest>(engagements, IdRoute + "/assessment", "RecordAssessment", "Record the assessment (scores, goals, confirmed providers).", RecordAssessment);
        MapStep<RecordContactAttemptRequest>(engagements, IdRoute + "/contact-attempts", "RecordContactAttempt", "Record an attempt to reach the member.", RecordContactAttempt);
        MapStep<RecordReviewRequest>(engagements, IdRoute + "/reviews", "RecordReview", "Record the current follow-up review.", RecordReview);
        MapStep<DecideClosureReviewRequest>(engagements, IdRoute + "/closure-review", "DecideClosureReview", "The supervisor closes or extends at the maximum duration.", DecideClosureReview);
        MapStep<RequestClosureRequest>(engagements, IdRoute + "/closure", "RequestClosure", "Close the engagement now.", RequestClosure);
        MapStep<RecordPeerReviewRequest>(engagements, IdRoute + "/outreach" + NpiRoute + "/peer-review", "RecordPeerReview",
                "The medical director records the peer-to-peer review of a provider's escalated outreach (medical directors on the roster only).", RecordPeerReview)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    private static RouteHandlerBuilder MapStep<TBody>(RouteGroupBuilder group, string pattern, string name, string summary, Delegate handler)
        where TBody : notnull =>
        group.MapPost(pattern, handler)
            .WithName(name)
            .WithSummary(summary)
            .Accepts<TBody>("application/json")
            .Produces<AcceptedResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithLoggedRouteValues("id");

    internal static async Task<IResult> GetEngagement(string id, [FromServices] EngagementService engagements, [FromServices] TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!EngagementId.TryParse(id, out var engagementId) || await engagements.GetEngagementAsync(engagementId, cancellationToken) is not { } found)
        {
            return CommandAnswers.UnknownEngagement();
        }

        return TypedResults.Ok(EngagementView.From(found, clock.GetUtcNow()));
    }

    internal static async Task<IResult> GetEngagementAudit(string id, [FromServices] TimelineAudit audit, CancellationToken cancellationToken)
    {
        if (!EngagementId.TryParse(id, out var engagementId) || await audit.VerifyAsync(engagementId, cancellationToken) is not { } verification)
        {
            return CommandAnswers.UnknownEngagement();
        }

        return TypedResults.Ok(TimelineAuditView.From(verification));
    }

    internal static async Task<IResult> ListEngagements(
        string? status,
        string? clinician,
        bool? overdue,
        [FromServices] ICaseStore cases,
        [FromServices] TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        EngagementStatus? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<EngagementStatus>(status, ignoreCase: true, out var parsed) && parsed is EngagementStatus.Received or EngagementStatus.Open
                && !int.TryParse(status, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add("status", "must be received or open (closed engagements are read one at a time).");
            }
        }

        StaffId? staff = null;
        if (clinician is not null)
        {
            if (StaffId.TryParse(clinician, out var parsed, out var reason))
            {
                staff = parsed;
            }
            else
            {
                errors.Add("clinician", $"must be a staff id ({reason}).");
            }
        }

        if (!errors.IsEmpty)
        {
            return errors.ToProblem("The query is not valid.");
        }

        var now = clock.GetUtcNow();
        var list = (await cases.ListOpenAsync(staff, cancellationToken))
            .Where(c => wanted is null || c.Status == wanted)
            .Where(c => overdue is null || c.CurrentStep.IsOverdue(now) == overdue)
            .OrderBy(c => c.CurrentStep.DueAt ?? DateTimeOffset.MaxValue)
            .Select(c => new EngagementSummary(c.Id.Value, CommandAnswers.EngagementUri(c.Id), c.Status, c.CurrentStep.Step.Step, c.CurrentStep.Step.Number,
                c.CurrentStep.DueAt, c.CurrentStep.Owner?.Value, c.AssignedClinician?.Value, c.RiskTier, c.CurrentStep.IsOverdue(now), c.CurrentStep.IsEscalated))
            .ToList();
        return TypedResults.Ok(list);
    }

    internal static Task<IResult> RecordAssessment(string id, HttpRequest request, ApiActor actor, [FromServices] EngagementService engagements, [FromServices] TimeProvider clock, CancellationToken cancellationToken) =>
        StepAsync<RecordAssessmentRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            var scores = body.Scores.ToScores(errors, "$.scores");
            var providers = body.TreatingProviders is null ? null : TreatingProviderBody.ToProviders(body.TreatingProviders, errors, "$.treatingProviders");
            for (var i = 0; i < body.MemberStatedGoals.Count; i++)
            {
                errors.RequireText(body.MemberStatedGoals[i], $"$.memberStatedGoals[{i}]", Assessment.MaxGoalLength);
            }

            errors.Require(body.MemberStatedGoals.Count <= Assessment.MaxGoals, "$.memberStatedGoals", $"must list at most {Assessment.MaxGoals} goals.");
            if (!errors.IsEmpty || scores is null)
            {
                return null;
            }

            var assessment = new Assessment(scores, [.. body.MemberStatedGoals.Select(g => g.Trim())], staff, clock.GetUtcNow());
            return await engagements.RecordAssessmentAsync(engagementId, assessment, providers, cancellationToken);
        }, cancellationToken);

    internal static Task<IResult> RecordContactAttempt(string id, HttpRequest request, ApiActor actor, [FromServices] EngagementService engagements, CancellationToken cancellationToken) =>
        StepAsync<RecordContactAttemptRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            errors.Require(body.AttemptNumber is null or >= 1, "$.attemptNumber", "must be 1 or more.");
            return errors.IsEmpty ? await engagements.RecordContactAttemptAsync(engagementId, body.Outcome, staff, body.AttemptNumber, cancellationToken) : null;
        }, cancellationToken);

    internal static Task<IResult> RecordReview(string id, HttpRequest request, ApiActor actor, [FromServices] EngagementService engagements, CancellationToken cancellationToken) =>
        StepAsync<RecordReviewRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            errors.Require(body.ReviewNumber >= 1, "$.reviewNumber", "must be 1 or more.");
            errors.Require(body.GoalProgress?.All(p => p is not null) != false, "$.goalProgress", "must list goals, not null.");
            var rescreen = body.Rescreen?.ToScores(errors, "$.rescreen");
            return errors.IsEmpty
                ? await engagements.RecordReviewAsync(engagementId, new ReviewSubmission(body.ReviewNumber, rescreen, body.CloseWith, staff,
                    body.GoalProgress?.Select(p => new Mets.Workflow.CarePlans.GoalProgressSubmission(p.GoalId, p.Status, p.Note)).ToList()), cancellationToken)
                : null;
        }, cancellationToken);

    internal static Task<IResult> DecideClosureReview(string id, HttpRequest request, ApiActor actor, [FromServices] EngagementService engagements, CancellationToken cancellationToken) =>
        StepAsync<DecideClosureReviewRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            errors.Require(body.ClosureReviewNumber >= 1, "$.closureReviewNumber", "must be 1 or more.");
            errors.Require(body.Decision != Domain.Closure.ClosureReviewDecision.Close || body.Reason is not null, "$.reason", "is required when the decision is close.");
            return errors.IsEmpty
                ? await engagements.DecideClosureReviewAsync(engagementId, body.ClosureReviewNumber, body.Decision, body.Reason, staff, cancellationToken)
                : null;
        }, cancellationToken);

    internal static Task<IResult> RequestClosure(string id, HttpRequest request, ApiActor actor, [FromServices] EngagementService engagements, [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        StepAsync<RequestClosureRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
            await engagements.RequestClosureAsync(engagementId, body.Reason, CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken), cancellationToken);

    internal static Task<IResult> RecordPeerReview(string id, string npi, HttpRequest request, ApiActor actor, [FromServices] EngagementService engagements, CancellationToken cancellationToken) =>
        StepAsync<RecordPeerReviewRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
            Npi.TryParse(npi, out var provider)
                ? await engagements.RecordPeerReviewAsync(OutreachId.For(engagementId, provider), body.Outcome, staff, cancellationToken)
                : CommandResult.NotFound(EngagementService.NoOutreachToProvider, "No outreach to this provider."), cancellationToken);

    /// <summary>The shape every step shares: known engagement id, strict body, staff caller, field errors, service answer.</summary>
    private static Task<IResult> StepAsync<TBody>(
        string id,
        HttpRequest request,
        ApiActor actor,
        Func<EngagementId, TBody, StaffId, FieldErrors, Task<CommandResult?>> command,
        CancellationToken cancellationToken) =>
        WriteAsync<TBody>(id, request, actor, async (engagementId, body, staff, errors) =>
            await command(engagementId, body, staff, errors) is { } result ? CommandAnswers.Answer(result, engagementId) : null, cancellationToken);

    /// <summary>
    /// The shape every write on an engagement shares: known engagement id, strict body, staff caller, field errors (the
    /// command returns null after adding them), then the command's own answer.
    /// </summary>
    internal static async Task<IResult> WriteAsync<TBody>(
        string id,
        HttpRequest request,
        ApiActor actor,
        Func<EngagementId, TBody, StaffId, FieldErrors, Task<IResult?>> command,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!EngagementId.TryParse(id, out var engagementId))
        {
            return CommandAnswers.UnknownEngagement();
        }

        var body = await RequestBody.ReadJsonAsync<TBody>(request, cancellationToken);
        if (!body.IsValid)
        {
            return body.Problem;
        }

        if (CommandAnswers.StaffOf(actor) is not { } staff)
        {
            return CommandAnswers.NotStaff();
        }

        var errors = new FieldErrors();
        return await command(engagementId, body.Value, staff, errors) ?? errors.ToProblem();
    }
}
