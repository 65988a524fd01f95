using System.Text.Json.Serialization;
using Mets.Domain.Assessments;
using Mets.Domain.Closure;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Domain.Engagements;

/// <summary>
/// An event raised to a running engagement. Payloads carry ids, codes and scores, never names,
/// dates of birth or free text. The orchestration event name is the type name
/// (<c>nameof(AssessmentCompleted)</c>). Serialized through this base type, a <c>$event</c>
/// discriminator names the concrete type.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$event")]
[JsonDerivedType(typeof(ReferralAttached), nameof(ReferralAttached))]
[JsonDerivedType(typeof(AssessmentCompleted), nameof(AssessmentCompleted))]
[JsonDerivedType(typeof(MemberContactAttempted), nameof(MemberContactAttempted))]
[JsonDerivedType(typeof(ProviderResponded), nameof(ProviderResponded))]
[JsonDerivedType(typeof(PeerReviewRecorded), nameof(PeerReviewRecorded))]
[JsonDerivedType(typeof(ReviewCompleted), nameof(ReviewCompleted))]
[JsonDerivedType(typeof(ClosureReviewDecided), nameof(ClosureReviewDecided))]
[JsonDerivedType(typeof(ClaimsActivityObserved), nameof(ClaimsActivityObserved))]
[JsonDerivedType(typeof(ClosureRequested), nameof(ClosureRequested))]
public abstract record EngagementEvent(EngagementId EngagementId, DateTimeOffset OccurredAt);

/// <summary>Another referral for the same member joined this engagement. An urgent one pulls the assessment due date in.</summary>
public sealed record ReferralAttached(EngagementId EngagementId, ReferralId ReferralId, bool UrgentOrSafetyConcern, DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>
/// The assessment was completed. <paramref name="Risk"/> is <see cref="RiskTierRule"/>'s decision made
/// by the application service (which knows the claims counts); <paramref name="TreatingProviders"/>
/// are the providers to contact, by NPI and role (names and emails stay in the case document:
/// <see cref="EngagementCase.TreatingProviders"/>).
/// </summary>
public sealed record AssessmentCompleted(
    EngagementId EngagementId,
    StepReference Step,
    AssessmentScores Scores,
    RiskTierDecision Risk,
    IReadOnlyList<ProviderToContact> TreatingProviders,
    StaffId CompletedBy,
    DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>
/// An attempt to reach the member while <paramref name="Step"/> was current. <paramref name="AttemptNumber"/>
/// counts attempts over the whole engagement from 1 (the case's <see cref="EngagementCase.ContactAttemptsRecorded"/> + 1),
/// so a repeated submission is recognized as a duplicate.
/// </summary>
public sealed record MemberContactAttempted(
    EngagementId EngagementId,
    StepReference Step,
    int AttemptNumber,
    MemberContactOutcome Outcome,
    StaffId AttemptedBy,
    DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>A treating provider to contact, by NPI and role only.</summary>
public sealed record ProviderToContact(Npi Npi, ProviderRole Role);

/// <summary>A provider answered the outreach <paramref name="OutreachId"/> through the signed link.</summary>
public sealed record ProviderResponded(EngagementId EngagementId, OutreachId OutreachId, ProviderResponse Response, DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>The medical director recorded the peer-to-peer review for an escalated outreach.</summary>
public sealed record PeerReviewRecorded(EngagementId EngagementId, OutreachId OutreachId, PeerReviewOutcome Outcome, StaffId RecordedBy, DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>
/// Review <paramref name="Step"/> was completed: the re-evaluated risk, optional new scores, and a
/// closure reason when the clinician closes the engagement with this review (e.g. goals met).
/// </summary>
public sealed record ReviewCompleted(
    EngagementId EngagementId,
    StepReference Step,
    RiskTierDecision Risk,
    int? Phq9Total,
    int? Gad7Total,
    ClosureReason? CloseWith,
    StaffId ReviewedBy,
    DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>The supervisor's decision in closure review <paramref name="Step"/>; <paramref name="Reason"/> applies to Close (default maximum duration reached).</summary>
public sealed record ClosureReviewDecided(
    EngagementId EngagementId,
    StepReference Step,
    ClosureReviewDecision Decision,
    ClosureReason? Reason,
    StaffId DecidedBy,
    DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);

/// <summary>What claims analytics saw for the member.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClaimsActivityKind>))]
public enum ClaimsActivityKind
{
    BehavioralHealthInpatientDischarge,
    BehavioralHealthEdVisit,
    CareGapOpened,
    CareGapClosed,
    MedicationNonadherence,
    EligibilityLost,
}

/// <summary>
/// Claims activity for a member in a running engagement. <paramref name="ActivityAt"/> is when it
/// happened (the discharge for an inpatient stay); <paramref name="Measure"/> is the care-gap
/// measure code for gap events. <paramref name="EventId"/> is the activity's stable identity (the claims
/// trigger id: member, kind and index event, never the file that revealed it): the same activity raised
/// again (a re-sent or overlapping claims file, a retried route) is applied to the engagement once.
/// Events recorded before event ids existed have none and are applied as they come.
/// </summary>
public sealed record ClaimsActivityObserved(
    EngagementId EngagementId,
    ClaimsActivityKind Kind,
    DateTimeOffset ActivityAt,
    string? Measure,
    DateTimeOffset OccurredAt,
    string? EventId = null)
    : EngagementEvent(EngagementId, OccurredAt)
{
    /// <summary>A claims event id: 1-64 letters, digits, hyphens or underscores (claims trigger ids are 32 hex characters).</summary>
    public static bool IsEventId(string? eventId) =>
        eventId is { Length: > 0 and <= 64 } && eventId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>Someone asked to close the engagement, in whatever step it is.</summary>
public sealed record ClosureRequested(EngagementId EngagementId, ClosureReason Reason, Actor RequestedBy, DateTimeOffset OccurredAt)
    : EngagementEvent(EngagementId, OccurredAt);
