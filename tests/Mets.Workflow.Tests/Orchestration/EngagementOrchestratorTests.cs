using Mets.Domain.Assessments;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;
using Mets.Workflow.Activities;
using Mets.Workflow.Emails;
using Mets.Workflow.Orchestration;
using Moq;

namespace Mets.Workflow.Tests.Orchestration;

/// <summary>Branch tests of <see cref="EngagementOrchestrator"/> against a mocked context (no engine).</summary>
public class EngagementOrchestratorTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
    private static readonly EngagementId Id = EngagementId.New(Guid.Parse("0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21"));
    private static readonly EngagementSchedule Schedule = new(new EngagementPolicy());

    [Fact]
    public async Task Received_StartsThenAssessmentCompleted_StartsOutreachInstancesAndContinuesAsNewIntoReview1()
    {
        var context = Context();
        context.Mock.Setup(c => c.CallActivityAsync<EngagementStarted>(nameof(StartEngagementActivity), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ReturnsAsync(new EngagementStarted(Sample.Clinician, Sample.Supervisor, new DateTimeOffset(T0.AddDays(7)), new DateTimeOffset(T0.AddDays(180)), [ReferralId.Parse("REF-1")]));
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, EngagementState.Received(Id));

        Assert.Equal(T0.AddDays(5), context.Timers.Single().At); // reminder 2 days before the 7-day due date
        var status = Assert.IsType<EngagementStatusView>(context.Status);
        Assert.Equal("Assessment#1", status.Step);
        Assert.Equal("clin.alvarez", status.Owner);

        context.Raise(nameof(AssessmentCompleted), Assessment(Scores(12), [new ProviderToContact(Sample.ProviderA, ProviderRole.BehavioralHealth), new ProviderToContact(Sample.ProviderB, ProviderRole.Pharmacy)]));
        Assert.Null(await run);

        Assert.Equal(
            [OutreachId.For(Id, Sample.ProviderA), OutreachId.For(Id, Sample.ProviderB)],
            context.Activities.Where(a => a.Name == nameof(StartProviderOutreachActivity)).Select(a => ((OutreachInput)a.Input!).OutreachId));
        Assert.Empty(context.Children); // outreach runs as instances of their own: a child would hold this generation's ContinueAsNew
        Assert.Collection(context.Updates,
            u => Assert.False(Assert.IsType<AssessmentApplied>(u).EscalateForSafety),
            u => Assert.Equal(new DateTimeOffset(T0.AddDays(30)), Assert.IsType<NextReviewStarted>(u).DueAt));
        var next = Assert.IsType<EngagementState>(context.ContinuedWith);
        Assert.Equal(StepReference.Review(1), next.Step);
        Assert.Equal(RiskTier.Moderate, next.Tier);
        Assert.Equal(1, next.Generation);
        Assert.Equal(2, next.Outreach.Count);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task Assessment_TimersRemindThenEscalateThenClosureRequestCloses()
    {
        var context = Context();
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, AssessmentState());

        context.FireTimer();
        Assert.IsType<ReminderRecorded>(context.Updates.Last());
        Assert.Equal(EmailKind.StepReminder, LastEmail(context).Kind);
        Assert.Equal(T0.AddDays(7), context.Timers[^1].At);

        context.FireTimer();
        Assert.Equal(Sample.Supervisor, Assert.IsType<EscalationRecorded>(context.Updates.Last()).Supervisor);
        Assert.Equal(EmailKind.StepEscalation, LastEmail(context).Kind);
        Assert.Equal(T0.AddDays(180), context.Timers[^1].At); // after the escalation only the maximum-duration end is left
        var status = Assert.IsType<EngagementStatusView>(context.Status);
        Assert.True(status.Overdue);
        Assert.True(status.Escalated);

        context.Raise(nameof(ClosureRequested), new ClosureRequested(Id, ClosureReason.MemberDeclined, Actor.System, new DateTimeOffset(T0)));
        var result = await run;
        Assert.Equal(ClosureReason.MemberDeclined, result!.Reason);
        Assert.IsType<ClosureRequestRecorded>(context.Updates.SkipLast(1).Last());
        Assert.Equal(ClosureReason.MemberDeclined, Assert.IsType<EngagementClosure>(context.Updates.Last()).Reason);
        Assert.Equal(nameof(SendClosureSummariesActivity), context.Activities[^1].Name);
        Assert.Null(context.ContinuedWith);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task StaleEvent_IsNotedAndIgnored_TheStepGoesOn()
    {
        var context = Context();
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, AssessmentState() with { Step = StepReference.Review(2), ReviewsStarted = 2 });

        context.Raise(nameof(ReviewCompleted), new ReviewCompleted(Id, StepReference.Review(1), Risk(RiskTier.Low), null, null, null, Sample.Clinician, new DateTimeOffset(T0)));
        var ignored = Assert.IsType<EventIgnored>(context.Updates.Single());
        Assert.Equal(EventFit.Stale, ignored.Fit);
        Assert.False(run.IsCompleted);

        context.Raise(nameof(ReviewCompleted), new ReviewCompleted(Id, StepReference.Review(2), Risk(RiskTier.High), null, null, null, Sample.Clinician, new DateTimeOffset(T0)));
        await run;
        var next = Assert.IsType<EngagementState>(context.ContinuedWith);
        Assert.Equal(StepReference.Review(3), next.Step);
        Assert.Equal(new DateTimeOffset(T0.AddDays(14)), next.DueAt);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task ThirdUnsuccessfulContactInARow_ClosesUnableToReach_AfterAResetItDoesNot()
    {
        var context = Context();
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, AssessmentState() with { ContactAttemptsRecorded = 3, ContactStreak = new MemberContactStreak(2) });
        context.Raise(nameof(MemberContactAttempted), new MemberContactAttempted(Id, StepReference.Assessment, 4, MemberContactOutcome.Reached, Sample.Clinician, new DateTimeOffset(T0)));
        context.Raise(nameof(MemberContactAttempted), new MemberContactAttempted(Id, StepReference.Assessment, 5, MemberContactOutcome.NoAnswer, Sample.Clinician, new DateTimeOffset(T0)));
        context.Raise(nameof(MemberContactAttempted), new MemberContactAttempted(Id, StepReference.Assessment, 6, MemberContactOutcome.NoAnswer, Sample.Clinician, new DateTimeOffset(T0)));
        Assert.False(run.IsCompleted);
        context.Raise(nameof(MemberContactAttempted), new MemberContactAttempted(Id, StepReference.Assessment, 7, MemberContactOutcome.NoAnswer, Sample.Clinician, new DateTimeOffset(T0)));
        Assert.Equal(ClosureReason.UnableToReach, (await run)!.Reason);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task ClosureReviewWithoutDecision_ClosesAsMaximumDurationReached()
    {
        var context = Context();
        var state = AssessmentState().EnterStep(StepReference.ClosureReview(1), new DateTimeOffset(T0.AddDays(7)), Sample.Supervisor) with { ClosureReviewsStarted = 1 };
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);
        context.FireTimer(); // reminder
        Assert.Equal(T0.AddDays(7), context.Timers[^1].At);
        context.FireTimer(); // deadline
        Assert.Equal(ClosureReason.MaximumDurationReached, (await run)!.Reason);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task DischargeInClaims_PullsTheReviewForwardAndRetimes()
    {
        var context = Context();
        var state = AssessmentState().EnterStep(StepReference.Review(1), new DateTimeOffset(T0.AddDays(30)), Sample.Clinician) with { ReviewsStarted = 1, Tier = RiskTier.Moderate };
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);
        Assert.Equal(T0.AddDays(28), context.Timers[^1].At);

        context.Raise(nameof(ClaimsActivityObserved), new ClaimsActivityObserved(Id, ClaimsActivityKind.BehavioralHealthInpatientDischarge, new DateTimeOffset(T0.AddDays(-2)), null, new DateTimeOffset(T0)));
        Assert.Equal(new DateTimeOffset(T0.AddDays(5)), Assert.IsType<ReviewDueMoved>(context.Updates.Last()).DueAt);
        Assert.True(context.Timers[^2].Token.IsCancellationRequested);
        Assert.Equal(T0.AddDays(3), context.Timers[^1].At);
        Assert.False(run.IsCompleted);
        context.Raise(nameof(ClosureRequested), new ClosureRequested(Id, ClosureReason.LostEligibility, Actor.ClaimsAnalytics, new DateTimeOffset(T0)));
        await run;
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task Closure_StopsRunningOutreachOnly()
    {
        var context = Context();
        var a = OutreachId.For(Id, Sample.ProviderA);
        var b = OutreachId.For(Id, Sample.ProviderB);
        var state = AssessmentState().EnterStep(StepReference.Review(1), new DateTimeOffset(T0.AddDays(30)), Sample.Clinician) with
        {
            ReviewsStarted = 1,
            Outreach = new Dictionary<OutreachId, ProviderOutreachStatus> { [a] = ProviderOutreachStatus.Emailed, [b] = ProviderOutreachStatus.Emailed },
        };
        context.RunningOnTheCase = [a];
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);
        context.Raise(OutreachReported.EventName, new OutreachReported(b, ProviderOutreachStatus.Responded));
        context.Raise(nameof(ClosureRequested), new ClosureRequested(Id, ClosureReason.GoalsMet, Actor.System, new DateTimeOffset(T0)));
        var stop = Assert.Single(context.Sent);
        Assert.Equal((a.Value, OutreachStopRequested.EventName), (stop.InstanceId, stop.Name));

        // The case closes only once the stopped outreach has reported how it ended.
        Assert.False(run.IsCompleted);
        context.Raise(OutreachReported.EventName, new OutreachReported(a, ProviderOutreachStatus.StoppedAtClosure));
        Assert.Equal(ClosureReason.GoalsMet, (await run)!.Reason);
        context.AssertNoLiveTimerOrWaiter();
    }

    /// <summary>
    /// Found by the chaos run: a Responded report carried over to the next generation was handled before an earlier
    /// Reminded report, so the engagement believed the ended outreach still running and its closure waited for a stop
    /// report that could never come. A stale report no longer brings an ended outreach back.
    /// </summary>
    [Fact]
    public async Task Closure_AfterOutOfOrderReports_DoesNotWaitForAnEndedOutreach()
    {
        var context = Context();
        var a = OutreachId.For(Id, Sample.ProviderA);
        var state = AssessmentState().EnterStep(StepReference.Review(1), new DateTimeOffset(T0.AddDays(30)), Sample.Clinician) with
        {
            ReviewsStarted = 1,
            Outreach = new Dictionary<OutreachId, ProviderOutreachStatus> { [a] = ProviderOutreachStatus.Emailed },
        };
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);
        context.Raise(OutreachReported.EventName, new OutreachReported(a, ProviderOutreachStatus.Responded));
        context.Raise(OutreachReported.EventName, new OutreachReported(a, ProviderOutreachStatus.Reminded));
        context.Raise(nameof(ClosureRequested), new ClosureRequested(Id, ClosureReason.GoalsMet, Actor.System, new DateTimeOffset(T0)));

        Assert.Empty(context.Sent);
        Assert.Equal(ClosureReason.GoalsMet, (await run)!.Reason);
        context.AssertNoLiveTimerOrWaiter();
    }

    /// <summary>
    /// Found by the chaos run: across a kill, an outreach's NoResponse report never reached the engagement's state, and
    /// its closure waited 15 minutes for a report that could not come. Which outreach to stop comes from the case.
    /// </summary>
    [Fact]
    public async Task Closure_OutreachTheCaseShowsEnded_IsNeitherStoppedNorAwaited()
    {
        var context = Context();
        var a = OutreachId.For(Id, Sample.ProviderA);
        var state = AssessmentState().EnterStep(StepReference.Review(1), new DateTimeOffset(T0.AddDays(30)), Sample.Clinician) with
        {
            ReviewsStarted = 1,
            Outreach = new Dictionary<OutreachId, ProviderOutreachStatus> { [a] = ProviderOutreachStatus.EscalatedToPeerReview },
        };
        context.RunningOnTheCase = [];
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);
        context.Raise(nameof(ClosureRequested), new ClosureRequested(Id, ClosureReason.GoalsMet, Actor.System, new DateTimeOffset(T0)));

        Assert.Empty(context.Sent);
        Assert.Equal(ClosureReason.GoalsMet, (await run)!.Reason);
        Assert.Contains(context.Activities, x => x.Name == nameof(Mets.Workflow.Activities.RunningOutreachActivity));
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task ManyEventsInOneStep_ContinueAsNewWithTheSameStepSoHistoryStaysBounded()
    {
        var context = Context();
        var state = AssessmentState().EnterStep(StepReference.Review(1), new DateTimeOffset(T0.AddDays(30)), Sample.Clinician) with { ReviewsStarted = 1, Reminded = true };
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);
        for (var i = 0; i < EngagementOrchestrator.MaxEventsPerGeneration; i++)
        {
            Assert.False(run.IsCompleted);
            context.Raise(nameof(ClaimsActivityObserved), new ClaimsActivityObserved(Id, ClaimsActivityKind.BehavioralHealthEdVisit, new DateTimeOffset(T0), null, new DateTimeOffset(T0)));
        }

        Assert.Null(await run);
        var next = Assert.IsType<EngagementState>(context.ContinuedWith);
        Assert.Equal(state with { Generation = 1 }, next with { Outreach = state.Outreach, ReferralIds = state.ReferralIds });
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task EventDeliveredWhileTheStepEnds_IsForwardedToTheNextGeneration()
    {
        var context = Context();
        var held = new TaskCompletionSource<bool>();
        context.HoldActivity = input => input is CaseUpdateRequest { Update: NextReviewStarted } ? held.Task : null;
        var state = AssessmentState().EnterStep(StepReference.Review(1), new DateTimeOffset(T0.AddDays(30)), Sample.Clinician) with { ReviewsStarted = 1, Tier = RiskTier.Moderate };
        var run = new EngagementOrchestrator(Schedule).RunAsync(context.Object, state);

        context.Raise(nameof(ReviewCompleted), new ReviewCompleted(Id, StepReference.Review(1), Risk(RiskTier.Moderate), null, null, null, Sample.Clinician, new DateTimeOffset(T0)));
        var discharge = new ClaimsActivityObserved(Id, ClaimsActivityKind.BehavioralHealthInpatientDischarge, new DateTimeOffset(T0), null, new DateTimeOffset(T0));
        context.Raise(nameof(ClaimsActivityObserved), discharge); // arrives while the review's last activity runs
        held.SetResult(true);
        await run;

        Assert.Equal(StepReference.Review(2), Assert.IsType<EngagementState>(context.ContinuedWith).Step);
        var forwarded = Assert.Single(context.Sent);
        Assert.Equal((Id.Value, nameof(ClaimsActivityObserved)), (forwarded.InstanceId, forwarded.Name));
        Assert.Same(discharge, forwarded.Payload);
        context.AssertNoLiveTimerOrWaiter();
    }

    private static MockContext Context()
    {
        var context = new MockContext(Id.Value, T0);
        context.EngagementEvents();
        return context;
    }

    private static EngagementState AssessmentState() =>
        EngagementState.Received(Id).EnterStep(StepReference.Assessment, new DateTimeOffset(T0.AddDays(7)), Sample.Clinician) with
        {
            Status = EngagementStatus.Open,
            Clinician = Sample.Clinician,
            Supervisor = Sample.Supervisor,
            MaximumDurationEndsAt = new DateTimeOffset(T0.AddDays(180)),
            ReferralIds = [ReferralId.Parse("REF-1")],
        };

    private static EmailRequest LastEmail(MockContext context) =>
        (EmailRequest)context.Activities.Last(a => a.Name == nameof(SendEmailActivity)).Input!;

    private static AssessmentScores Scores(int phq9) => Sample.Scores(phq9Total: phq9);

    private static RiskTierDecision Risk(RiskTier tier) => new(tier, []);

    private static AssessmentCompleted Assessment(AssessmentScores scores, IReadOnlyList<ProviderToContact> providers) =>
        new(Id, StepReference.Assessment, scores, RiskTierRule.Evaluate(new RiskFactors(scores, false, 0, 0, 0, false)), providers, Sample.Clinician, new DateTimeOffset(T0));
}
