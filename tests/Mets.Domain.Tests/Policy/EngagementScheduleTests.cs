using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Policy;
using Mets.Domain.Risk;

namespace Mets.Domain.Tests.Policy;

public class EngagementScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly EngagementSchedule schedule = new(new EngagementPolicy());

    [Theory]
    [InlineData(false, 7)]
    [InlineData(true, 1)]
    public void AssessmentDueAt_RoutineOrUrgent(bool urgent, int days)
    {
        Assert.Equal(T0 + (days * Day), schedule.AssessmentDueAt(T0, urgent));
    }

    [Fact]
    public void AssessmentDueAfterReferralAttached_UrgentPullsIn()
    {
        var due = T0 + (7 * Day);

        Assert.Equal(T0 + (3 * Day), schedule.AssessmentDueAfterReferralAttached(due, T0 + (2 * Day), urgentOrSafetyConcern: true));
    }

    [Fact]
    public void AssessmentDueAfterReferralAttached_UrgentLaterThanCurrent_KeepsCurrent()
    {
        var due = T0 + (7 * Day);

        Assert.Equal(due, schedule.AssessmentDueAfterReferralAttached(due, T0 + (6.5 * Day), urgentOrSafetyConcern: true));
        Assert.Equal(due, schedule.AssessmentDueAfterReferralAttached(due, T0 + (6 * Day), urgentOrSafetyConcern: true));
    }

    [Fact]
    public void AssessmentDueAfterReferralAttached_Routine_NeverMoves()
    {
        var due = T0 + (7 * Day);

        Assert.Equal(due, schedule.AssessmentDueAfterReferralAttached(due, T0, urgentOrSafetyConcern: false));
    }

    [Fact]
    public void ReminderAt_TwoDaysBeforeDue()
    {
        Assert.Equal(T0 + (5 * Day), schedule.ReminderAt(T0 + (7 * Day), T0));
    }

    [Fact]
    public void ReminderAt_ExactlyAtReminderMoment_IsThatMoment()
    {
        Assert.Equal(T0 + (5 * Day), schedule.ReminderAt(T0 + (7 * Day), T0 + (5 * Day)));
    }

    [Fact]
    public void ReminderAt_AlreadyPast_IsNow()
    {
        var now = T0 + TimeSpan.FromHours(1);

        Assert.Equal(now, schedule.ReminderAt(T0 + Day, now));                 // urgent: 1 day due, lead 2 days
        Assert.Equal(now, schedule.ReminderAt(T0 - Day, now));                 // already overdue
    }

    [Fact]
    public void NextStepTimer_ReminderThenEscalationThenNothing()
    {
        var due = T0 + (7 * Day);

        Assert.Equal(new StepTimer(T0 + (5 * Day), StepTimerKind.Reminder), schedule.NextStepTimer(due, T0, reminderSent: false, escalated: false));
        Assert.Equal(new StepTimer(due, StepTimerKind.Escalation), schedule.NextStepTimer(due, T0 + (5 * Day), reminderSent: true, escalated: false));
        Assert.Equal(new StepTimer(due + Day, StepTimerKind.Escalation), schedule.NextStepTimer(due, due + Day, reminderSent: true, escalated: false));
        Assert.Null(schedule.NextStepTimer(due, due, reminderSent: true, escalated: true));
    }

    [Fact]
    public void EscalationAt_HonoursConfiguredDelay()
    {
        var delayed = new EngagementSchedule(new EngagementPolicy { SupervisorEscalationDelay = TimeSpan.FromHours(4) });

        Assert.Equal(T0 + TimeSpan.FromHours(4), delayed.EscalationAt(T0));
        Assert.Equal(T0, schedule.EscalationAt(T0));
    }

    [Fact]
    public void IsOverdue_FromTheDueMomentOn()
    {
        Assert.False(EngagementSchedule.IsOverdue(T0, T0 - TimeSpan.FromTicks(1)));
        Assert.True(EngagementSchedule.IsOverdue(T0, T0));
    }

    [Fact]
    public void ProviderOutreachPlan_DefaultsDays3_6_9_Escalate12_GiveUp26()
    {
        var plan = schedule.ProviderOutreachPlan(T0);

        Assert.Equal(
            [
                new OutreachStep(T0 + (3 * Day), OutreachStepKind.Reminder, 1),
                new OutreachStep(T0 + (6 * Day), OutreachStepKind.Reminder, 2),
                new OutreachStep(T0 + (9 * Day), OutreachStepKind.Reminder, 3),
                new OutreachStep(T0 + (12 * Day), OutreachStepKind.PeerToPeerEscalation, 0),
                new OutreachStep(T0 + (26 * Day), OutreachStepKind.NoResponse, 0),
            ],
            plan.Steps);
        Assert.Equal(T0 + (12 * Day), plan.EscalationAt);
        Assert.Equal(T0 + (26 * Day), plan.GiveUpAt);
        Assert.Equal(OutreachStepKind.PeerToPeerEscalation, plan.StepAfter(3)!.Kind);
        Assert.Null(plan.StepAfter(5));
    }

    [Theory]
    [InlineData(RiskTier.High, 14)]
    [InlineData(RiskTier.Moderate, 30)]
    [InlineData(RiskTier.Low, 60)]
    public void NextReviewDueAt_CadenceByTier(RiskTier tier, int days)
    {
        Assert.Equal(T0 + (days * Day), schedule.NextReviewDueAt(T0, tier));
    }

    [Fact]
    public void ReviewDueAfterDischarge_RecentDischarge_DischargePlusSeven()
    {
        var current = T0 + (30 * Day);
        var discharged = T0 - Day;

        Assert.Equal(discharged + (7 * Day), schedule.ReviewDueAfterDischarge(current, discharged, T0));
    }

    [Fact]
    public void ReviewDueAfterDischarge_LateClaim_NowPlusOneDay()
    {
        var current = T0 + (30 * Day);

        Assert.Equal(T0 + Day, schedule.ReviewDueAfterDischarge(current, T0 - (20 * Day), T0));
    }

    [Fact]
    public void ReviewDueAfterDischarge_Boundary_DischargeSixDaysAgo_BothCandidatesEqual()
    {
        Assert.Equal(T0 + Day, schedule.ReviewDueAfterDischarge(T0 + (30 * Day), T0 - (6 * Day), T0));
    }

    [Fact]
    public void ReviewDueAfterDischarge_CurrentSooner_KeepsCurrent()
    {
        var current = T0 + TimeSpan.FromHours(12);

        Assert.Equal(current, schedule.ReviewDueAfterDischarge(current, T0, T0));
    }

    [Fact]
    public void MaximumDuration_AndClosureDecisionDue()
    {
        Assert.Equal(T0 + (180 * Day), schedule.MaximumDurationEndsAt(T0));
        Assert.Equal(T0 + (7 * Day), schedule.ClosureDecisionDueAt(T0));
    }

    [Fact]
    public void DecideClosureReview_ExtendRunsNinetyDaysFromDecision()
    {
        var now = T0 + (3 * Day);

        Assert.Equal(new ClosureReviewResult(ClosureReviewResultKind.Extend, null, now + (90 * Day)),
            schedule.DecideClosureReview(ClosureReviewDecision.Extend, null, T0 + (7 * Day), now));
    }

    [Fact]
    public void DecideClosureReview_CloseKeepsReasonOrDefaultsToMaximumDuration()
    {
        var due = T0 + (7 * Day);

        Assert.Equal(ClosureReason.GoalsMet, schedule.DecideClosureReview(ClosureReviewDecision.Close, ClosureReason.GoalsMet, due, T0).Reason);
        Assert.Equal(ClosureReason.MaximumDurationReached, schedule.DecideClosureReview(ClosureReviewDecision.Close, null, due, T0).Reason);
    }

    [Fact]
    public void DecideClosureReview_NoDecision_WaitsUntilDueThenAutoCloses()
    {
        var due = T0 + (7 * Day);

        Assert.Equal(ClosureReviewResultKind.Waiting, schedule.DecideClosureReview(null, null, due, due - TimeSpan.FromTicks(1)).Kind);
        var closed = schedule.DecideClosureReview(null, null, due, due);
        Assert.Equal(new ClosureReviewResult(ClosureReviewResultKind.Close, ClosureReason.MaximumDurationReached, null), closed);
    }

    [Fact]
    public void MemberContact_ThreeConsecutiveFailures_UnableToReach()
    {
        var streak = MemberContactStreak.None.After(MemberContactOutcome.NoAnswer).After(MemberContactOutcome.MessageLeft);
        Assert.False(schedule.IsUnableToReach(streak));

        Assert.True(schedule.IsUnableToReach(streak.After(MemberContactOutcome.WrongOrDisconnectedNumber)));
    }

    [Fact]
    public void MemberContact_SuccessResetsCount()
    {
        var streak = MemberContactStreak.None.After(MemberContactOutcome.NoAnswer).After(MemberContactOutcome.NoAnswer)
            .After(MemberContactOutcome.Reached).After(MemberContactOutcome.NoAnswer).After(MemberContactOutcome.NoAnswer);

        Assert.Equal(2, streak.ConsecutiveUnsuccessful);
        Assert.False(schedule.IsUnableToReach(streak));
    }
}

public class EngagementScheduleConfigurationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void ProviderOutreachPlan_FollowsConfiguredPolicy()
    {
        var schedule = new EngagementSchedule(new EngagementPolicy
        {
            ProviderReminderInterval = 2 * Day,
            ProviderReminderCount = 2,
            ProviderEscalationAfter = 5 * Day,
            PeerReviewWindow = 10 * Day,
        });

        var plan = schedule.ProviderOutreachPlan(T0);

        Assert.Equal([T0 + (2 * Day), T0 + (4 * Day), T0 + (5 * Day), T0 + (15 * Day)], plan.Steps.Select(s => s.At));
    }

    [Fact]
    public void ProviderOutreachPlan_NoReminders_EscalationThenGiveUp()
    {
        var schedule = new EngagementSchedule(new EngagementPolicy { ProviderReminderCount = 0 });

        var plan = schedule.ProviderOutreachPlan(T0);

        Assert.Equal([OutreachStepKind.PeerToPeerEscalation, OutreachStepKind.NoResponse], plan.Steps.Select(s => s.Kind));
    }

    [Fact]
    public void Durations_AllComeFromPolicy()
    {
        var schedule = new EngagementSchedule(new EngagementPolicy
        {
            AssessmentDue = 10 * Day,
            UrgentAssessmentDue = 2 * Day,
            ReminderLead = 3 * Day,
            HighRiskReviewInterval = 7 * Day,
            MaximumDuration = 100 * Day,
            ClosureExtension = 30 * Day,
            ClosureDecisionWindow = 4 * Day,
            DischargeFollowUp = 3 * Day,
            MinimumReviewNotice = TimeSpan.FromHours(6),
            UnsuccessfulContactsBeforeClosure = 5,
        });

        Assert.Equal(T0 + (10 * Day), schedule.AssessmentDueAt(T0, false));
        Assert.Equal(T0 + (2 * Day), schedule.AssessmentDueAt(T0, true));
        Assert.Equal(T0 + (7 * Day), schedule.ReminderAt(T0 + (10 * Day), T0));
        Assert.Equal(T0 + (7 * Day), schedule.NextReviewDueAt(T0, Mets.Domain.Risk.RiskTier.High));
        Assert.Equal(T0 + (100 * Day), schedule.MaximumDurationEndsAt(T0));
        Assert.Equal(T0 + (4 * Day), schedule.ClosureDecisionDueAt(T0));
        Assert.Equal(T0 + (30 * Day), schedule.DecideClosureReview(Mets.Domain.Closure.ClosureReviewDecision.Extend, null, T0, T0).ExtendedUntil);
        Assert.Equal(T0 + TimeSpan.FromHours(6), schedule.ReviewDueAfterDischarge(T0 + (30 * Day), T0 - (10 * Day), T0));
        Assert.False(schedule.IsUnableToReach(new Mets.Domain.Engagements.MemberContactStreak(4)));
        Assert.True(schedule.IsUnableToReach(new Mets.Domain.Engagements.MemberContactStreak(5)));
    }
}
