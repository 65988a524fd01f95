using System.Collections.Concurrent;
using Mets.Durable.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mets.Durable.Engine;

/// <summary>
/// The embedded durable engine: an event-sourced orchestration dispatcher (one episode at a time),
/// activity workers with bounded concurrency (at-least-once), and a durable timer loop, all over an
/// <see cref="IOrchestrationStore"/>. Time comes from the injected <see cref="TimeProvider"/>. Every
/// episode's history append and outgoing work commit in one store transaction, so a crash at any
/// point loses nothing: on restart pending activities are re-dispatched and due timers fire.
/// </summary>
public sealed partial class DurableEngine : IAsyncDisposable
{
    private readonly IOrchestrationStore _store;
    private readonly TimeProvider _time;
    private readonly DurableEngineOptions _options;
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly OrchestrationExecutor _executor;
    private readonly WakeSignal _orchestrationWake = new();
    private readonly WakeSignal _activityWake = new();
    private readonly WakeSignal _timerWake = new();
    private readonly ConcurrentDictionary<long, byte> _dispatchedActivities = new();
    private readonly SemaphoreSlim _activitySlots;
    private readonly System.Threading.Channels.Channel<ActivityResult> _finished = System.Threading.Channels.Channel.CreateUnbounded<ActivityResult>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private int _activitiesInFlight;
    private Task _resultWriter = Task.CompletedTask;

    public DurableEngine(
        IOrchestrationStore store,
        DurableTaskRegistry registry,
        TimeProvider time,
        DurableEngineOptions? options = null,
        DataConverter? converter = null,
        ILoggerFactory? loggerFactory = null,
        IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _registry = registry;
        _time = time;
        _options = options ?? new DurableEngineOptions();
        Converter = converter ?? DataConverter.Default;
        loggerFactory ??= NullLoggerFactory.Instance;
        _services = services ?? EmptyServiceProvider.Instance;
        _logger = loggerFactory.CreateLogger<DurableEngine>();
        _executor = new OrchestrationExecutor(registry, _services, Converter, loggerFactory);
        _activitySlots = new SemaphoreSlim(_options.MaxConcurrentActivities, _options.MaxConcurrentActivities);
        Client = new EmbeddedDurableTaskClient(this, store, Converter, time);
    }

    public DurableTaskClient Client { get; }

    public DataConverter Converter { get; }

    internal ProgressPulse Progress { get; } = new();

    public async Task StartAsync(CancellationToken cancellation = default)
    {
        await _store.InitializeAsync(cancellation).ConfigureAwait(false);
        var stop = _stopping.Token;
        _loops.Add(Task.Run(() => DispatchOrchestrationsAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => DispatchActivitiesAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => FireTimersAsync(stop), CancellationToken.None));
        _resultWriter = Task.Run(StoreActivityResultsAsync, CancellationToken.None);
    }

    /// <summary>Stops taking new work and waits for work in progress (activities included) to finish.</summary>
    public async Task StopAsync(CancellationToken cancellation = default)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_loops).WaitAsync(cancellation).ConfigureAwait(false);
        for (var i = 0; i < _options.MaxConcurrentActivities; i++)
        {
            await _activitySlots.WaitAsync(cancellation).ConfigureAwait(false);
        }

        _activitySlots.Release(_options.MaxConcurrentActivities);
        _finished.Writer.TryComplete();
        await _resultWriter.WaitAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes when nothing is left to do now: no message to process, no activity pending or running,
    /// no timer due at the current time. Woken by progress, never by polling.
    /// </summary>
    public async Task WaitForIdleAsync(CancellationToken cancellation = default)
    {
        while (true)
        {
            var next = Progress.Next;
            var counts = await _store.GetWorkCountsAsync(UtcNow(), cancellation).ConfigureAwait(false);
            if (counts.ReadyInstances == 0 && counts.Activities == 0 && counts.DueTimers == 0 && Volatile.Read(ref _activitiesInFlight) == 0)
            {
                return;
            }

            _timerWake.Set();
            _orchestrationWake.Set();
            await next.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down regardless: unfinished activities run again on the next start.
        }

        _stopping.Dispose();
        _activitySlots.Dispose();
        _orchestrationWake.Dispose();
        _activityWake.Dispose();
        _timerWake.Dispose();
    }

    internal void NotifyNewMessages()
    {
        _orchestrationWake.Set();
        Progress.Pulse();
    }

    internal DateTime UtcNow() => _time.GetUtcNow().UtcDateTime;

    private static bool IsWakeUp(HistoryEvent e) => e.EventType is HistoryEventType.ExecutionResumed or HistoryEventType.ExecutionTerminated;

    private static IReadOnlyList<HistoryEvent> StartEventFirst(List<HistoryEvent> events) =>
        [.. events.Where(e => e.EventType == HistoryEventType.ExecutionStarted),
         .. events.Where(e => e.EventType != HistoryEventType.ExecutionStarted && e.Reason == CarriedReason),
         .. events.Where(e => e.EventType != HistoryEventType.ExecutionStarted && e.Reason != CarriedReason)];

    private const string CarriedReason = "carried over by ContinueAsNew";

    /// <summary>The longest single sleep of the timer loop (Task.Delay's limit is about 49.7 days).</summary>
    private static readonly TimeSpan MaxTimerSleep = TimeSpan.FromDays(1);

    private async Task DispatchOrchestrationsAsync(CancellationToken stop)
    {
        var none = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var items = await _store.FetchOrchestrationWorkItemsAsync(_options.OrchestrationBatchSize, none, stop).ConfigureAwait(false);
                if (items.Count == 0)
                {
                    await _orchestrationWake.WaitAsync(stop).ConfigureAwait(false);
                    continue;
                }

                var commits = new List<OrchestrationCommit>(items.Count);
                foreach (var item in items)
                {
                    if (Process(item) is { } commit)
                    {
                        commits.Add(commit);
                    }
                }

                await CommitAsync(commits, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The dispatcher must survive any one failure; it is logged and retried.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogDispatcherFailed(ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Decides one work item's episode; the caller commits the batch in one transaction.</summary>
    private OrchestrationCommit? Process(OrchestrationWorkItem item)
    {
        var instance = item.Instance;
        var now = UtcNow();
        var consumed = new List<long>();

        if (instance.IsTerminal)
        {
            return new OrchestrationCommit(instance) { ConsumedMessageIds = [.. item.Messages.Select(m => m.Id)] };
        }

        var working = item.Messages.ToList();
        var status = instance.Status;
        if (status == OrchestrationRuntimeStatus.Suspended)
        {
            var wake = working.FindIndex(m => IsWakeUp(m.Event));
            if (wake < 0)
            {
                return null;
            }

            if (working[wake].Event.EventType == HistoryEventType.ExecutionTerminated)
            {
                return Terminate(item, working[wake].Event, now);
            }

            consumed.Add(working[wake].Id);
            working.RemoveAt(wake);
            status = item.History.Count == 0 ? OrchestrationRuntimeStatus.Pending : OrchestrationRuntimeStatus.Running;
        }

        var toProcess = new List<HistoryEvent>();
        foreach (var message in working)
        {
            var e = message.Event;
            if (e.EventType == HistoryEventType.ExecutionTerminated)
            {
                return Terminate(item, e, now);
            }

            consumed.Add(message.Id);
            if (e.EventType == HistoryEventType.ExecutionSuspended)
            {
                status = OrchestrationRuntimeStatus.Suspended;
                break;
            }

            var stale = e.ExecutionId is not null && !string.Equals(e.ExecutionId, instance.ExecutionId, StringComparison.Ordinal);
            if (e.EventType != HistoryEventType.ExecutionResumed && !stale)
            {
                toProcess.Add(e);
            }
        }

        if (toProcess.Count == 0)
        {
            return new OrchestrationCommit(instance with { Status = status, LastUpdatedAt = now }) { ConsumedMessageIds = consumed };
        }

        var events = item.History.Count == 0 ? StartEventFirst(toProcess) : toProcess;
        var result = _executor.Execute(instance, item.History, events, now);
        var suspended = status == OrchestrationRuntimeStatus.Suspended;
        return BuildCommit(instance, result, consumed, suspended, now);
    }

    private OrchestrationCommit BuildCommit(InstanceRecord instance, EpisodeResult result, List<long> consumed, bool suspended, DateTime now)
    {
        var updated = instance with
        {
            LastUpdatedAt = now,
            CustomStatus = result.CustomStatusSet ? result.CustomStatus : instance.CustomStatus,
        };
        var outbound = result.SentEvents
            .Select(a => new OutboundMessage(a.InstanceId!, new HistoryEvent(HistoryEventType.EventRaised, now) { Name = a.Name, Input = a.Input }))
            .ToList();

        switch (result.Outcome)
        {
            case EpisodeOutcome.Completed or EpisodeOutcome.Failed:
                var completed = result.Outcome == EpisodeOutcome.Completed;
                updated = updated with
                {
                    Status = completed ? OrchestrationRuntimeStatus.Completed : OrchestrationRuntimeStatus.Failed,
                    Output = result.Output,
                    Failure = result.Failure,
                };
                result.NewHistory.Add(new HistoryEvent(completed ? HistoryEventType.ExecutionCompleted : HistoryEventType.ExecutionFailed, now)
                {
                    Result = result.Output,
                    Failure = result.Failure,
                });
                outbound.AddRange(NotifyParent(updated, now));
                if (!completed)
                {
                    LogInstanceFailed(instance.Name, result.Failure?.ErrorType ?? "unknown");
                }

                return new OrchestrationCommit(updated)
                {
                    AppendedHistory = result.NewHistory,
                    ConsumedMessageIds = consumed,
                    ClearPendingWork = true,
                    OutboundMessages = outbound,
                };

            case EpisodeOutcome.ContinuedAsNew:
                var executionId = Guid.NewGuid().ToString("N");
                updated = updated with { ExecutionId = executionId, Input = result.ContinueAsNewInput, Status = OrchestrationRuntimeStatus.Running };
                outbound.Add(new OutboundMessage(instance.InstanceId, new HistoryEvent(HistoryEventType.ExecutionStarted, now)
                {
                    Name = instance.Name,
                    Input = result.ContinueAsNewInput,
                    ExecutionId = executionId,
                }));
                outbound.AddRange(result.CarriedEvents.Select(e => new OutboundMessage(instance.InstanceId, e with { Reason = CarriedReason })));
                return new OrchestrationCommit(updated)
                {
                    ReplaceHistory = true,
                    ConsumedMessageIds = consumed,
                    ClearPendingWork = true,
                    OutboundMessages = outbound,
                };

            default:
                updated = updated with { Status = suspended ? OrchestrationRuntimeStatus.Suspended : OrchestrationRuntimeStatus.Running };
                return new OrchestrationCommit(updated)
                {
                    AppendedHistory = result.NewHistory,
                    ConsumedMessageIds = consumed,
                    NewActivities = result.NewActivities,
                    NewTimers = result.NewTimers,
                    CancelledTimerIds = result.CancelledTimerIds,
                    OutboundMessages = outbound,
                    NewChildren = [.. result.NewChildren.Select(a => NewChild(updated, a, now))],
                };
        }
    }

    private static NewChildInstance NewChild(InstanceRecord parent, OrchestrationAction action, DateTime now)
    {
        var executionId = Guid.NewGuid().ToString("N");
        var child = new InstanceRecord(action.InstanceId!, action.Name)
        {
            ExecutionId = executionId,
            Input = action.Input,
            CreatedAt = now,
            LastUpdatedAt = now,
            ParentInstanceId = parent.InstanceId,
            ParentExecutionId = parent.ExecutionId,
            ParentTaskId = action.Sequence,
        };
        var start = new HistoryEvent(HistoryEventType.ExecutionStarted, now) { Name = action.Name, Input = action.Input, ExecutionId = executionId };
        return new NewChildInstance(child, start, action.Sequence);
    }

    private static IEnumerable<OutboundMessage> NotifyParent(InstanceRecord child, DateTime now)
    {
        if (child.ParentInstanceId is null)
        {
            yield break;
        }

        var completed = child.Status == OrchestrationRuntimeStatus.Completed;
        yield return new OutboundMessage(child.ParentInstanceId, new HistoryEvent(
            completed ? HistoryEventType.SubOrchestrationInstanceCompleted : HistoryEventType.SubOrchestrationInstanceFailed, now)
        {
            TaskId = child.ParentTaskId,
            ExecutionId = child.ParentExecutionId,
            Result = completed ? child.Output : null,
            Failure = completed ? null : child.Failure ?? new TaskFailureDetails("OrchestrationTerminated", $"Sub-orchestration '{child.InstanceId}' was terminated."),
        });
    }

    private static OrchestrationCommit Terminate(OrchestrationWorkItem item, HistoryEvent terminate, DateTime now)
    {
        var updated = item.Instance with { Status = OrchestrationRuntimeStatus.Terminated, Output = terminate.Input, LastUpdatedAt = now };
        return new OrchestrationCommit(updated)
        {
            AppendedHistory = [new HistoryEvent(HistoryEventType.ExecutionTerminated, now) { Input = terminate.Input, Reason = terminate.Reason }],
            ConsumedMessageIds = [.. item.Messages.Select(m => m.Id)],
            ClearPendingWork = true,
            OutboundMessages = [.. NotifyParent(updated, now)],
        };
    }

    private async Task CommitAsync(List<OrchestrationCommit> commits, CancellationToken stop)
    {
        if (commits.Count == 0)
        {
            return;
        }

        await _store.CommitOrchestrationsAsync(commits, stop).ConfigureAwait(false);
        if (commits.Any(c => c.NewActivities.Count > 0))
        {
            _activityWake.Set();
        }

        if (commits.Any(c => c.NewTimers.Count > 0 || c.ClearPendingWork || c.CancelledTimerIds.Count > 0))
        {
            _timerWake.Set();
        }

        if (commits.Any(c => c.OutboundMessages.Count > 0 || c.NewChildren.Count > 0))
        {
            _orchestrationWake.Set();
        }

        Progress.Pulse();
    }

    private async Task DispatchActivitiesAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _activitySlots.WaitAsync(stop).ConfigureAwait(false);
                var free = _activitySlots.CurrentCount + 1;
                var items = await _store.FetchActivityWorkItemsAsync(free, _dispatchedActivities.Keys.ToHashSet(), stop).ConfigureAwait(false);
                if (items.Count == 0)
                {
                    _activitySlots.Release();
                    await _activityWake.WaitAsync(stop).ConfigureAwait(false);
                    continue;
                }

                for (var i = 0; i < items.Count; i++)
                {
                    if (i > 0)
                    {
                        await _activitySlots.WaitAsync(stop).ConfigureAwait(false);
                    }

                    var item = items[i];
                    _dispatchedActivities[item.Id] = 0;
                    Interlocked.Increment(ref _activitiesInFlight);
                    _ = Task.Run(() => RunActivityAsync(item), CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RunActivityAsync(ActivityWorkItem item)
    {
        try
        {
            HistoryEvent result;
            try
            {
                if (!_registry.TryCreateActivity(item.Name, _services, out var activity))
                {
                    throw new ActivityTaskNotFoundException($"No activity task named '{item.Name}' was found.");
                }

                var input = Converter.Deserialize(item.Input, activity!.InputType);
                var output = await activity.RunAsync(new EmbeddedActivityContext(item.Name, item.InstanceId), input).ConfigureAwait(false);
                result = new HistoryEvent(HistoryEventType.TaskCompleted, UtcNow())
                {
                    TaskId = item.TaskId,
                    ExecutionId = item.ExecutionId,
                    Result = Converter.Serialize(output),
                };
            }
#pragma warning disable CA1031 // Any activity failure becomes a durable TaskFailed result for the orchestrator.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogActivityFailed(item.Name, ex.GetType().Name);
                result = new HistoryEvent(HistoryEventType.TaskFailed, UtcNow())
                {
                    TaskId = item.TaskId,
                    ExecutionId = item.ExecutionId,
                    Failure = ex is ActivityTaskNotFoundException
                        ? new TaskFailureDetails("ActivityTaskNotFound", ex.Message)
                        : TaskFailureDetails.FromException(ex),
                };
            }

            _finished.Writer.TryWrite(new ActivityResult(item, result));
        }
        finally
        {
            _activitySlots.Release();
        }
    }

    /// <summary>Stores finished activities in batches: one transaction for all that finished meanwhile.</summary>
    private async Task StoreActivityResultsAsync()
    {
        var batch = new List<ActivityResult>();
        while (await _finished.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 512 && _finished.Reader.TryRead(out var result))
            {
                batch.Add(result);
            }

            try
            {
                await _store.CompleteActivitiesAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A store failure leaves the activities pending; they run again (at-least-once).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogActivityCommitFailed(batch.Count, ex.GetType().Name);
            }
            finally
            {
                foreach (var (item, _) in batch)
                {
                    _dispatchedActivities.TryRemove(item.Id, out _);
                    Interlocked.Decrement(ref _activitiesInFlight);
                }

                _activityWake.Set();
                _orchestrationWake.Set();
                Progress.Pulse();
            }
        }
    }

    private async Task FireTimersAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var now = UtcNow();
                if (await _store.FireDueTimersAsync(now, stop).ConfigureAwait(false) > 0)
                {
                    _orchestrationWake.Set();
                    Progress.Pulse();
                }

                var next = await _store.GetNextTimerDueAsync(stop).ConfigureAwait(false);
                var delay = next is { } due ? due - UtcNow() : Timeout.InfiniteTimeSpan;
                if (next is not null && delay <= TimeSpan.Zero)
                {
                    continue; // due already: fire it now, before waiting on (and so consuming) a wake-up
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var wake = _timerWake.WaitAsync(wait.Token);
                if (next is not null)
                {
                    // Task.Delay refuses more than about 49.7 days; sleep in bounded steps and look again.
                    await Task.WhenAny(wake, Task.Delay(delay < MaxTimerSleep ? delay : MaxTimerSleep, _time, wait.Token)).ConfigureAwait(false);
                }
                else
                {
                    await wake.ConfigureAwait(false);
                }

                await wait.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The timer loop must survive a store failure; it is logged and retried.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogDispatcherFailed(ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stop).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Durable dispatcher failed with {ErrorType}; retrying")]
    private partial void LogDispatcherFailed(string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orchestration {Name} failed with {ErrorType}")]
    private partial void LogInstanceFailed(string name, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activity {Name} failed with {ErrorType}")]
    private partial void LogActivityFailed(string name, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} activity results could not be stored ({ErrorType}); those activities will run again")]
    private partial void LogActivityCommitFailed(int count, string errorType);

    private sealed class EmbeddedActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = instanceId;
    }

    private sealed class ActivityTaskNotFoundException(string message) : Exception(message);

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static EmptyServiceProvider Instance { get; } = new();

        public object? GetService(Type serviceType) => null;
    }
}
