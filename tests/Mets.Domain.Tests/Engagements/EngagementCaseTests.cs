using System.Text.Json;
using Mets.Domain.CareGaps;
using Mets.Domain.CarePlans;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Domain.Tests.Engagements;

public class EngagementCaseTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly EngagementSchedule schedule = new(new EngagementPolicy());

    [Fact]
    public void Receive_WritesReceivedCaseWithAuditEntry()
    {
        var received = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0);

        Assert.Equal(EngagementStatus.Received, received.Status);
        Assert.Equal(StepReference.Received, received.CurrentStep.Step);
        Assert.Equal([ReferralId.Parse("REF-1")], received.ReferralIds);
        var entry = Assert.Single(received.Timeline);
        Assert.Equal(TimelineEntryKind.ReferralReceived, entry.Kind);
        Assert.Equal(ActorKind.Referrer, entry.Actor.Kind);
        Assert.Contains("urgency=Routine", entry.Details);
    }

    [Fact]
    public void Lifecycle_AssessmentReviewsOutreachClosure_TracksStateAndOutcome()
    {
        var referral = Sample.Referral();
        var c = EngagementCase.Receive(Sample.Engagement, referral, Sample.T0)
            .Start(Sample.Clinician, schedule.AssessmentDueAt(referral), schedule.MaximumDurationEndsAt(Sample.T0), Sample.T0);

        Assert.Equal(EngagementStatus.Open, c.Status);
        Assert.Equal(new StepState(StepReference.Assessment, Sample.T0 + (7 * Day), Sample.Clinician, null, null), c.CurrentStep);
        Assert.Equal(Sample.T0 + (180 * Day), c.DueDates.MaximumDurationEndsAt);

        c = c.RecordContactAttempt(MemberContactOutcome.NoAnswer, Sample.Clinician, Sample.T0 + Day)
            .RecordContactAttempt(MemberContactOutcome.Reached, Sample.Clinician, Sample.T0 + (2 * Day));
        Assert.Equal(2, c.ContactAttemptsRecorded);
        Assert.Equal(0, c.ContactStreak.ConsecutiveUnsuccessful);

        var assessedAt = Sample.T0 + (3 * Day);
        var assessment = Sample.Assessment(assessedAt);
        var risk = RiskTierRule.Evaluate(new RiskFactors(assessment.Scores, false, 0, 0, 0, false));
        c = c.CompleteAssessment(assessment, risk, CarePlan.FromAssessment(assessment, []))
            .StartNextReview(schedule.NextReviewDueAt(assessedAt, risk.Tier), assessedAt);

        Assert.Equal(RiskTier.Moderate, c.RiskTier);
        Assert.Equal(StepReference.Review(1), c.CurrentStep.Step);
        Assert.Equal(assessedAt + (30 * Day), c.CurrentStep.DueAt);

        var outreachA = ProviderOutreach.Start(OutreachId.For(c.Id, Sample.ProviderA), ProviderRole.BehavioralHealth, assessedAt).Emailed(assessedAt);
        var outreachB = ProviderOutreach.Start(OutreachId.For(c.Id, Sample.ProviderB), ProviderRole.Pharmacy, assessedAt).Emailed(assessedAt);
        c = c.RecordOutreach(outreachA, TimelineEntryKind.OutreachStarted, Actor.System, assessedAt)
            .RecordOutreach(outreachB, TimelineEntryKind.OutreachStarted, Actor.System, assessedAt)
            .RecordOutreach(outreachA.Answered(ProviderResponse.WillCollaborate, assessedAt + Day), TimelineEntryKind.ProviderResponded, Actor.Provider(Sample.ProviderA), assessedAt + Day);
        Assert.Equal(2, c.Outreach.Count);

        var discharge = assessedAt + (5 * Day);
        c = c.RecordClaimsActivity(ClaimsActivityKind.BehavioralHealthInpatientDischarge, discharge + Day)
            .ChangeReviewDue(schedule.ReviewDueAfterDischarge(c.CurrentStep.DueAt!.Value, discharge, discharge + Day), "discharge", discharge + Day);
        Assert.Equal(discharge + (7 * Day), c.CurrentStep.DueAt);

        c = c.CompleteReview(risk, 4, 3, Sample.Clinician, discharge + (6 * Day))
            .UpdateCarePlan(c.CarePlan.WithGoalStatus("G1", GoalStatus.Achieved), Sample.Clinician, discharge + (6 * Day))
            .UpdateCareGaps(CareGapSummary.None.With(new CareGap("FUH-7", CareGapStatus.Closed, new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 12))), discharge + (6 * Day))
            .Close(ClosureReason.GoalsMet, Actor.Staff(ActorKind.Clinician, Sample.Clinician), discharge + (6 * Day));

        Assert.Equal(EngagementStatus.Closed, c.Status);
        Assert.Equal(StepReference.Closed, c.CurrentStep.Step);
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, c.Outreach.Single(o => o.Npi == Sample.ProviderB).Status);
        Assert.Equal(ProviderOutreachStatus.Responded, c.Outreach.Single(o => o.Npi == Sample.ProviderA).Status);
        var outcome = c.Outcome!;
        Assert.Equal(ClosureReason.GoalsMet, outcome.Reason);
        Assert.Equal(14, outcome.DaysEngaged);
        Assert.Equal((12, 4), (outcome.BaselinePhq9, outcome.FinalPhq9));
        Assert.True(outcome.DepressionResponse);
        Assert.True(outcome.DepressionRemission);
        Assert.Equal((1, 1), (outcome.GoalsTotal, outcome.GoalsAchieved));
        Assert.Equal((1, 1), (outcome.CareGapsIdentified, outcome.CareGapsClosed));
        Assert.Equal((2, 1), (outcome.ProvidersContacted, outcome.ProvidersResponded));
        Assert.Equal(1, outcome.ReviewsCompleted);
        Assert.Equal(TimelineEntryKind.EngagementClosed, c.Timeline[^1].Kind);
        Assert.Throws<InvalidOperationException>(() => c.RecordReminder(Sample.T0));
    }

    [Fact]
    public void Helpers_ReturnCopies_TimelineOnlyGrows()
    {
        var received = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0) with { ETag = "\"v1\"" };

        var started = received.Start(Sample.Clinician, Sample.T0 + (7 * Day), Sample.T0 + (180 * Day), Sample.T0);

        Assert.Equal(EngagementStatus.Received, received.Status);
        Assert.Single(received.Timeline);
        Assert.Equal(3, started.Timeline.Count);
        Assert.Equal(received.Timeline[0], started.Timeline[0]);
        Assert.Equal("\"v1\"", started.ETag);
    }

    [Fact]
    public void RecordClaimsActivity_SameEventIdAgain_IsNotNotedTwice()
    {
        var started = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0).Start(Sample.Clinician, Sample.T0 + (7 * Day), Sample.T0 + (180 * Day), Sample.T0);

        var once = started.RecordClaimsActivity(ClaimsActivityKind.BehavioralHealthEdVisit, Sample.T0 + Day, "0123456789abcdef0123456789abcdef");
        var again = once.RecordClaimsActivity(ClaimsActivityKind.BehavioralHealthEdVisit, Sample.T0 + (2 * Day), "0123456789abcdef0123456789abcdef");
        var other = again.RecordClaimsActivity(ClaimsActivityKind.BehavioralHealthEdVisit, Sample.T0 + (2 * Day), "fedcba9876543210fedcba9876543210");
        var legacy = other.RecordClaimsActivity(ClaimsActivityKind.BehavioralHealthEdVisit, Sample.T0 + (3 * Day)).RecordClaimsActivity(ClaimsActivityKind.BehavioralHealthEdVisit, Sample.T0 + (3 * Day));

        Assert.Same(once, again);
        Assert.Contains("event=0123456789abcdef0123456789abcdef", once.Timeline[^1].Details);
        Assert.True(once.HasClaimsEvent("0123456789abcdef0123456789abcdef"));
        Assert.False(once.HasClaimsEvent("fedcba9876543210fedcba9876543210"));
        Assert.Equal(2, other.Timeline.Count(t => t.Kind == TimelineEntryKind.ClaimsActivityObserved));
        Assert.Equal(4, legacy.Timeline.Count(t => t.Kind == TimelineEntryKind.ClaimsActivityObserved)); // without ids, as before
    }

    [Fact]
    public void AttachReferral_UrgentPullsAssessmentInAndClearsReminder_DuplicateIsNoOp()
    {
        var c = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0)
            .Start(Sample.Clinician, Sample.T0 + (7 * Day), Sample.T0 + (180 * Day), Sample.T0)
            .RecordReminder(Sample.T0 + (5 * Day));
        var urgent = Sample.Referral("REF-2", ReferralUrgency.Urgent) with { ReceivedAt = Sample.T0 + (2 * Day) };
        var due = schedule.AssessmentDueAfterReferralAttached(c.CurrentStep.DueAt!.Value, urgent.ReceivedAt, urgent.IsUrgentOrSafetyConcern);

        var attached = c.AttachReferral(urgent, due, urgent.ReceivedAt);

        Assert.Equal(Sample.T0 + (3 * Day), attached.CurrentStep.DueAt);
        Assert.Equal(Sample.T0 + (3 * Day), attached.DueDates.AssessmentDueAt);
        Assert.Null(attached.CurrentStep.RemindedAt);
        Assert.Equal(2, attached.ReferralIds.Count);
        Assert.Same(attached, attached.AttachReferral(urgent, due, urgent.ReceivedAt));
    }

    [Fact]
    public void ClosureReview_ExtendThenNextReviewContinuesNumbering()
    {
        var c = Reviewing(out _)
            .OpenClosureReview(Sample.T0 + (187 * Day), Sample.Supervisor, Sample.T0 + (180 * Day));
        Assert.Equal(StepReference.ClosureReview(1), c.CurrentStep.Step);
        Assert.Equal(Sample.Supervisor, c.CurrentStep.Owner);

        var extended = c.Extend(Sample.T0 + (272 * Day), Sample.Supervisor, Sample.T0 + (182 * Day))
            .StartNextReview(Sample.T0 + (196 * Day), Sample.T0 + (182 * Day));

        Assert.Equal(StepReference.Review(2), extended.CurrentStep.Step);
        Assert.Equal(Sample.T0 + (272 * Day), extended.DueDates.MaximumDurationEndsAt);
        Assert.Null(extended.DueDates.ClosureDecisionDueAt);
    }

    [Fact]
    public void WrongStep_Throws_WithoutPhi()
    {
        var received = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0);

        var ex = Assert.Throws<InvalidOperationException>(() => received.CompleteReview(new RiskTierDecision(RiskTier.Low, []), null, null, Sample.Clinician, Sample.T0));

        Assert.Equal("The engagement is in step Received, not Review.", ex.Message);
    }

    [Fact]
    public void StepState_OverdueAndDueSoon()
    {
        var step = new StepState(StepReference.Review(1), Sample.T0, null, null, null);

        Assert.True(step.IsDueSoon(Sample.T0 - Day, 2 * Day));
        Assert.False(step.IsDueSoon(Sample.T0 - (3 * Day), 2 * Day));
        Assert.False(step.IsOverdue(Sample.T0 - TimeSpan.FromTicks(1)));
        Assert.True(step.IsOverdue(Sample.T0));
        Assert.False(step.IsDueSoon(Sample.T0, 2 * Day));
    }

    [Fact]
    public void Json_RoundTrip_CaseDocument()
    {
        var c = Reviewing(out _)
            .RecordOutreach(ProviderOutreach.Start(OutreachId.For(Sample.Engagement, Sample.ProviderA), ProviderRole.BehavioralHealth, Sample.T0).Emailed(Sample.T0),
                TimelineEntryKind.OutreachStarted, Actor.System, Sample.T0) with { ETag = "\"etag-7\"" };

        var json = JsonSerializer.Serialize(c);
        var back = JsonSerializer.Deserialize<EngagementCase>(json)!;

        Assert.Equal(JsonSerializer.Serialize(back), json);
        Assert.Equal(c.Position.Outreach, back.Position.Outreach);
        Assert.Equal(c.CurrentStep, back.CurrentStep);
        Assert.Equal("\"etag-7\"", back.ETag);
        Assert.Equal(c.Timeline.Count, back.Timeline.Count);
        Assert.DoesNotContain("Position", json, StringComparison.Ordinal);
        Assert.Contains("\"Status\":\"Open\"", json, StringComparison.Ordinal);           // enums as names, stable if members are added
        Assert.Contains("\"Tier\":\"Moderate\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Kind\":\"OutreachStarted\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_RoundTrip_Position_ForOrchestrationState()
    {
        var c = Reviewing(out _)
            .RecordOutreach(ProviderOutreach.Start(OutreachId.For(Sample.Engagement, Sample.ProviderA), ProviderRole.BehavioralHealth, Sample.T0),
                TimelineEntryKind.OutreachStarted, Actor.System, Sample.T0);

        var back = JsonSerializer.Deserialize<EngagementPosition>(JsonSerializer.Serialize(c.Position))!;

        Assert.Equal(c.Position.Step, back.Step);
        Assert.Equal(c.Position.ReferralIds, back.ReferralIds);
        Assert.Equal(ProviderOutreachStatus.Pending, back.Outreach[OutreachId.For(Sample.Engagement, Sample.ProviderA)]);
        Assert.Equal((1, 0, 0), (back.ReviewsStarted, back.ClosureReviewsStarted, back.ContactAttemptsRecorded));
    }

    [Fact]
    public void TimelineEntry_FreeTextDetail_Rejected()
    {
        Assert.Throws<ArgumentException>(() => TimelineEntry.Create(Sample.T0, Actor.System, TimelineEntryKind.ReminderSent, "member name here"));
        Assert.Equal("due=2026-03-02T14:30:00Z", EngagementCase.Code("due", Sample.T0));
    }

    [Fact]
    public void TreatingProviders_FromReferrals_MergedByNpi_ReplacedWhenConfirmedAtAssessment()
    {
        var c = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0)
            .Start(Sample.Clinician, Sample.T0 + (7 * Day), Sample.T0 + (180 * Day), Sample.T0);
        var psychiatrist = new TreatingProvider("Psychiatry Group", Npi.Parse("2000000002"), Email.Parse("psy@group.example"), ProviderRole.Psychiatry);
        var second = Sample.Referral("REF-2") with { TreatingProviders = [Sample.Referral().TreatingProviders[0], psychiatrist] };

        c = c.AttachReferral(second, null, Sample.T0 + Day);

        Assert.Equal([Sample.ProviderA, Sample.ProviderB, psychiatrist.Npi], c.TreatingProviders.Select(p => p.Npi));
        Assert.Equal("psy@group.example", c.FindTreatingProvider(psychiatrist.Npi)!.Email.Value);

        var assessment = Sample.Assessment(Sample.T0 + (2 * Day));
        c = c.CompleteAssessment(assessment, new RiskTierDecision(RiskTier.Low, []), CarePlan.Empty, [psychiatrist]);

        Assert.Equal([psychiatrist], c.TreatingProviders);
        Assert.Null(c.FindTreatingProvider(Sample.ProviderA));
    }

    [Fact]
    public void ProvidersContacted_OnlyThoseEmailed()
    {
        var c = Reviewing(out _)
            .RecordOutreach(ProviderOutreach.Start(OutreachId.For(Sample.Engagement, Sample.ProviderA), ProviderRole.BehavioralHealth, Sample.T0).Emailed(Sample.T0),
                TimelineEntryKind.OutreachStarted, Actor.System, Sample.T0)
            .RecordOutreach(ProviderOutreach.Start(OutreachId.For(Sample.Engagement, Sample.ProviderB), ProviderRole.Pharmacy, Sample.T0),
                TimelineEntryKind.OutreachStarted, Actor.System, Sample.T0);

        Assert.Equal([Sample.ProviderA], c.ProvidersContacted);
    }

    [Theory]
    [InlineData(-3, false, WorkQueueBucket.None)]
    [InlineData(-2, false, WorkQueueBucket.DueSoon)]
    [InlineData(0, false, WorkQueueBucket.Overdue)]
    [InlineData(0, true, WorkQueueBucket.Escalated)]
    [InlineData(-5, true, WorkQueueBucket.Escalated)]
    public void WorkQueueRule_Buckets(int daysFromDue, bool escalated, WorkQueueBucket expected)
    {
        var step = new StepState(StepReference.Review(1), Sample.T0, Sample.Clinician, null, escalated ? Sample.T0 : null);

        Assert.Equal(expected, WorkQueueRule.Classify(step, Sample.T0 + (daysFromDue * Day), 2 * Day));
    }

    [Fact]
    public void Start_StaffIdWithAtSign_IsAValidDetailCode()
    {
        var started = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0)
            .Start(StaffId.Parse("j.doe@plan.example"), Sample.T0 + (7 * Day), Sample.T0 + (180 * Day), Sample.T0);

        Assert.Contains("clinician=j.doe@plan.example", started.Timeline[^1].Details);
    }

    internal static EngagementCase Reviewing(out RiskTierDecision risk)
    {
        var assessment = Sample.Assessment(Sample.T0 + Day);
        risk = RiskTierRule.Evaluate(new RiskFactors(assessment.Scores, false, 0, 0, 0, false));
        return EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0)
            .Start(Sample.Clinician, Sample.T0 + (7 * Day), Sample.T0 + (180 * Day), Sample.T0)
            .CompleteAssessment(assessment, risk, CarePlan.FromAssessment(assessment, []))
            .StartNextReview(Sample.T0 + (31 * Day), Sample.T0 + Day);
    }
}
