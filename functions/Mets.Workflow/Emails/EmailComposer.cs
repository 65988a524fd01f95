using System.Globalization;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Emails;

/// <summary>What an email is about.</summary>
public enum EmailKind
{
    /// <summary>To a treating provider: a METS collaboration request with the signed response link.</summary>
    ProviderCollaborationRequest,

    /// <summary>To a treating provider: reminder number n of the request.</summary>
    ProviderReminder,

    /// <summary>To the medical director: a silent provider needs a peer-to-peer review.</summary>
    PeerToPeerEscalation,

    /// <summary>To a treating provider who was contacted: the engagement closed.</summary>
    ClosureSummary,

    /// <summary>To whoever owes a step: it is due soon.</summary>
    StepReminder,

    /// <summary>To the supervisor: a step is overdue.</summary>
    StepEscalation,

    /// <summary>To the supervisor: the assessment shows a safety risk.</summary>
    SafetyEscalation,

    /// <summary>To the supervisor: the maximum duration was reached; close or extend.</summary>
    ClosureReviewOpened,

    /// <summary>To a collaborating provider or participant: the care plan (and any level-of-care recommendation) is shared behind a signed link.</summary>
    CarePlanShared,

    /// <summary>To the clinician: a community-resource referral's follow-up is due soon.</summary>
    FollowUpReminder,

    /// <summary>To the supervisor: a community-resource referral's follow-up is overdue.</summary>
    FollowUpEscalation,
}

/// <summary>
/// Writes METS emails. They say that a request or reminder exists and carry a link; they never
/// carry member names, dates of birth, diagnoses or member ids. Staff emails name the engagement
/// by its opaque id and step code; provider emails carry only the signed link.
/// </summary>
public static class EmailComposer
{
    /// <param name="providerResponse">For a closure summary: what the provider answered (null: never answered), so only a provider who collaborated is thanked for it.</param>
    public static (string Subject, string Body) Compose(EmailKind kind, EngagementId engagement, StepReference? step, DateTimeOffset? dueAt, int number, ClosureReason? reason, Uri? link, DateTimeOffset? linkExpiresAt, ProviderResponse? providerResponse = null)
    {
        var due = dueAt is { } d ? d.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "not set";
        var expires = linkExpiresAt is { } x ? x.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty;
        return kind switch
        {
            EmailKind.ProviderCollaborationRequest => (
                "METS collaboration request",
                "A health plan METS care manager would like to collaborate with you on the care of a member you treat.\n\n" +
                $"Open this secure link to see the request and respond (valid until {expires}):\n{link}\n\n" +
                "For privacy, this email contains no member information."),
            EmailKind.ProviderReminder => (
                "Reminder: METS collaboration request",
                $"This is reminder {number} about a METS collaboration request that is waiting for your response.\n\n" +
                $"Open this secure link to respond (valid until {expires}):\n{link}\n\n" +
                "For privacy, this email contains no member information."),
            EmailKind.PeerToPeerEscalation => (
                "METS: peer-to-peer review needed",
                $"A treating provider has not answered a METS collaboration request. Please arrange a peer-to-peer review.\n\nEngagement: {engagement}\n"),
            EmailKind.ClosureSummary => (
                "METS collaboration closed",
                $"The METS engagement you were contacted about has closed ({Describe(reason)}). {Acknowledge(providerResponse)}\n\n" +
                "For privacy, this email contains no member information."),
            EmailKind.StepReminder => (
                "METS reminder: step due soon",
                $"Engagement {engagement}: step {step} is due {due}.\n"),
            EmailKind.StepEscalation => (
                "METS escalation: step overdue",
                $"Engagement {engagement}: step {step} was due {due} and is overdue.\n"),
            EmailKind.SafetyEscalation => (
                "METS escalation: safety risk at assessment",
                $"Engagement {engagement}: the assessment shows a safety risk. Please review today.\n"),
            EmailKind.ClosureReviewOpened => (
                "METS closure review: decision needed",
                $"Engagement {engagement} reached its maximum duration. Please close or extend it by {due}.\n"),
            EmailKind.CarePlanShared => (
                "METS care plan shared with you",
                "A health plan METS care manager shared the care plan of a member you treat: the goals agreed so far, and any level-of-care recommendation.\n\n" +
                $"Open this secure link to read it, agree to a goal, propose a change or add a note (valid until {expires}):\n{link}\n\n" +
                "For privacy, this email contains no member information."),
            EmailKind.FollowUpReminder => (
                "METS reminder: referral follow-up due soon",
                $"Engagement {engagement}: the follow-up of community-resource referral {Item(number)} is due {due}.\n"),
            EmailKind.FollowUpEscalation => (
                "METS escalation: referral follow-up overdue",
                $"Engagement {engagement}: the follow-up of community-resource referral {Item(number)} was due {due} and is overdue.\n"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), "Unknown email kind."),
        };
    }

    /// <summary>An intervention's id (I{n}) from its number: the email names the item, never its description.</summary>
    private static string Item(int number) => string.Create(CultureInfo.InvariantCulture, $"I{number}");

    private static string Acknowledge(ProviderResponse? response) => response switch
    {
        ProviderResponse.WillCollaborate => "Thank you for your collaboration.",
        ProviderResponse.DeclinedToCollaborate or ProviderResponse.NotTreatingMember => "Thank you for your response.",
        _ => "No response to our collaboration request was recorded; no action is needed.",
    };

    private static string Describe(ClosureReason? reason) => reason switch
    {
        ClosureReason.GoalsMet => "goals met",
        ClosureReason.MemberDeclined => "the member declined further participation",
        ClosureReason.UnableToReach => "the member could not be reached",
        ClosureReason.LostEligibility => "the member's eligibility ended",
        ClosureReason.TransferredToHigherLevelOfCare => "care moved to a higher level of care",
        ClosureReason.MaximumDurationReached => "the program's maximum duration was reached",
        _ => "closed",
    };
}
