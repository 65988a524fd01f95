using System.Text.Json.Serialization;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Workflow.Activities;

/// <summary>
/// One change to the case document, decided by an orchestration and applied by
/// <see cref="UpdateCaseActivity"/> to the latest document (ids, codes and times only).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$change")]
[JsonDerivedType(typeof(ReminderRecorded), nameof(ReminderRecorded))]
[JsonDerivedType(typeof(EscalationRecorded), nameof(EscalationRecorded))]
[JsonDerivedType(typeof(ReferralAttachment), nameof(ReferralAttachment))]
[JsonDerivedType(typeof(ContactAttemptRecorded), nameof(ContactAttemptRecorded))]
[JsonDerivedType(typeof(AssessmentApplied), nameof(AssessmentApplied))]
[JsonDerivedType(typeof(ReviewApplied), nameof(ReviewApplied))]
[JsonDerivedType(typeof(NextReviewStarted), nameof(NextReviewStarted))]
[JsonDerivedType(typeof(ReviewDueMoved), nameof(ReviewDueMoved))]
[JsonDerivedType(typeof(ClaimsActivityRecorded), nameof(ClaimsActivityRecorded))]
[JsonDerivedType(typeof(ClosureReviewStarted), nameof(ClosureReviewStarted))]
[JsonDerivedType(typeof(EngagementExtension), nameof(EngagementExtension))]
[JsonDerivedType(typeof(ClosureRequestRecorded), nameof(ClosureRequestRecorded))]
[JsonDerivedType(typeof(EngagementClosure), nameof(EngagementClosure))]
[JsonDerivedType(typeof(EventIgnored), nameof(EventIgnored))]
[JsonDerivedType(typeof(OutreachProgress), nameof(OutreachProgress))]
[JsonDerivedType(typeof(FollowUpTimerRecorded), nameof(FollowUpTimerRecorded))]
[JsonDerivedType(typeof(CareTeamOutreachStarted), nameof(CareTeamOutreachStarted))]
public abstract record CaseUpdate(DateTimeOffset At);

public sealed record ReminderRecorded(DateTimeOffset At) : CaseUpdate(At);

public sealed record EscalationRecorded(StaffId? Supervisor, DateTimeOffset At) : CaseUpdate(At);

public sealed record ReferralAttachment(ReferralId ReferralId, DateTimeOffset? AssessmentDueAt, DateTimeOffset At) : CaseUpdate(At);

public sealed record ContactAttemptRecorded(MemberContactOutcome Outcome, StaffId By, DateTimeOffset At) : CaseUpdate(At);

/// <summary>Applies the assessment (details from the store), escalating first when it shows a safety risk, and starts each provider's outreach record.</summary>
public sealed record AssessmentApplied(RiskTierDecision Risk, bool EscalateForSafety, StaffId? Supervisor, IReadOnlyList<ProviderToContact> Providers, DateTimeOffset At) : CaseUpdate(At);

public sealed record ReviewApplied(ReviewCompleted Review, DateTimeOffset At) : CaseUpdate(At);

public sealed record NextReviewStarted(DateTimeOffset DueAt, DateTimeOffset At) : CaseUpdate(At);

public sealed record ReviewDueMoved(DateTimeOffset DueAt, string Because, DateTimeOffset At) : CaseUpdate(At);

/// <summary>Claims activity; care-gap kinds with a <paramref name="Measure"/> also open or close that gap on the case.
/// With an <paramref name="EventId"/>, an activity already on the case's timeline changes nothing.</summary>
public sealed record ClaimsActivityRecorded(ClaimsActivityKind Kind, string? Measure, DateTimeOffset ActivityAt, DateTimeOffset At, string? EventId = null) : CaseUpdate(At);

public sealed record ClosureReviewStarted(DateTimeOffset DecisionDueAt, StaffId? Supervisor, DateTimeOffset At) : CaseUpdate(At);

public sealed record EngagementExtension(DateTimeOffset Until, StaffId By, DateTimeOffset At) : CaseUpdate(At);

public sealed record ClosureRequestRecorded(ClosureReason Reason, Actor By, DateTimeOffset At) : CaseUpdate(At);

public sealed record EngagementClosure(ClosureReason Reason, Actor By, DateTimeOffset At) : CaseUpdate(At);

public sealed record EventIgnored(EngagementEvent Ignored, EventFit Fit, DateTimeOffset At) : CaseUpdate(At);

/// <summary>What happened in one provider's outreach.</summary>
public enum OutreachChange
{
    Emailed,
    Reminded,
    Escalated,
    Answered,
    PeerReviewed,
    EndedWithoutResponse,
}

public sealed record OutreachProgress(
    OutreachId OutreachId,
    ProviderRole Role,
    OutreachChange Change,
    ProviderResponse? Response,
    PeerReviewOutcome? PeerReview,
    StaffId? RecordedBy,
    DateTimeOffset At)
    : CaseUpdate(At);

/// <summary>A community-resource referral's follow-up reminded the clinician (or, <paramref name="Escalation"/>, went to the supervisor).</summary>
public sealed record FollowUpTimerRecorded(string InterventionId, bool Escalation, StaffId? To, DateTimeOffset At) : CaseUpdate(At);

/// <summary>A care-team participant's outreach starts (after the assessment, at the clinician's request).</summary>
public sealed record CareTeamOutreachStarted(OutreachId OutreachId, ProviderRole Role, DateTimeOffset At) : CaseUpdate(At);

/// <summary>Input of <see cref="UpdateCaseActivity"/>: the change and its idempotency key.</summary>
public sealed record CaseUpdateRequest(EngagementId EngagementId, string ChangeId, CaseUpdate Update);
