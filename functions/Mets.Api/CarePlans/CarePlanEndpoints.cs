using Mets.Api.Engagements;
using Mets.Api.Logging;
using Mets.Api.Problems;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.Consent;
using Mets.Workflow.Roster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using ApiActor = Mets.Api.Authentication.Actor;

namespace Mets.Api.CarePlans;

/// <summary>
/// The care plan over the API (<c>/api/engagements/{id}/...</c>): the member's 42 CFR Part 2 consents, and the plan's
/// goals, barriers, interventions, care team and level of care. Every write is a timeline entry with the caller as
/// actor (clinician, or supervisor / medical director as the roster says).
/// </summary>
public static class CarePlanEndpoints
{
    private const string IdRoute = "/{id:regex(^[0-9a-fA-F]{{32}}$)}";

    /// <summary>An item id in a route: a letter and 1-4 digits (C1, G2, B3, I4, ...), so only ids are ever logged.</summary>
    private const string ItemRoute = "{itemId:regex(^[A-Z][1-9][0-9]{{0,3}}$)}";

    public static RouteGroupBuilder MapCarePlans(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var engagements = api.MapGroup("/engagements").WithTags("Care plan");
        Write<RecordConsentRequest>(engagements.MapPost(IdRoute + "/consents", RecordConsent), "RecordConsent",
            "Record the member's signed 42 CFR Part 2 consent (recipients named or a class, purposes, information, expiration, signature).");
        Write<RevokeConsentRequest>(engagements.MapPost(IdRoute + "/consents/" + ItemRoute + "/revocation", RevokeConsent), "RevokeConsent",
            "Record the member's written revocation of a consent: effective from now, going forward.");
        return api;
    }

    private static void Write<TBody>(RouteHandlerBuilder route, string name, string summary)
        where TBody : notnull =>
        route.WithName(name)
            .WithSummary(summary)
            .Accepts<TBody>("application/json")
            .Produces<CarePlanAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithLoggedRouteValues("id", "itemId");

    internal static Task<IResult> RecordConsent(string id, HttpRequest request, ApiActor actor, [FromServices] ConsentService consents,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<RecordConsentRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            var recipients = body.Recipients?.ToRecipients(errors, "$.recipients");
            errors.Require(body.Recipients is not null, "$.recipients", "is required.");
            if (!errors.IsEmpty || recipients is null)
            {
                return null;
            }

            var submission = new ConsentSubmission(body.ConsentId, recipients, body.Purposes, body.Information, body.ExpiresOn, body.ExpiresAtEvent, body.SignedBy, body.SignedOn);
            var (result, consentId) = await consents.RecordConsentAsync(engagementId, submission, CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            return Answer(result, engagementId, consentId);
        }, cancellationToken);

    internal static Task<IResult> RevokeConsent(string id, string itemId, HttpRequest request, ApiActor actor, [FromServices] ConsentService consents,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<RevokeConsentRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
            Answer(await consents.RevokeConsentAsync(engagementId, itemId, body.RevokedOn, CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken), engagementId, itemId),
            cancellationToken);

    /// <summary>202 with the engagement's URI and the item's id; otherwise the step commands' answers.</summary>
    internal static IResult Answer(CommandResult result, EngagementId engagement, string? itemId)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status != CommandStatus.Accepted)
        {
            return result.Reason switch
            {
                ConsentService.ConsentNotFound => Problem.WithCode(StatusCodes.Status404NotFound, "The consent does not exist.", "The engagement has no consent with this id.", result.Reason),
                ConsentService.IdInUse => Problem.WithCode(StatusCodes.Status409Conflict, "The id is in use.", "The engagement has a different item with this id; read the engagement, or leave the id out.", result.Reason),
                _ => CommandAnswers.Answer(result, engagement),
            };
        }

        var uri = CommandAnswers.EngagementUri(engagement);
        return TypedResults.Accepted(uri, new CarePlanAccepted(engagement.Value, uri, itemId));
    }
}
