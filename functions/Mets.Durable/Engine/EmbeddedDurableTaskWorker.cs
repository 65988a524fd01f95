using System.Threading.Channels;
using Mets.Durable.Storage;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mets.Durable.Engine;

/// <summary>
/// The embedded engine's worker: Microsoft.DurableTask's <see cref="DurableTaskWorker"/> for the embedded
/// backend, selected with <c>UseEmbeddedEngine()</c> on the worker builder (as <c>UseGrpc()</c> selects the
/// gRPC one). It creates orchestrators and activities through Microsoft's <see cref="IDurableTaskFactory"/>
/// (built from the <see cref="DurableTaskRegistry"/>) and runs them on an event-sourced dispatcher (one
/// episode at a time), activity workers with bounded concurrency (at-least-once) and a durable timer loop,
/// all over the <see cref="EmbeddedTaskHub"/>'s store. Every episode's history append and outgoing work
/// commit in one store transaction, so a crash at any point loses nothing: on restart pending activities
/// are re-dispatched and due timers fire.
/// </summary>
public sealed partial class EmbeddedDurableTaskWorker : DurableTaskWorker
{
    private readonly EmbeddedTaskHub _hub;
    private readonly IOrchestrationStore _store;
    private readonly DurableEngineOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly OrchestrationExecutor _executor;
    private readonly IServiceScopeFactory _scopes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _dispatchedActivities = new();
    private readonly SemaphoreSlim _activitySlots;
    private readonly Channel<ActivityResult> _finished = Channel.CreateUnbounded<ActivityResult>();

    public EmbeddedDurableTaskWorker(
        string? name,
        IDurableTaskFactory factory,
        EmbeddedTaskHub hub,
        IOptionsMonitor<DurableTaskWorkerOptions> workerOptions,
        IOptions<DurableEngineOptions> engineOptions,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null)
        : base(name, factory)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(workerOptions);
        ArgumentNullException.ThrowIfNull(engineOptions);
        ArgumentNullException.ThrowIfNull(services);
        _hub = hub;
        _store = hub.Store;
        _options = engineOptions.Value;
        _services = services;
        Converter = workerOptions.Get(Name).DataConverter;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<EmbeddedDurableTaskWorker>();
        _scopes = services.GetRequiredService<IServiceScopeFactory>();
        _executor = new OrchestrationExecutor(Factory, Converter, loggerFactory, _options.OrchestrationsKeptInMemory);
        _activitySlots = new SemaphoreSlim(_options.MaxConcurrentActivities, _options.MaxConcurrentActivities);
    }

    /// <summary>The serializer of every input, output, event payload and custom status (the worker options').</summary>
    public DataConverter Converter { get; }

    public override void Dispose()
    {
        base.Dispose();
        _executor.DropKept();
        _activitySlots.Dispose();
    }

    /// <summary>Runs the loops until the host stops, then waits for running activities and stores their results.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _hub.EnsureInitializedAsync(stoppingToken).ConfigureAwait(false);
        var resultWriter = Task.Run(StoreActivityResultsAsync, CancellationToken.None);
        Task[] loops =
        [
            Task.Run(() => DispatchOrchestrationsAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => DispatchActivitiesAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => FireTimersAsync(stoppingToken), CancellationToken.None),
        ];
        await Task.WhenAll(loops).ConfigureAwait(false);
        for (var i = 0; i < _options.MaxConcurrentActivities; i++)
        {
            await _activitySlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _activitySlots.Release(_options.MaxConcurrentActivities);
        _finished.Writer.TryComplete();
        await resultWriter.ConfigureAwait(false);
        _executor.DropKept(); // the dispatcher has stopped: the kept orchestrations' scopes go now, not at the host's end
    }

    private static bool IsWakeUp(StoredEvent e) => e.EventType is StoredEventKind.ExecutionResumed or StoredEventKind.ExecutionTerminated;

    private static IReadOnlyList<StoredEvent> StartEventFirst(List<StoredEvent> events) =>
        [.. events.Where(e => e.EventType == StoredEventKind.ExecutionStarted),
         .. events.Where(e => e.EventType != StoredEventKind.ExecutionStarted && e.Reason == CarriedReason),
         .. events.Where(e => e.EventType != StoredEventKind.ExecutionStarted && e.Reason != CarriedReason)];

    private const string CarriedReason = "carried over by ContinueAsNew";

    /// <summary>The longest single sleep of the timer loop (Task.Delay's limit is about 49.7 days).</summary>
    private static readonly TimeSpan MaxTimerSleep = TimeSpan.FromDays(1);

    /// <summary>Decides one work item's episode; the caller commits the batch in one transaction.</summary>
    private OrchestrationCommit? Process(OrchestrationWorkItem item)
    {
        var instance = item.Instance;
        var now = _hub.UtcNow();
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

            if (working[wake].Event.EventType == StoredEventKind.ExecutionTerminated)
            {
                return Terminate(item, working[wake].Event, now);
            }
        }

        // Suspension and resumption are recorded in the history where they happened, in arrival order with the
        // events around them (as DurableTask.Core records them); events that arrived while suspended are delivered
        // after the resume. Both are no-ops for the orchestrator code.
        var toProcess = new List<StoredEvent>();
        foreach (var message in working)
        {
            var e = message.Event;
            if (e.EventType == StoredEventKind.ExecutionTerminated)
            {
                return Terminate(item, e, now);
            }

            consumed.Add(message.Id);
            if (e.EventType == StoredEventKind.ExecutionSuspended)
            {
                if (status != OrchestrationRuntimeStatus.Suspended)
                {
                    status = OrchestrationRuntimeStatus.Suspended;
                    toProcess.Add(e);
                }

                break;
            }

            if (e.EventType == StoredEventKind.ExecutionResumed)
            {
                if (status == OrchestrationRuntimeStatus.Suspended)
                {
                    status = item.History.Count == 0 ? OrchestrationRuntimeStatus.Pending : OrchestrationRuntimeStatus.Running;
                    toProcess.Add(e);
                }

                continue;
            }

            var stale = e.ExecutionId is not null && !string.Equals(e.ExecutionId, instance.ExecutionId, StringComparison.Ordinal);
            if (!stale)
            {
                toProcess.Add(e);
            }
        }

        if (toProcess.Count == 0)
        {
            return new OrchestrationCommit(instance with { Status = status, LastUpdatedAt = now }) { ConsumedMessageIds = consumed };
        }

        var events = item.History.Count == 0 ? StartEventFirst(toProcess) : toProcess;
        var result = _executor.Execute(instance, item.History, events, now, _scopes);

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
            .Select(a => new OutboundMessage(a.InstanceId!, new StoredEvent(StoredEventKind.EventRaised, now) { Name = a.Name, Input = a.Input }))
            .ToList();

        switch (result.Outcome)
        {
            case EpisodeOutcome.Completed or EpisodeOutcome.Failed:
                var completed = result.Outcome == EpisodeOutcome.Completed;
                updated = updated with
                {
                    Status = completed ? OrchestrationRuntimeStatus.Completed : OrchestrationRuntimeStatus.Failed,
                    Output = completed ? result.Output : FailedOutput(result.Failure),
                    Failure = result.Failure,
                };
                result.NewHistory.Add(new StoredEvent(completed ? StoredEventKind.ExecutionCompleted : StoredEventKind.ExecutionFailed, now)
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
                outbound.Add(new OutboundMessage(instance.InstanceId, new StoredEvent(StoredEventKind.ExecutionStarted, now)
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

    /// <summary>
    /// What Microsoft's runtime shows as a failed instance's serialized output: the failure message itself (not JSON),
    /// and nothing when the orchestrator does not exist.
    /// </summary>
    private static string? FailedOutput(TaskFailureDetails? failure) =>
        failure is null || failure.ErrorType == "OrchestratorTaskNotFound" ? null : failure.ErrorMessage;

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
        var start = new StoredEvent(StoredEventKind.ExecutionStarted, now)
        {
            Name = action.Name,
            Input = action.Input,
            ExecutionId = executionId,
            ParentName = parent.Name,
        };
        return new NewChildInstance(child, start, action.Sequence);
    }

    private static IEnumerable<OutboundMessage> NotifyParent(InstanceRecord child, DateTime now)
    {
        if (child.ParentInstanceId is null)
        {
            yield break;
        }

        var completed = child.Status == OrchestrationRuntimeStatus.Completed;
        yield return new OutboundMessage(child.ParentInstanceId, new StoredEvent(
            completed ? StoredEventKind.SubOrchestrationInstanceCompleted : StoredEventKind.SubOrchestrationInstanceFailed, now)
        {
            TaskId = child.ParentTaskId,
            ExecutionId = child.ParentExecutionId,
            Result = completed ? child.Output : null,
            Failure = completed ? null : child.Failure ?? new TaskFailureDetails("OrchestrationTerminated", $"Sub-orchestration '{child.InstanceId}' was terminated.", null, null, null),
        });
    }

    private static OrchestrationCommit Terminate(OrchestrationWorkItem item, StoredEvent terminate, DateTime now)
    {
        var updated = item.Instance with { Status = OrchestrationRuntimeStatus.Terminated, Output = terminate.Input, LastUpdatedAt = now };
        return new OrchestrationCommit(updated)
        {
            AppendedHistory = [new StoredEvent(StoredEventKind.ExecutionTerminated, now) { Input = terminate.Input, Reason = terminate.Reason }],
            ConsumedMessageIds = [.. item.Messages.Select(m => m.Id)],
            ClearPendingWork = true,
            OutboundMessages = [.. NotifyParent(updated, now)],
        };
    }

    private async Task DispatchOrchestrationsAsync(CancellationToken stop)
    {
        var none = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await YieldToForegroundAsync(stop).ConfigureAwait(false);
                _hub.OrchestrationWake.Reset();
                var items = await _store.FetchOrchestrationWorkItemsAsync(_options.OrchestrationBatchSize, none, stop).ConfigureAwait(false);
                if (items.Count == 0)
                {
                    await _hub.OrchestrationWake.WaitAsync(stop).ConfigureAwait(false);
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
                await DelayAfterFailureAsync(stop).ConfigureAwait(false);
            }
        }
    }

    private async Task DelayAfterFailureAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(_options.RetryAfterStoreFailure, _hub.Time, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping
        }
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
            _hub.ActivityWake.Set();
        }

        if (commits.Any(c => c.NewTimers.Count > 0 || c.ClearPendingWork || c.CancelledTimerIds.Count > 0))
        {
            _hub.TimerWake.Set();
        }

        if (commits.Any(c => c.OutboundMessages.Count > 0 || c.NewChildren.Count > 0))
        {
            _hub.OrchestrationWake.Set();
        }

        _hub.Progress.Pulse();
    }

    /// <summary>
    /// Fetches pending activities in batches (<see cref="DurableEngineOptions.ActivityFetchBatchSize"/>, marked as
    /// dispatched so the next fetch skips them) and starts each as a slot frees: one store call per batch instead of one
    /// per free slot. Fetched but not started activities stay stored, so a crash loses none of them.
    /// </summary>
    private async Task DispatchActivitiesAsync(CancellationToken stop)
    {
        var ready = new Queue<ActivityWorkItem>();
        while (!stop.IsCancellationRequested)
        {
            var slotTaken = false;
            try
            {
                await _activitySlots.WaitAsync(stop).ConfigureAwait(false);
                slotTaken = true;
                if (ready.Count == 0)
                {
                    _hub.ActivityWake.Reset();
                    var items = await _store.FetchActivityWorkItemsAsync(_options.ActivityFetchBatchSize, _dispatchedActivities.Keys.ToHashSet(), stop).ConfigureAwait(false);
                    if (items.Count == 0)
                    {
                        _activitySlots.Release();
                        slotTaken = false;
                        await _hub.ActivityWake.WaitAsync(stop).ConfigureAwait(false);
                        continue;
                    }

                    foreach (var fetched in items)
                    {
                        _dispatchedActivities[fetched.Id] = 0;
                        ready.Enqueue(fetched);
                    }
                }

                await OneActivityUnderForegroundAsync(stop).ConfigureAwait(false);
                var item = ready.Dequeue();
                _hub.ActivityStarted();
                slotTaken = false; // the activity releases it when it ends
                _ = Task.Run(() => RunActivityAsync(item), CancellationToken.None);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                if (slotTaken)
                {
                    _activitySlots.Release(); // the worker's stop waits for every slot
                }

                return;
            }
#pragma warning disable CA1031 // The activity dispatcher must survive any one failure (a store error): logged and retried, as the orchestration dispatcher is.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (slotTaken)
                {
                    _activitySlots.Release();
                }

                LogDispatcherFailed(ex.GetType().Name);
                await DelayAfterFailureAsync(stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>While foreground calls are in flight, waits <see cref="DurableEngineOptions.ForegroundPause"/> or until they are done.</summary>
    private async Task YieldToForegroundAsync(CancellationToken stop)
    {
        if (_hub.Foreground.IsBusy && _options.ForegroundPause > TimeSpan.Zero)
        {
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(stop);
            await Task.WhenAny(_hub.Foreground.WhenIdle, Task.Delay(_options.ForegroundPause, _hub.Time, pause.Token)).ConfigureAwait(false);
            await pause.CancelAsync().ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
        }
    }

    /// <summary>While foreground calls are in flight, starts the next activity only when none is running (or the foreground is done).</summary>
    private async Task OneActivityUnderForegroundAsync(CancellationToken stop)
    {
        while (_options.ForegroundPause > TimeSpan.Zero && _hub.Foreground.IsBusy && _hub.ActivitiesInFlight > 0)
        {
            var progress = _hub.Progress.Next;
            if (_hub.ActivitiesInFlight == 0)
            {
                return;
            }

            await Task.WhenAny(_hub.Foreground.WhenIdle, progress).WaitAsync(stop).ConfigureAwait(false);
        }
    }

    private async Task RunActivityAsync(ActivityWorkItem item)
    {
        try
        {
            StoredEvent result;
            try
            {
                var scope = _services.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    if (!Factory.TryCreateActivity(item.Name, scope.ServiceProvider, out var activity))
                    {
                        throw new ActivityTaskNotFoundException($"No activity task named '{item.Name}' was found.");
                    }

                    var input = Converter.Deserialize(item.Input, activity.InputType);
                    var output = await activity.RunAsync(new EmbeddedActivityContext(item.Name, item.InstanceId), input).ConfigureAwait(false);
                    result = new StoredEvent(StoredEventKind.TaskCompleted, _hub.UtcNow())
                    {
                        TaskId = item.TaskId,
                        ExecutionId = item.ExecutionId,
                        Result = Converter.Serialize(output),
                    };
                }
            }
#pragma warning disable CA1031 // Any activity failure becomes a durable TaskFailed result for the orchestrator.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogActivityFailed(item.Name, ex.GetType().Name);
                result = new StoredEvent(StoredEventKind.TaskFailed, _hub.UtcNow())
                {
                    TaskId = item.TaskId,
                    ExecutionId = item.ExecutionId,
                    Failure = ex is ActivityTaskNotFoundException
                        ? new TaskFailureDetails("ActivityTaskNotFound", ex.Message, null, null, null)
                        : OrchestrationExecutor.FailureOf(ex),
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
                    _hub.ActivityStored();
                }

                _hub.ActivityWake.Set();
                _hub.OrchestrationWake.Set();
                _hub.Progress.Pulse();
            }
        }
    }

    private async Task FireTimersAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _hub.TimerWake.Reset();
                var now = _hub.UtcNow();
                if (await _store.FireDueTimersAsync(now, stop).ConfigureAwait(false) > 0)
                {
                    _hub.OrchestrationWake.Set();
                    _hub.Progress.Pulse();
                }

                var next = await _store.GetNextTimerDueAsync(stop).ConfigureAwait(false);
                var delay = next is { } due ? due - _hub.UtcNow() : Timeout.InfiniteTimeSpan;
                if (next is not null && delay <= TimeSpan.Zero)
                {
                    continue; // due already: fire it now
                }

                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var wake = _hub.TimerWake.WaitAsync(sleep.Token);
                if (next is not null)
                {
                    // Task.Delay refuses more than about 49.7 days; sleep in bounded steps and look again.
                    await Task.WhenAny(wake, Task.Delay(delay < MaxTimerSleep ? delay : MaxTimerSleep, _hub.Time, sleep.Token)).ConfigureAwait(false);
                }
                else
                {
                    await wake.ConfigureAwait(false);
                }

                await sleep.CancelAsync().ConfigureAwait(false);
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
                await DelayAfterFailureAsync(stop).ConfigureAwait(false);
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
}
