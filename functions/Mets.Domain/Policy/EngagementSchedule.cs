using System.Text.Json.Serialization;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Domain.Policy;

/// <summary>What a step's next timer is for.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepTimerKind>))]
public enum StepTimerKind
{
    /// <summary>Remind whoever owes the step.</summary>
    Reminder,

    /// <summary>The step is overdue: escalate to the supervisor.</summary>
    Escalation,
}

/// <summary>The next timer of a waiting step.</summary>
public sealed record StepTimer(DateTimeOffset At, StepTimerKind Kind);

/// <summary>
/// The pure scheduling rules of the METS engagement, from a validated <see cref="EngagementPolicy"/>.
/// Every method takes the times it needs; none reads a clock, so orchestrator code can call them
/// with <c>context.CurrentUtcDateTime</c> and tests with fixed times.
/// </summary>
public sealed class EngagementSchedule
{
    private readonly EngagementPolicy policy;

    /// <exception cref="InvalidOperationException">The policy is invalid (the message lists every problem).</exception>
    public EngagementSchedule(EngagementPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.EnsureValid();
        this.policy = policy;
    }

    public EngagementPolicy Policy => policy;

    // ---- assessment ----

    /// <summary>Referral received + 7 days, or + 1 day when the referral is urgent or raises a safety concern.</summary>
    public DateTimeOffset AssessmentDueAt(DateTimeOffset referralReceivedAt, bool urgentOrSafetyConcern) =>
        referralReceivedAt + (urgentOrSafetyConcern ? policy.UrgentAssessmentDue : policy.AssessmentDue);

    /// <summary>The assessment due date for the engagement's first referral.</summary>
    public DateTimeOffset AssessmentDueAt(Referral referral)
    {
        ArgumentNullException.ThrowIfNull(referral);
        return AssessmentDueAt(referral.ReceivedAt, referral.IsUrgentOrSafetyConcern);
    }

    /// <summary>
    /// The assessment due date after another referral is attached: an urgent (or safety-concern) one
    /// pulls it in to attached + 1 day when that is sooner; a routine one never moves it.
    /// </summary>
    public DateTimeOffset AssessmentDueAfterReferralAttached(DateTimeOffset currentDueAt, DateTimeOffset attachedAt, bool urgentOrSafetyConcern) =>
        urgentOrSafetyConcern ? Earlier(currentDueAt, attachedAt + policy.UrgentAssessmentDue) : currentDueAt;

    // ---- any waiting step ----

    /// <summary>Reminder lead (2 days) before the due date, or <paramref name="now"/> when that moment has passed.</summary>
    public DateTimeOffset ReminderAt(DateTimeOffset dueAt, DateTimeOffset now) => Later(dueAt - policy.ReminderLead, now);

    /// <summary>When an overdue step escalates to the supervisor.</summary>
    public DateTimeOffset EscalationAt(DateTimeOffset dueAt) => dueAt + policy.SupervisorEscalationDelay;

    /// <summary>A step is overdue from its due date on.</summary>
    public static bool IsOverdue(DateTimeOffset dueAt, DateTimeOffset now) => now >= dueAt;

    /// <summary>
    /// The next timer of a waiting step: the reminder until it has been sent, then the escalation,
    /// then nothing (null: wait for the step's own event only).
    /// </summary>
    public StepTimer? NextStepTimer(DateTimeOffset dueAt, DateTimeOffset now, bool reminderSent, bool escalated) =>
        !reminderSent ? new StepTimer(ReminderAt(dueAt, now), StepTimerKind.Reminder)
        : !escalated ? new StepTimer(Later(EscalationAt(dueAt), now), StepTimerKind.Escalation)
        : null;

    // ---- member contact ----

    /// <summary>True once the consecutive unsuccessful contacts reach the limit (3): close as unable to reach.</summary>
    public bool IsUnableToReach(MemberContactStreak streak) => streak.ConsecutiveUnsuccessful >= policy.UnsuccessfulContactsBeforeClosure;

    // ---- provider outreach ----

    /// <summary>Reminders on days 3, 6, 9 after the first email, peer-to-peer escalation on day 12, no response on day 12 + 14.</summary>
    public ProviderOutreachPlan ProviderOutreachPlan(DateTimeOffset firstEmailAt)
    {
        var steps = new List<OutreachStep>(policy.ProviderReminderCount + 2);
        for (var n = 1; n <= policy.ProviderReminderCount; n++)
        {
            steps.Add(new OutreachStep(firstEmailAt + (policy.ProviderReminderInterval * n), OutreachStepKind.Reminder, n));
        }

        var escalation = firstEmailAt + policy.ProviderEscalationAfter;
        steps.Add(new OutreachStep(escalation, OutreachStepKind.PeerToPeerEscalation, 0));
        steps.Add(new OutreachStep(escalation + policy.PeerReviewWindow, OutreachStepKind.NoResponse, 0));
        return new ProviderOutreachPlan(firstEmailAt, steps);
    }

    // ---- reviews ----

    /// <summary>High 14, moderate 30, low 60 days.</summary>
    public TimeSpan ReviewInterval(RiskTier tier) => tier switch
    {
        RiskTier.High => policy.HighRiskReviewInterval,
        RiskTier.Moderate => policy.ModerateRiskReviewInterval,
        RiskTier.Low => policy.LowRiskReviewInterval,
        _ => throw new ArgumentOutOfRangeException(nameof(tier), "Unknown risk tier."),
    };

    /// <summary>The next review is due one interval for the tier after <paramref name="from"/> (the assessment or the previous review).</summary>
    public DateTimeOffset NextReviewDueAt(DateTimeOffset from, RiskTier tier) => from + ReviewInterval(tier);

    /// <summary>
    /// A BH inpatient discharge seen in claims: next review due =
    /// min(current due, max(discharge + 7 days, now + 1 day)). It only ever pulls the review forward.
    /// </summary>
    public DateTimeOffset ReviewDueAfterDischarge(DateTimeOffset currentDueAt, DateTimeOffset dischargedAt, DateTimeOffset now) =>
        Earlier(currentDueAt, Later(dischargedAt + policy.DischargeFollowUp, now + policy.MinimumReviewNotice));

    // ---- maximum duration and closure review ----

    /// <summary>The engagement goes to a closure review 180 days after it started.</summary>
    public DateTimeOffset MaximumDurationEndsAt(DateTimeOffset engagementStartedAt) => engagementStartedAt + policy.MaximumDuration;

    /// <summary>The supervisor's closure-review decision is due 7 days after the review opens.</summary>
    public DateTimeOffset ClosureDecisionDueAt(DateTimeOffset closureReviewOpenedAt) => closureReviewOpenedAt + policy.ClosureDecisionWindow;

    /// <summary>
    /// The closure review at <paramref name="now"/>: a decision to close closes (with the given reason,
    /// or maximum duration reached), a decision to extend runs 90 more days from the decision, and no
    /// decision by the due date closes as maximum duration reached; otherwise keep waiting.
    /// </summary>
    public ClosureReviewResult DecideClosureReview(ClosureReviewDecision? decision, ClosureReason? reason, DateTimeOffset decisionDueAt, DateTimeOffset now) =>
        decision switch
        {
            ClosureReviewDecision.Extend => new ClosureReviewResult(ClosureReviewResultKind.Extend, null, now + policy.ClosureExtension),
            ClosureReviewDecision.Close => new ClosureReviewResult(ClosureReviewResultKind.Close, reason ?? ClosureReason.MaximumDurationReached, null),
            null when now >= decisionDueAt => new ClosureReviewResult(ClosureReviewResultKind.Close, ClosureReason.MaximumDurationReached, null),
            null => new ClosureReviewResult(ClosureReviewResultKind.Waiting, null, null),
            _ => throw new ArgumentOutOfRangeException(nameof(decision), "Unknown closure-review decision."),
        };

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
