using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Domain.Referrals;
using Mets.Workflow.Activities;
using Mets.Workflow.Emails;
using Mets.Workflow.Orchestration;

namespace Mets.Workflow.Tests.Orchestration;

/// <summary>Branch tests of <see cref="ProviderOutreachOrchestrator"/> against a mocked context.</summary>
public class ProviderOutreachOrchestratorTests
{
    private static readonly DateTime T0 = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
    private static readonly EngagementId Engagement = EngagementId.New(Guid.Parse("0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21"));
    private static readonly OutreachId Outreach = OutreachId.For(Engagement, Sample.ProviderA);

    [Fact]
    public async Task SilentProvider_RemindersOnDays3_6_9_EscalationOnDay12_NoResponseOnDay26()
    {
        var context = Context();
        var run = Run(context);
        Assert.Equal(EmailKind.ProviderCollaborationRequest, Emails(context).Single().Kind);
        for (var i = 0; i < 5; i++)
        {
            context.FireTimer();
        }

        Assert.Equal(ProviderOutreachStatus.NoResponse, await run);
        Assert.Equal([T0.AddDays(3), T0.AddDays(6), T0.AddDays(9), T0.AddDays(12), T0.AddDays(26)], context.Timers.Select(t => t.At));
        Assert.Equal(
            [EmailKind.ProviderCollaborationRequest, EmailKind.ProviderReminder, EmailKind.ProviderReminder, EmailKind.ProviderReminder, EmailKind.PeerToPeerEscalation],
            Emails(context).Select(e => e.Kind));
        Assert.Equal(
            [OutreachChange.Emailed, OutreachChange.Reminded, OutreachChange.Reminded, OutreachChange.Reminded, OutreachChange.Escalated, OutreachChange.EndedWithoutResponse],
            context.Updates.Cast<OutreachProgress>().Select(u => u.Change));
        Assert.All(context.Sent, s => Assert.Equal((Engagement.Value, OutreachReported.EventName), (s.InstanceId, s.Name)));
        Assert.Equal(ProviderOutreachStatus.NoResponse, ((OutreachReported)context.Sent[^1].Payload).Status);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task Response_BeforeFirstReminder_IsRecordedReportedAndEndsTheOutreach()
    {
        var context = Context();
        var run = Run(context);
        context.Raise(nameof(ProviderResponded), new ProviderResponded(Engagement, Outreach, ProviderResponse.WillCollaborate, new DateTimeOffset(T0)));
        Assert.Equal(ProviderOutreachStatus.Responded, await run);
        var answered = Assert.IsType<OutreachProgress>(context.Updates.Last());
        Assert.Equal((OutreachChange.Answered, ProviderResponse.WillCollaborate), (answered.Change, answered.Response));
        Assert.Equal(ProviderOutreachStatus.Responded, ((OutreachReported)context.Sent[^1].Payload).Status);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task PeerReview_BeforeEscalation_IsIgnored_AfterEscalation_EndsTheOutreach()
    {
        var context = Context();
        var run = Run(context);
        context.Raise(nameof(PeerReviewRecorded), new PeerReviewRecorded(Engagement, Outreach, PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector, new DateTimeOffset(T0)));
        Assert.Equal(EventFit.NotExpectedNow, Assert.IsType<EventIgnored>(context.Updates.Last()).Fit);
        for (var i = 0; i < 4; i++)
        {
            context.FireTimer();
        }

        context.Raise(nameof(PeerReviewRecorded), new PeerReviewRecorded(Engagement, Outreach, PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector, new DateTimeOffset(T0)));
        Assert.Equal(ProviderOutreachStatus.PeerReviewRecorded, await run);
        context.AssertNoLiveTimerOrWaiter();
    }

    [Fact]
    public async Task StopRequested_EndsWithoutWritingAnything()
    {
        var context = Context();
        var run = Run(context);
        var writes = context.Activities.Count;
        context.Raise(OutreachStopRequested.EventName, new OutreachStopRequested(Mets.Domain.Closure.ClosureReason.GoalsMet));
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, await run);
        Assert.Equal(writes, context.Activities.Count);
        context.AssertNoLiveTimerOrWaiter();
    }

    private static MockContext Context()
    {
        var context = new MockContext(Outreach.Value, T0);
        context.Event<ProviderResponded>(nameof(ProviderResponded));
        context.Event<PeerReviewRecorded>(nameof(PeerReviewRecorded));
        context.Event<OutreachStopRequested>(OutreachStopRequested.EventName);
        return context;
    }

    private static Task<ProviderOutreachStatus> Run(MockContext context) =>
        new ProviderOutreachOrchestrator(new EngagementSchedule(new EngagementPolicy())).RunAsync(context.Object, new OutreachInput(Outreach, ProviderRole.BehavioralHealth));

    private static List<EmailRequest> Emails(MockContext context) =>
        [.. context.Activities.Where(a => a.Name == nameof(SendEmailActivity)).Select(a => (EmailRequest)a.Input!)];
}
