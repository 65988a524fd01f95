using System.Text;
using Mets.Api.Json;
using Mets.Api.Problems;
using Mets.Domain.Engagements;
using Mets.Workflow.Application;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace Mets.Api.ProviderResponses;

/// <summary>A provider's answer as JSON (the page's form posts <c>response=...</c> instead).</summary>
public sealed record ProviderResponseRequest(ProviderResponse Response);

/// <summary>What a JSON caller gets when the response was accepted: <c>recorded</c> (the case shows it) or <c>received</c> (on its way, not yet on the case).</summary>
public sealed record ProviderResponseAccepted(string Status, ProviderResponse Response);

/// <summary>
/// <c>GET</c> and <c>POST /api/provider-responses/{token}</c>: anonymous (the signed token is the proof),
/// rate-limited per client address, never logged with the token. GET shows the request page; POST
/// records the response from the page's form (HTML answer) or from JSON (JSON answer).
/// </summary>
public static class ProviderResponseEndpoints
{
    internal const int MaxFormBytes = 4 * 1024;

    public static RouteGroupBuilder MapProviderResponses(this RouteGroupBuilder providerLinks)
    {
        ArgumentNullException.ThrowIfNull(providerLinks);
        providerLinks.MapGet(string.Empty, ShowRequest)
            .WithName("ShowProviderRequest")
            .WithSummary("The provider's request page (HTML) behind the signed link.")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .Produces(StatusCodes.Status403Forbidden, contentType: "text/html")
            .Produces(StatusCodes.Status404NotFound, contentType: "text/html");
        providerLinks.MapPost(string.Empty, RecordResponse)
            .WithName("RecordProviderResponse")
            .WithSummary("Record the provider's response (form post from the page, or JSON).")
            .Accepts<ProviderResponseRequest>("application/json", "application/x-www-form-urlencoded")
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .Produces(StatusCodes.Status202Accepted, contentType: "text/html")
            .Produces<ProviderResponseAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return providerLinks;
    }

    internal static async Task<IResult> ShowRequest(string token, HttpContext context, [FromServices] EngagementService engagements, CancellationToken cancellationToken)
    {
        var found = await engagements.GetProviderRequestAsync(token, cancellationToken);
        return found.View is { } view
            ? Html(context, StatusCodes.Status200OK, ProviderPage.Request(view))
            : HtmlFor(context, found.Result);
    }

    internal static async Task<IResult> RecordResponse(string token, HttpRequest request, [FromServices] EngagementService engagements, CancellationToken cancellationToken)
    {
        var context = request.HttpContext;
        if (RequestBody.IsJson(request.ContentType))
        {
            var body = await RequestBody.ReadJsonAsync<ProviderResponseRequest>(request, cancellationToken, MaxFormBytes);
            if (!body.IsValid)
            {
                return body.Problem;
            }

            var result = await engagements.RespondToOutreachAsync(token, body.Value.Response, cancellationToken);
            return result.Status == CommandStatus.Accepted
                ? TypedResults.Accepted((string?)null, new ProviderResponseAccepted(result.Reason == EngagementService.AnswerReceived ? "received" : "recorded", body.Value.Response))
                : ProblemFor(result);
        }

        if (!IsForm(request.ContentType))
        {
            return Problem.Of(StatusCodes.Status415UnsupportedMediaType, "The body must be a form or JSON.",
                "Send application/x-www-form-urlencoded (response=willCollaborate) or application/json.");
        }

        var bytes = await RequestBody.ReadCappedAsync(request, MaxFormBytes, cancellationToken);
        if (bytes is null)
        {
            return Html(context, StatusCodes.Status413PayloadTooLarge, ProviderPage.Message("Response not recorded", "The form was too large."));
        }

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(bytes));
        if (!form.TryGetValue("response", out var values) || values.Count != 1
            || !Enum.TryParse<ProviderResponse>(values[0], ignoreCase: true, out var response) || !Enum.IsDefined(response) || int.TryParse(values[0], out _))
        {
            var current = await engagements.GetProviderRequestAsync(token, cancellationToken);
            return current.View is { } view
                ? Html(context, StatusCodes.Status400BadRequest, ProviderPage.Request(view, "Please choose one response."))
                : HtmlFor(context, current.Result);
        }

        var recorded = await engagements.RespondToOutreachAsync(token, response, cancellationToken);
        if (recorded.Status == CommandStatus.Accepted && recorded.Reason == EngagementService.AnswerReceived)
        {
            // the answer is on its way to the case but not on it yet: say so, never "recorded"
            return Html(context, StatusCodes.Status202Accepted, ProviderPage.Message("Thank you",
                $"Your response was received: {ProviderPage.Describe(response)}. It is being recorded; open this link again to see it."));
        }

        if (recorded.Status == CommandStatus.Accepted)
        {
            return Html(context, StatusCodes.Status200OK, ProviderPage.Message("Thank you", $"Your response was recorded: {ProviderPage.Describe(response)}."));
        }

        return HtmlFor(context, recorded);
    }

    internal static bool IsForm(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    internal static IResult ProblemFor(CommandResult result) => result.Status switch
    {
        CommandStatus.Forbidden => Problem.WithCode(StatusCodes.Status403Forbidden, "The link is not valid.", Engagements.CommandAnswers.DetailFor(result.Reason), result.Reason),
        CommandStatus.NotFound => Problem.WithCode(StatusCodes.Status404NotFound, "No request is waiting behind this link.", Engagements.CommandAnswers.DetailFor(result.Reason), result.Reason),
        CommandStatus.Conflict => Problem.WithCode(StatusCodes.Status409Conflict, "This request no longer takes a response.", Engagements.CommandAnswers.DetailFor(result.Reason), result.Reason),
        _ => Engagements.CommandAnswers.Invalid(result.Errors),
    };

    internal static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult HtmlFor(HttpContext context, CommandResult result) => result.Status switch
    {
        CommandStatus.Forbidden => Html(context, StatusCodes.Status403Forbidden, ProviderPage.Message("This link cannot be used", Engagements.CommandAnswers.DetailFor(result.Reason))),
        CommandStatus.NotFound => Html(context, StatusCodes.Status404NotFound, ProviderPage.Message("No request found", Engagements.CommandAnswers.DetailFor(result.Reason))),
        CommandStatus.Conflict when Enum.TryParse<ProviderResponse>(result.Recorded, out var recorded) && Enum.IsDefined(recorded) =>
            Html(context, StatusCodes.Status409Conflict, ProviderPage.Message("Response already recorded", $"The response recorded for this request: {ProviderPage.Describe(recorded)}.")),
        CommandStatus.Conflict when result.Reason is EngagementService.RequestClosed or nameof(EventFit.EngagementClosed) =>
            Html(context, StatusCodes.Status409Conflict, ProviderPage.Message("Request closed", Engagements.CommandAnswers.DetailFor(result.Reason))),
        CommandStatus.Conflict => Html(context, StatusCodes.Status409Conflict, ProviderPage.Message("Response already recorded", Engagements.CommandAnswers.DetailFor(result.Reason))),
        _ => Html(context, StatusCodes.Status400BadRequest, ProviderPage.Message("Response not recorded", "Please choose one response.")),
    };

    /// <summary>HTML with headers for a page whose URL is a credential: no caching, no referrer, nothing external, no framing (also the care-plan and scorecard pages').</summary>
    internal static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Html(HttpContext context, int status, string html)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Content-Type-Options"] = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        return TypedResults.Text(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
