using System.Text;
using Mets.Api.Json;
using Mets.Api.ProviderResponses;
using Mets.Domain.CarePlans;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace Mets.Api.CarePlans;

/// <summary>A provider's answer to a shared goal as JSON (the page's form posts <c>goal=G1&amp;action=agreed&amp;text=...</c>).</summary>
public sealed record ProviderGoalAnswerRequest(string GoalId, ProviderGoalAction Action, string? Text = null);

/// <summary>What a JSON caller gets when the answer is on the care plan.</summary>
public sealed record ProviderGoalAnswerAccepted(string Status, string GoalId, ProviderGoalAction Action);

/// <summary>
/// <c>GET</c> and <c>POST /api/provider-responses/{token}/care-plan</c>: the shared care plan behind a care-plan link
/// (anonymous, the signed token is the proof; rate-limited, never logged with the token). GET shows the page; POST
/// records an answer to a goal from the page's form (HTML answer) or from JSON.
/// </summary>
public static class ProviderCarePlanEndpoints
{
    public static RouteGroupBuilder MapProviderCarePlans(this RouteGroupBuilder providerLinks)
    {
        ArgumentNullException.ThrowIfNull(providerLinks);
        providerLinks.MapGet("/care-plan", ShowCarePlan)
            .WithName("ShowProviderCarePlan")
            .WithSummary("The care plan shared with a provider (HTML) behind a care-plan link.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .Produces(StatusCodes.Status403Forbidden, contentType: "text/html")
            .Produces(StatusCodes.Status404NotFound, contentType: "text/html");
        providerLinks.MapPost("/care-plan", AnswerGoal)
            .WithName("RecordProviderGoalAnswer")
            .WithSummary("A provider agrees to a shared goal, proposes a change or adds a note (form post from the page, or JSON).")
            .Accepts<ProviderGoalAnswerRequest>("application/json", "application/x-www-form-urlencoded")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .Produces<ProviderGoalAnswerAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return providerLinks;
    }

    internal static async Task<IResult> ShowCarePlan(string token, HttpContext context, [FromServices] ProviderCarePlanService carePlans, CancellationToken cancellationToken)
    {
        var found = await carePlans.GetAsync(token, cancellationToken);
        return found.View is { } view
            ? ProviderResponseEndpoints.Html(context, StatusCodes.Status200OK, ProviderCarePlanPage.Plan(view))
            : PageFor(context, found.Result);
    }

    internal static async Task<IResult> AnswerGoal(string token, HttpRequest request, [FromServices] ProviderCarePlanService carePlans, CancellationToken cancellationToken)
    {
        var context = request.HttpContext;
        if (RequestBody.IsJson(request.ContentType))
        {
            var body = await RequestBody.ReadJsonAsync<ProviderGoalAnswerRequest>(request, cancellationToken, ProviderResponseEndpoints.MaxFormBytes);
            if (!body.IsValid)
            {
                return body.Problem;
            }

            var result = await carePlans.AnswerAsync(token, body.Value.GoalId, body.Value.Action, body.Value.Text, cancellationToken);
            return result.Status == CommandStatus.Accepted
                ? TypedResults.Accepted((string?)null, new ProviderGoalAnswerAccepted("recorded", body.Value.GoalId, body.Value.Action))
                : result.Reason == ProviderCarePlanService.GoalNotShared
                    ? Problems.Problem.WithCode(StatusCodes.Status404NotFound, "No such shared goal.", "The care plan shared with you has no goal with this id.", result.Reason)
                    : ProviderResponseEndpoints.ProblemFor(result);
        }

        if (!ProviderResponseEndpoints.IsForm(request.ContentType))
        {
            return Problems.Problem.Of(StatusCodes.Status415UnsupportedMediaType, "The body must be a form or JSON.",
                "Send application/x-www-form-urlencoded (goal=G1&action=agreed) or application/json.");
        }

        var bytes = await RequestBody.ReadCappedAsync(request, ProviderResponseEndpoints.MaxFormBytes, cancellationToken);
        if (bytes is null)
        {
            return ProviderResponseEndpoints.Html(context, StatusCodes.Status413PayloadTooLarge, ProviderCarePlanPage.Message("Answer not recorded", "The form was too large."));
        }

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(bytes));
        string? Single(string name) => form.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
        var goal = Single("goal");
        var text = form.TryGetValue("text", out var texts) && texts.Count <= 1 ? texts.FirstOrDefault() : null;
        if (goal is null || !Enum.TryParse<ProviderGoalAction>(Single("action"), ignoreCase: true, out var action) || !Enum.IsDefined(action)
            || int.TryParse(Single("action"), out _) || texts.Count > 1)
        {
            return await Again(token, context, carePlans, "Please choose one answer for one goal.", cancellationToken);
        }

        var recorded = await carePlans.AnswerAsync(token, goal, action, text, cancellationToken);
        return recorded.Status switch
        {
            CommandStatus.Accepted => await Again(token, context, carePlans, $"Your answer to {goal} was recorded. Thank you.", cancellationToken, StatusCodes.Status200OK),
            CommandStatus.Invalid => await Again(token, context, carePlans, "Please write the proposed change or the note (at most 1000 characters).", cancellationToken),
            CommandStatus.NotFound when recorded.Reason == ProviderCarePlanService.GoalNotShared =>
                await Again(token, context, carePlans, "That goal is not shared with you.", cancellationToken),
            _ => PageFor(context, recorded),
        };
    }

    /// <summary>The plan again with a notice (400 unless said otherwise), or the page for why it cannot be shown.</summary>
    private static async Task<IResult> Again(string token, HttpContext context, ProviderCarePlanService carePlans, string notice, CancellationToken cancellationToken,
        int status = StatusCodes.Status400BadRequest)
    {
        var current = await carePlans.GetAsync(token, cancellationToken);
        return current.View is { } view
            ? ProviderResponseEndpoints.Html(context, status, ProviderCarePlanPage.Plan(view, notice))
            : PageFor(context, current.Result);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult PageFor(HttpContext context, CommandResult result) => result.Status switch
    {
        CommandStatus.Conflict => ProviderResponseEndpoints.Html(context, StatusCodes.Status409Conflict,
            ProviderCarePlanPage.Message("Care plan closed", "The METS engagement this care plan belongs to has closed.")),
        _ => ProviderResponseEndpoints.HtmlFor(context, result),
    };
}
