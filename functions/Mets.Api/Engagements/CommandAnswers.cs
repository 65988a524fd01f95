using Mets.Api.Authentication;
using Mets.Api.Problems;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.Roster;
using Microsoft.AspNetCore.Http;
using DomainActor = Mets.Domain.Engagements.Actor;

namespace Mets.Api.Engagements;

/// <summary>The 202 body of every accepted write: the engagement's id and where to read it. Never an engine URL or a key.</summary>
public sealed record AcceptedResponse(string Id, string StatusUri);

/// <summary>Turns application-service answers into HTTP answers, the same way for every step.</summary>
public static class CommandAnswers
{
    public static string EngagementUri(EngagementId id) => $"/api/engagements/{id.Value}";

    /// <summary>Accepted -> 202, NotFound -> 404, Conflict -> 409, Invalid -> 400, Forbidden -> 403; problems carry the reason as <c>code</c>.</summary>
    public static IResult Answer(CommandResult result, EngagementId id)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status switch
        {
            CommandStatus.Accepted => TypedResults.Accepted(EngagementUri(id), new AcceptedResponse(id.Value, EngagementUri(id))),
            CommandStatus.NotFound when result.Reason == EngagementService.NoOutreachToProvider =>
                Problem.WithCode(StatusCodes.Status404NotFound, "The outreach does not exist.", DetailFor(result.Reason), result.Reason),
            CommandStatus.NotFound => Problem.WithCode(StatusCodes.Status404NotFound, "The engagement does not exist.", DetailFor(result.Reason), result.Reason),
            CommandStatus.Conflict => Problem.WithCode(StatusCodes.Status409Conflict, "The engagement is not at this step.", DetailFor(result.Reason), result.Reason),
            CommandStatus.Forbidden when result.Reason == EngagementService.NotMedicalDirector =>
                Problem.WithCode(StatusCodes.Status403Forbidden, "Only a medical director can record this.", DetailFor(result.Reason), result.Reason),
            CommandStatus.Forbidden => Problem.WithCode(StatusCodes.Status403Forbidden, "The link is not valid.", DetailFor(result.Reason), result.Reason),
            _ => Invalid(result.Errors),
        };
    }

    /// <summary>The service's validation messages (each names its field, none quotes a value) at <c>$</c>.</summary>
    public static IResult Invalid(IReadOnlyList<string> errors)
    {
        var fieldErrors = new FieldErrors();
        foreach (var error in errors.DefaultIfEmpty("The request is not valid."))
        {
            fieldErrors.Add("$", error);
        }

        return fieldErrors.ToProblem();
    }

    /// <summary>Fixed texts per reason code: never the service's message, which names ids.</summary>
    public static string DetailFor(string reason) => reason switch
    {
        nameof(EventFit.NotExpectedNow) => "The engagement is at another step; read it to see its current step.",
        nameof(EventFit.Stale) => "This answers a step that has already been handled.",
        nameof(EventFit.Duplicate) => "This was already recorded.",
        nameof(EventFit.EngagementClosed) => "The engagement is closed.",
        nameof(EventFit.OtherEngagement) => "This belongs to another engagement.",
        "AlreadyResponded" => "A response to this request is already recorded.",
        EngagementService.RequestClosed => "This request is closed and no longer takes responses.",
        EngagementService.DifferentCommandRecorded => "A different answer to this step is already recorded; read the engagement to see it.",
        "EngagementNotFound" => "No engagement has this id.",
        "OutreachNotFound" => "No provider request is waiting behind this link.",
        EngagementService.NoOutreachToProvider => "The engagement has no outreach to this provider.",
        EngagementService.NotMedicalDirector => "Peer-to-peer reviews are recorded by a medical director on the METS roster (Mets:Roster:MedicalDirectors).",
        "LinkExpired" => "This link has expired; contact the METS team for a new one.",
        "LinkInvalid" => "This link is not valid.",
        _ => "The request cannot be applied now.",
    };

    /// <summary>The caller as a staff id (API user names are staff ids), or null when the name is not one.</summary>
    public static StaffId? StaffOf(Mets.Api.Authentication.Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return StaffId.TryParse(actor.UserName, out var staff) ? staff : null;
    }

    /// <summary>The caller as the timeline's actor: supervisor or medical director when the roster says so, else clinician.</summary>
    public static DomainActor TimelineActor(StaffId staff, RosterOptions roster)
    {
        ArgumentNullException.ThrowIfNull(roster);
        static bool On(IList<RosterMember> list, StaffId staff) => list.Any(m => StaffId.TryParse(m.Id, out var id) && id == staff);
        var kind = On(roster.Supervisors, staff) ? ActorKind.Supervisor
            : On(roster.MedicalDirectors, staff) ? ActorKind.MedicalDirector
            : ActorKind.Clinician;
        return DomainActor.Staff(kind, staff);
    }

    internal static IResult NotStaff() =>
        Problem.Of(StatusCodes.Status403Forbidden, "This key's user cannot record engagement steps.", "The key's user name must be a staff id (letters, digits and - _ . @).");

    internal static IResult UnknownEngagement() =>
        Problem.WithCode(StatusCodes.Status404NotFound, "The engagement does not exist.", DetailFor("EngagementNotFound"), "EngagementNotFound");
}
