using Mets.Api.Engagements;
using Mets.Api.Logging;
using Mets.Api.Problems;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
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
    private const string IdRoute = EngagementEndpoints.IdRoute;

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
        Write<AddGoalRequest>(engagements.MapPost(IdRoute + "/care-plan/goals", AddGoal), "AddGoal", "Add a goal in the member's words (target, target date, status).");
        Write<ChangeGoalRequest>(engagements.MapPost(IdRoute + "/care-plan/goals/" + ItemRoute, ChangeGoal), "ChangeGoal", "Change a goal's status, target or target date.");
        Write<AddBarrierRequest>(engagements.MapPost(IdRoute + "/care-plan/barriers", AddBarrier), "AddBarrier", "Add a barrier: a program barrier or an AHC HRSN social need.");
        Write<ChangeBarrierRequest>(engagements.MapPost(IdRoute + "/care-plan/barriers/" + ItemRoute, ChangeBarrier), "ChangeBarrier", "Resolve or reopen a barrier, or replace its note.");
        Write<AddInterventionRequest>(engagements.MapPost(IdRoute + "/care-plan/interventions", AddIntervention), "AddIntervention",
            "Add an intervention aimed at a barrier (a community-resource referral with its follow-up date).");
        Write<ChangeInterventionRequest>(engagements.MapPost(IdRoute + "/care-plan/interventions/" + ItemRoute, ChangeIntervention), "ChangeIntervention",
            "Change an intervention's status.");
        Write<AddCareTeamMemberRequest>(engagements.MapPost(IdRoute + "/care-team", AddCareTeamMember), "AddCareTeamMember",
            "Add a care-team participant (primary care, psychiatry consultant, pharmacy, dental, social services) with contact; contact includes them in the outreach.");
        Write<RecommendLevelOfCareRequest>(engagements.MapPost(IdRoute + "/care-plan/level-of-care", RecommendLevelOfCare), "RecommendLevelOfCare",
            "Recommend stepping care down or up (from, to, reason); sent to the collaborating providers with the shared care plan.");
        Write<ShareCarePlanRequest>(engagements.MapPost(IdRoute + "/care-plan/share", ShareCarePlan), "ShareCarePlan",
            "Email a care-plan link to the collaborating providers (or those named): they see the agreed goals and can agree, propose a change or add a note.");
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

    internal static Task<IResult> AddGoal(string id, HttpRequest request, ApiActor actor, [FromServices] CarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<AddGoalRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            var (result, goalId) = await carePlans.AddGoalAsync(engagementId,
                new GoalSubmission(body.GoalId, body.Description, body.Target, body.TargetDate, body.Status, body.SubstanceUse), CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            return Answer(result, engagementId, goalId);
        }, cancellationToken);

    internal static Task<IResult> ChangeGoal(string id, string itemId, HttpRequest request, ApiActor actor, [FromServices] CarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<ChangeGoalRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
            Answer(await carePlans.ChangeGoalAsync(engagementId, itemId, new GoalChange(body.Status, body.Target, body.TargetDate), CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken),
                engagementId, itemId), cancellationToken);

    internal static Task<IResult> AddBarrier(string id, HttpRequest request, ApiActor actor, [FromServices] CarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<AddBarrierRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            var (result, barrierId) = await carePlans.AddBarrierAsync(engagementId,
                new BarrierSubmission(body.BarrierId, body.Kind, body.SocialNeed, body.Note), CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            return Answer(result, engagementId, barrierId);
        }, cancellationToken);

    internal static Task<IResult> ChangeBarrier(string id, string itemId, HttpRequest request, ApiActor actor, [FromServices] CarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<ChangeBarrierRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
            Answer(await carePlans.ChangeBarrierAsync(engagementId, itemId, new BarrierChange(body.Resolved, body.Note), CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken),
                engagementId, itemId), cancellationToken);

    internal static Task<IResult> AddIntervention(string id, HttpRequest request, ApiActor actor, [FromServices] CarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<AddInterventionRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            var (result, interventionId) = await carePlans.AddInterventionAsync(engagementId,
                new InterventionSubmission(body.InterventionId, body.Kind, body.Description, body.BarrierId, body.Status, body.ResourceId, body.FollowUpDueAt),
                CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            return Answer(result, engagementId, interventionId);
        }, cancellationToken);

    internal static Task<IResult> ChangeIntervention(string id, string itemId, HttpRequest request, ApiActor actor, [FromServices] CarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<ChangeInterventionRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
            Answer(await carePlans.ChangeInterventionAsync(engagementId, itemId, body.Status, CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken),
                engagementId, itemId), cancellationToken);

    internal static Task<IResult> AddCareTeamMember(string id, HttpRequest request, ApiActor actor, [FromServices] CareTeamService careTeam,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<AddCareTeamMemberRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            errors.RequireText(body.Name, "$.name", Mets.Domain.Referrals.TreatingProvider.MaxNameLength);
            if (!Npi.TryParse(body.Npi, out var npi, out var npiReason))
            {
                errors.Add("$.npi", $"must be a valid NPI ({npiReason}).");
            }

            if (!Mets.Domain.Identifiers.Email.TryParse(body.Email, out var email, out var emailReason))
            {
                errors.Add("$.email", $"must be an email address ({emailReason}).");
            }

            if (!errors.IsEmpty)
            {
                return null;
            }

            var result = await careTeam.AddAsync(engagementId, new CareTeamSubmission(body.Name, npi, email, body.Role, body.Phone, body.Contact),
                CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            return Answer(result, engagementId, npi.Value);
        }, cancellationToken);

    internal static Task<IResult> ShareCarePlan(string id, HttpRequest request, ApiActor actor, [FromServices] ProviderCarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<ShareCarePlanRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            if (Npis(body.Npis, "$.npis", errors) is not { } to)
            {
                return null;
            }

            var (result, sharedWith) = await carePlans.ShareAsync(engagementId, to, CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            if (result.Status != CommandStatus.Accepted)
            {
                return result.Reason == ProviderCarePlanService.NoCollaboratingProvider
                    ? Problem.WithCode(StatusCodes.Status409Conflict, "Nobody to share the care plan with.",
                        "No participant has agreed to collaborate yet, or a named NPI has no outreach on this engagement.", result.Reason)
                    : CommandAnswers.Answer(result, engagementId);
            }

            return Shared(engagementId, sharedWith);
        }, cancellationToken);

    internal static Task<IResult> RecommendLevelOfCare(string id, HttpRequest request, ApiActor actor, [FromServices] ProviderCarePlanService carePlans,
        [FromServices] IOptions<RosterOptions> roster, CancellationToken cancellationToken) =>
        EngagementEndpoints.WriteAsync<RecommendLevelOfCareRequest>(id, request, actor, async (engagementId, body, staff, errors) =>
        {
            errors.Require(body.From != body.To, "$.to", "must be another level of care than from.");
            errors.RequireText(body.Reason, "$.reason", Mets.Domain.CarePlans.LevelOfCareRecommendation.MaxReasonLength);
            if (Npis(body.ShareWith, "$.shareWith", errors) is not { } to || !errors.IsEmpty)
            {
                return null;
            }

            var (result, sharedWith) = await carePlans.RecommendLevelOfCareAsync(engagementId, body.From, body.To, body.Reason, to,
                CommandAnswers.TimelineActor(staff, roster.Value), cancellationToken);
            return result.Status == CommandStatus.Accepted ? Shared(engagementId, sharedWith) : CommandAnswers.Answer(result, engagementId);
        }, cancellationToken);

    /// <summary>The NPIs of a body's list, or null with an error per bad one.</summary>
    internal static List<Npi>? Npis(IReadOnlyList<string>? values, string path, FieldErrors errors)
    {
        var npis = new List<Npi>();
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            if (Npi.TryParse(values![i], out var npi, out var reason))
            {
                npis.Add(npi);
            }
            else
            {
                errors.Add($"{path}[{i}]", $"must be a valid NPI ({reason}).");
            }
        }

        return errors.IsEmpty ? npis : null;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Accepted<CarePlanShareAccepted> Shared(EngagementId engagement, IReadOnlyList<Npi> sharedWith)
    {
        var uri = CommandAnswers.EngagementUri(engagement);
        return TypedResults.Accepted(uri, new CarePlanShareAccepted(engagement.Value, uri, [.. sharedWith.Select(n => n.Value)]));
    }

    /// <summary>202 with the engagement's URI and the item's id; otherwise the step commands' answers.</summary>
    internal static IResult Answer(CommandResult result, EngagementId engagement, string? itemId)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status != CommandStatus.Accepted)
        {
            return result.Reason switch
            {
                ConsentService.ConsentNotFound => Problem.WithCode(StatusCodes.Status404NotFound, "The consent does not exist.", "The engagement has no consent with this id.", result.Reason),
                CarePlanService.CarePlanItemNotFound => Problem.WithCode(StatusCodes.Status404NotFound, "The care-plan item does not exist.",
                    "The care plan has no goal, barrier, intervention or resource with this id.", result.Reason),
                ConsentService.IdInUse => Problem.WithCode(StatusCodes.Status409Conflict, "The id is in use.", "The engagement has a different item with this id; read the engagement, or leave the id out.", result.Reason),
                _ => CommandAnswers.Answer(result, engagement),
            };
        }

        var uri = CommandAnswers.EngagementUri(engagement);
        return TypedResults.Accepted(uri, new CarePlanAccepted(engagement.Value, uri, itemId));
    }
}
