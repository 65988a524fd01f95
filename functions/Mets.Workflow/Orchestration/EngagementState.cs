using System.Text.Json.Serialization;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Risk;

namespace Mets.Workflow.Orchestration;

/// <summary>
/// What the engagement orchestration carries from one generation to the next (ContinueAsNew input):
/// ids, codes, due dates and counters only, never names, member ids or free text.
/// </summary>
public sealed record EngagementState(
    EngagementId EngagementId,
    EngagementStatus Status,
    StepReference Step,
    DateTimeOffset? DueAt,
    StaffId? Owner,
    StaffId? Clinician,
    StaffId? Supervisor,
    bool Reminded,
    bool Escalated,
    RiskTier? Tier,
    int ReviewsStarted,
    int ClosureReviewsStarted,
    int ContactAttemptsRecorded,
    MemberContactStreak ContactStreak,
    DateTimeOffset? MaximumDurationEndsAt,
    IReadOnlyList<ReferralId> ReferralIds,
    IReadOnlyDictionary<OutreachId, ProviderOutreachStatus> Outreach,
    int Generation,
    Guid Run = default,
    IReadOnlyDictionary<string, Mets.Workflow.CarePlans.FollowUpTimer>? FollowUps = null)
{
    /// <summary>The care plan's watched follow-ups by intervention id (none before the first community-resource referral).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, Mets.Workflow.CarePlans.FollowUpTimer> WatchedFollowUps => FollowUps ?? new Dictionary<string, Mets.Workflow.CarePlans.FollowUpTimer>();

    /// <summary>
    /// The input that starts an engagement's orchestration (the case document says Received).
    /// <paramref name="run"/> names this run of the instance (a new one when a failed instance is repaired),
    /// so case-change ids of different runs never collide.
    /// </summary>
    public static EngagementState Received(EngagementId id, Guid run = default) => new(
        id, EngagementStatus.Received, StepReference.Received, null, null, null, null, false, false, null, 0, 0, 0,
        MemberContactStreak.None, null, [], new Dictionary<OutreachId, ProviderOutreachStatus>(), 0, run);

    [JsonIgnore]
    public EngagementPosition Position => new(
        EngagementId, Status, Step, ReviewsStarted, ClosureReviewsStarted, ContactAttemptsRecorded, ReferralIds, Outreach);

    /// <summary>The state for a newly opened step (reminder and escalation marks cleared).</summary>
    public EngagementState EnterStep(StepReference step, DateTimeOffset? dueAt, StaffId? owner) =>
        this with { Step = step, DueAt = dueAt, Owner = owner, Reminded = false, Escalated = false };
}

/// <summary>The engagement orchestration's output when it ends: how it closed.</summary>
public sealed record EngagementResult(EngagementId EngagementId, ClosureReason Reason, int Generation);

/// <summary>
/// Custom status of an engagement instance: step, due date, owner and the overdue/escalated marks
/// (ids and codes only).
/// </summary>
public sealed record EngagementStatusView(
    string Status,
    string Step,
    DateTimeOffset? DueAt,
    string? Owner,
    bool Overdue,
    bool Reminded,
    bool Escalated,
    RiskTier? RiskTier,
    int Generation)
{
    public static EngagementStatusView From(EngagementState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(
            state.Status.ToString(), state.Step.ToString(), state.DueAt, state.Owner?.Value,
            state.DueAt is { } due && now >= due, state.Reminded, state.Escalated, state.Tier, state.Generation);
    }
}

/// <summary>An outreach sub-orchestration reports its status to the engagement (event <see cref="EventName"/>).</summary>
public sealed record OutreachReported(OutreachId OutreachId, ProviderOutreachStatus Status)
{
    public const string EventName = nameof(OutreachReported);
}

/// <summary>The engagement closed: the outreach sub-orchestration stops (event <see cref="EventName"/>).</summary>
public sealed record OutreachStopRequested(ClosureReason Reason)
{
    public const string EventName = nameof(OutreachStopRequested);
}

/// <summary>Input of one provider's outreach sub-orchestration (instance id = <see cref="OutreachId"/>).</summary>
public sealed record OutreachInput(OutreachId OutreachId, Mets.Domain.Referrals.ProviderRole Role);
