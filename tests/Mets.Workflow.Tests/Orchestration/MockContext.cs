using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Activities;
using Mets.Workflow.Orchestration;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Mets.Workflow.Tests.Orchestration;

/// <summary>
/// A Moq-mocked orchestration context (Microsoft's recommended way to unit-test Durable orchestrators):
/// activities complete at once and are recorded; events and timers are TaskCompletionSources the test
/// completes; the cancellation tokens handed to timers and event waits are kept for assertions.
/// </summary>
internal sealed class MockContext
{
    private readonly Dictionary<string, object> _events = new(StringComparer.Ordinal);

    public MockContext(string instanceId, DateTime now)
    {
        Now = now;
        Mock.Setup(c => c.InstanceId).Returns(instanceId);
        Mock.Setup(c => c.CurrentUtcDateTime).Returns(() => Now);
        Mock.Setup(c => c.IsReplaying).Returns(false);
        Mock.Setup(c => c.NewGuid()).Returns(Guid.NewGuid);
        Mock.Setup(c => c.CreateReplaySafeLogger<EngagementOrchestrator>()).Returns(NullLogger.Instance);
        Mock.Setup(c => c.CreateReplaySafeLogger<ProviderOutreachOrchestrator>()).Returns(NullLogger.Instance);
        Mock.Setup(c => c.CallActivityAsync<bool>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns<TaskName, object?, TaskOptions?>((name, input, _) =>
            {
                Activities.Add((name.Name, input));
                return HoldActivity?.Invoke(input) ?? Task.FromResult(true);
            });
        Mock.Setup(c => c.CallActivityAsync<int>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback<TaskName, object?, TaskOptions?>((name, input, _) => Activities.Add((name.Name, input)))
            .ReturnsAsync(0);
        Mock.Setup(c => c.CallActivityAsync<OutreachId[]>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback<TaskName, object?, TaskOptions?>((name, input, _) => Activities.Add((name.Name, input)))
            .ReturnsAsync(() => RunningOnTheCase);
        Mock.Setup(c => c.CallSubOrchestratorAsync<ProviderOutreachStatus>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback<TaskName, object?, TaskOptions?>((name, input, options) => Children.Add(((SubOrchestrationOptions)options!).InstanceId!))
            .Returns(new TaskCompletionSource<ProviderOutreachStatus>().Task);
        Mock.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns<DateTime, CancellationToken>((at, token) =>
            {
                var timer = new TaskCompletionSource();
                Timers.Add((at, token, timer));
                return timer.Task;
            });
        Mock.Setup(c => c.SendEvent(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object>()))
            .Callback<string, string, object>((id, name, payload) => Sent.Add((id, name, payload)));
        Mock.Setup(c => c.SetCustomStatus(It.IsAny<object?>())).Callback<object?>(s => Status = s);
        Mock.Setup(c => c.ContinueAsNew(It.IsAny<object?>(), It.IsAny<bool>())).Callback<object?, bool>((input, _) => ContinuedWith = input);
    }

    public Mock<TaskOrchestrationContext> Mock { get; } = new(MockBehavior.Strict);

    public TaskOrchestrationContext Object => Mock.Object;

    public DateTime Now { get; set; }

    /// <summary>When set and returning a task, that activity call completes only when the test completes the task.</summary>
    public Func<object?, Task<bool>?>? HoldActivity { get; set; }

    public List<(string Name, object? Input)> Activities { get; } = [];

    /// <summary>What <see cref="RunningOutreachActivity"/> answers: the outreach the case document shows running.</summary>
    public OutreachId[] RunningOnTheCase { get; set; } = [];

    public List<string> Children { get; } = [];

    public List<(DateTime At, CancellationToken Token, TaskCompletionSource Completion)> Timers { get; } = [];

    public List<CancellationToken> EventTokens { get; } = [];

    public List<(string InstanceId, string Name, object Payload)> Sent { get; } = [];

    public object? Status { get; private set; }

    public object? ContinuedWith { get; private set; }

    public IEnumerable<CaseUpdate> Updates => Activities.Where(a => a.Name == nameof(UpdateCaseActivity)).Select(a => ((CaseUpdateRequest)a.Input!).Update);

    /// <summary>Every event wait of type <typeparamref name="T"/> gets the next completion source of that name.</summary>
    public void Event<T>(string name)
    {
        var queue = new Queue<TaskCompletionSource<T>>();
        _events[name] = queue;
        Mock.Setup(c => c.WaitForExternalEvent<T>(name, It.IsAny<CancellationToken>()))
            .Returns<string, CancellationToken>((_, token) =>
            {
                EventTokens.Add(token);
                var source = new TaskCompletionSource<T>();
                queue.Enqueue(source);
                token.Register(() => source.TrySetCanceled(token));
                return source.Task;
            });
    }

    /// <summary>Delivers <paramref name="payload"/> to the oldest live waiter of that name.</summary>
    public void Raise<T>(string name, T payload)
    {
        var queue = (Queue<TaskCompletionSource<T>>)_events[name];
        while (queue.TryDequeue(out var source))
        {
            if (source.TrySetResult(payload))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Nobody waits for {name}.");
    }

    public void EngagementEvents()
    {
        Event<ReferralAttached>(nameof(ReferralAttached));
        Event<AssessmentCompleted>(nameof(AssessmentCompleted));
        Event<MemberContactAttempted>(nameof(MemberContactAttempted));
        Event<ReviewCompleted>(nameof(ReviewCompleted));
        Event<ClosureReviewDecided>(nameof(ClosureReviewDecided));
        Event<ClaimsActivityObserved>(nameof(ClaimsActivityObserved));
        Event<ClosureRequested>(nameof(ClosureRequested));
        Event<OutreachReported>(OutreachReported.EventName);
        Event<Mets.Workflow.CarePlans.FollowUpChanged>(Mets.Workflow.CarePlans.FollowUpChanged.EventName);
        Event<Mets.Workflow.CarePlans.CareTeamOutreachRequested>(Mets.Workflow.CarePlans.CareTeamOutreachRequested.EventName);
    }

    /// <summary>Fires the newest live timer and lets the orchestrator run on.</summary>
    public void FireTimer()
    {
        var (at, token, completion) = Timers[^1];
        Assert.False(token.IsCancellationRequested, "the newest timer was cancelled");
        Now = at;
        completion.SetResult();
    }

    public void AssertNoLiveTimerOrWaiter()
    {
        Assert.All(Timers, t => Assert.True(t.Completion.Task.IsCompleted || t.Token.IsCancellationRequested, $"timer at {t.At:O} left live"));
        Assert.All(EventTokens, t => Assert.True(t.IsCancellationRequested, "an event waiter was left live"));
    }
}
