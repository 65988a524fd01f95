using DurableTask.Core.Exceptions;
using Mets.Durable.Storage;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mets.Durable.Engine;

/// <summary>What one episode decided.</summary>
internal sealed record EpisodeResult(EpisodeOutcome Outcome)
{
    public List<StoredEvent> NewHistory { get; init; } = [];

    public string? Output { get; init; }

    public TaskFailureDetails? Failure { get; init; }

    public string? CustomStatus { get; init; }

    public bool CustomStatusSet { get; init; }

    public List<NewActivity> NewActivities { get; init; } = [];

    public List<NewTimer> NewTimers { get; init; } = [];

    public List<int> CancelledTimerIds { get; init; } = [];

    public List<OrchestrationAction> SentEvents { get; init; } = [];

    public List<OrchestrationAction> NewChildren { get; init; } = [];

    public string? ContinueAsNewInput { get; init; }

    /// <summary>Events carried into the next generation (unprocessed, when preserved).</summary>
    public List<StoredEvent> CarriedEvents { get; init; } = [];
}

internal enum EpisodeOutcome
{
    Running,
    Completed,
    Failed,
    ContinuedAsNew,
}

/// <summary>
/// Replays an instance's history through its orchestrator, applies the new messages, and reports the
/// new history and actions. Synchronous and single-threaded by design: the orchestrator runs on
/// <see cref="OrchestrationScheduler"/> on the calling thread and is drained after every event, so
/// the outcome never depends on how events were batched into episodes.
/// <para>
/// With <paramref name="keptCapacity"/> above zero, an orchestration still running after its episode is kept in memory
/// (its code suspended at its awaits, with its context and DI scope) for the next episode of the same execution, which
/// then applies only its new events instead of replaying the history: what Durable Functions calls extended sessions.
/// The next episode uses it only when the instance's stored history is exactly as long as the kept one saw
/// (same execution id), so an episode whose commit failed, a restart, a terminate or a history written elsewhere
/// replays from the store as before. Least recently used first out beyond the capacity.
/// </para>
/// </summary>
internal sealed class OrchestrationExecutor(IDurableTaskFactory factory, DataConverter converter, ILoggerFactory loggerFactory, int keptCapacity = 0)
{
    private readonly KeptOrchestrations _kept = new(keptCapacity);

    /// <summary>Runs one episode without keeping the orchestration (replay tools): <paramref name="services"/> serves the orchestrator.</summary>
    public EpisodeResult Execute(InstanceRecord instance, IReadOnlyList<StoredEvent> past, IReadOnlyList<StoredEvent> newEvents, DateTime now, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(past);
        ArgumentNullException.ThrowIfNull(newEvents);
        return Run(instance, past, newEvents, now, services, scope: null);
    }

    /// <summary>
    /// Runs one episode: on the orchestration kept from the previous episode when it saw exactly <paramref name="past"/>,
    /// otherwise on a new one in a new scope of <paramref name="scopes"/> that replays <paramref name="past"/> first.
    /// </summary>
    public EpisodeResult Execute(InstanceRecord instance, IReadOnlyList<StoredEvent> past, IReadOnlyList<StoredEvent> newEvents, DateTime now, IServiceScopeFactory scopes)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(past);
        ArgumentNullException.ThrowIfNull(newEvents);
        ArgumentNullException.ThrowIfNull(scopes);
        var kept = _kept.Take(instance.InstanceId, instance.ExecutionId, past.Count);
        var scope = kept?.Scope ?? scopes.CreateScope();
        try
        {
            return kept is not null ? Continue(kept, past.Count, newEvents, now) : Run(instance, past, newEvents, now, scope.ServiceProvider, scope);
        }
        catch
        {
            scope.Dispose(); // an episode that throws is not kept: the dispatcher retries it, replaying from the store
            throw;
        }
    }

    /// <summary>Drops every kept orchestration and disposes its scope (the worker stops).</summary>
    public void DropKept() => _kept.Clear();

    private EpisodeResult Run(InstanceRecord instance, IReadOnlyList<StoredEvent> past, IReadOnlyList<StoredEvent> newEvents, DateTime now, IServiceProvider services, IServiceScope? scope)
    {
        if (!factory.TryCreateOrchestrator(instance.Name, services, out var orchestrator))
        {
            scope?.Dispose();
            return new EpisodeResult(EpisodeOutcome.Failed)
            {
                NewHistory = [.. newEvents],
                Failure = new TaskFailureDetails("OrchestratorTaskNotFound", $"No orchestrator task named '{instance.Name}' was found.", null, null, null),
            };
        }

        var running = new RunningOrchestration(
            instance.InstanceId,
            instance.ExecutionId,
            orchestrator!,
            new EmbeddedOrchestrationContext(instance.Name, instance.InstanceId, ParentOf(instance, past, newEvents), converter, loggerFactory),
            new OrchestrationScheduler(),
            scope);
        try
        {
            foreach (var e in past)
            {
                running.Run = Apply(e, running);
            }
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            scope?.Dispose();
            return NonDeterministic(running, [], newEvents, now, ex);
        }

        return Episode(running, past.Count, newEvents, now);
    }

    private EpisodeResult Continue(RunningOrchestration kept, int pastCount, IReadOnlyList<StoredEvent> newEvents, DateTime now)
    {
        kept.Scheduler.Reopen();
        kept.Context.Reenter();
        return Episode(kept, pastCount, newEvents, now);
    }

    /// <summary>The episode proper, after the replay (or on a kept orchestration): its start, its new events, what it decided.</summary>
    private EpisodeResult Episode(RunningOrchestration running, int pastCount, IReadOnlyList<StoredEvent> newEvents, DateTime now)
    {
        var context = running.Context;
        var scheduler = running.Scheduler;
        var newHistory = new List<StoredEvent>();
        try
        {
            context.Replaying = false;
            var started = new StoredEvent(StoredEventKind.OrchestratorStarted, Max(now, context.CurrentUtcDateTime));
            newHistory.Add(started);
            running.Run = Apply(started, running);

            foreach (var e in newEvents)
            {
                newHistory.Add(e);
                running.Run = Apply(e, running);
            }
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            running.Scope?.Dispose();
            return NonDeterministic(running, newHistory, newEvents, now, ex);
        }

        scheduler.Close();
        var result = Decide(running, newHistory);
        if (keptCapacity > 0 && running.Scope is not null && result.Outcome == EpisodeOutcome.Running && running.Run is { IsCompleted: false }
            && !scheduler.NonDurableContinuationDetected)
        {
            running.HistoryCount = pastCount + result.NewHistory.Count;
            _kept.Keep(running);
        }
        else
        {
            running.Scope?.Dispose();
        }

        return result;
    }

    private static EpisodeResult NonDeterministic(RunningOrchestration running, List<StoredEvent> newHistory, IReadOnlyList<StoredEvent> newEvents, DateTime now, NonDeterministicOrchestrationException ex)
    {
        // The episode is recorded as DurableTask.Core records it: its new events, then what the replayed code
        // scheduled that the history does not have (never dispatched), then the failure.
        var context = running.Context;
        running.Scheduler.Close();
        if (newHistory.Count == 0)
        {
            newHistory.Add(new StoredEvent(StoredEventKind.OrchestratorStarted, Max(now, context.CurrentUtcDateTime)));
        }

        var recorded = new HashSet<StoredEvent>(newHistory, ReferenceEqualityComparer.Instance);
        newHistory.AddRange(newEvents.Where(e => !recorded.Contains(e)));
        var at = context.CurrentUtcDateTime;
        newHistory.AddRange(context.TakeUnrecordedActions().Select(a => a.ToHistoryEvent(at)));
        return Failed(newHistory, context, FailureOf(ex));
    }

    private EpisodeResult Decide(RunningOrchestration running, List<StoredEvent> newHistory)
    {
        var context = running.Context;
        var run = running.Run;
        var stamp = context.CurrentUtcDateTime;
        var result = new EpisodeResult(EpisodeOutcome.Running)
        {
            NewHistory = newHistory,
            CustomStatus = context.CustomStatus,
            CustomStatusSet = context.CustomStatusSet,
            CancelledTimerIds = [.. context.CancelledTimers],
        };

        // ContinueAsNew takes effect once the code has returned and no durable task it started is still open, as in
        // DurableTask.Core (which completes an orchestration only when it has no open task): a fire-and-forget
        // activity, sub-orchestration or live timer holds the generation until it finishes.
        if (run is { IsCompleted: true } && context.ContinueAsNewRequested && run.Status == TaskStatus.RanToCompletion && !context.HasOpenDurableTasks)
        {
            AddNewActions(context, result, stamp, includeWaitingWork: false);
            if (context.PreserveUnprocessedEvents)
            {
                result.CarriedEvents.AddRange(context.BufferedEvents);
                result.CarriedEvents.AddRange(context.EventsAfterContinueAsNew);
            }

            return result with { Outcome = EpisodeOutcome.ContinuedAsNew, ContinueAsNewInput = context.ContinueAsNewInput };
        }

        AddNewActions(context, result, stamp, includeWaitingWork: true);

        if (run is null)
        {
            return result; // not started yet (no ExecutionStarted seen): nothing to decide
        }

        if (run.IsCompleted)
        {
            if (context.HasOpenDurableTasks)
            {
                return result; // returned with a live timer or unfinished task: stays Running, as in Durable
            }

            if (run.Status == TaskStatus.RanToCompletion)
            {
                return result with { Outcome = EpisodeOutcome.Completed, Output = converter.Serialize(run.Result) };
            }

            var error = run.Exception?.InnerException ?? (Exception)new TaskCanceledException();
            return result with { Outcome = EpisodeOutcome.Failed, Failure = FailureOf(error) };
        }

        if (running.Scheduler.NonDurableContinuationDetected || (!context.HasOpenDurableTasks && !context.HasLiveEventWaiters))
        {
            return result with
            {
                Outcome = EpisodeOutcome.Failed,
                Failure = FailureOf(new NonDurableAwaitException(
                    $"Orchestrator '{context.Name.Name}' awaited a non-durable task (Task.Delay, Task.Run, ConfigureAwait(false) or I/O): " +
                    "the episode ended with the orchestrator unfinished and no durable task outstanding.")),
            };
        }

        return result;
    }

    /// <summary>The parent named in the child's ExecutionStarted event (older stored children lack the name: their own is used).</summary>
    private static ParentOrchestrationInstance? ParentOf(InstanceRecord instance, IReadOnlyList<StoredEvent> past, IReadOnlyList<StoredEvent> newEvents)
    {
        if (instance.ParentInstanceId is null)
        {
            return null;
        }

        var started = past.Concat(newEvents).FirstOrDefault(e => e.EventType == StoredEventKind.ExecutionStarted);
        return new ParentOrchestrationInstance(started?.ParentName ?? instance.Name, instance.ParentInstanceId);
    }

    /// <summary>
    /// How an orchestration's failure is recorded, as DurableTask.Core records it under Microsoft's worker: the
    /// exception's type, message and stack; an uncaught <see cref="TaskFailedException"/> keeps the failed
    /// task's details as its inner failure; other inner exceptions become inner failures.
    /// </summary>
    internal static TaskFailureDetails FailureOf(Exception exception) => new(
        exception.GetType().FullName ?? exception.GetType().Name,
        exception.Message,
        exception.StackTrace,
        exception is Microsoft.DurableTask.TaskFailedException failed ? failed.FailureDetails : exception.InnerException is { } inner ? FailureOf(inner) : null,
        null);

    private static EpisodeResult Failed(List<StoredEvent> newHistory, EmbeddedOrchestrationContext context, TaskFailureDetails failure) =>
        new(EpisodeOutcome.Failed)
        {
            NewHistory = newHistory,
            Failure = failure,
            CustomStatus = context.CustomStatus,
            CustomStatusSet = context.CustomStatusSet,
        };

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static void AddNewActions(EmbeddedOrchestrationContext context, EpisodeResult result, DateTime stamp, bool includeWaitingWork)
    {
        // An action added to the history this episode commits is recorded: a kept orchestration's next episode must not
        // schedule it again (a replay would match it to that history).
        foreach (var action in context.TakeUnrecordedActions())
        {
            if (action.Kind == ActionKind.SendEvent)
            {
                result.NewHistory.Add(action.ToHistoryEvent(stamp));
                action.Recorded = true;
                result.SentEvents.Add(action);
                continue;
            }

            if (!includeWaitingWork)
            {
                continue; // ContinueAsNew drops timers and work the old generation scheduled last
            }

            result.NewHistory.Add(action.ToHistoryEvent(stamp));
            action.Recorded = true;
            switch (action.Kind)
            {
                case ActionKind.Activity:
                    result.NewActivities.Add(new NewActivity(action.Sequence, action.Name, action.Input));
                    break;
                case ActionKind.Timer when !context.CancelledTimers.Contains(action.Sequence):
                    result.NewTimers.Add(new NewTimer(action.Sequence, action.FireAt!.Value));
                    break;
                case ActionKind.SubOrchestration:
                    result.NewChildren.Add(action);
                    break;
            }
        }
    }

    private Task<object?>? Apply(StoredEvent e, RunningOrchestration running)
    {
        var context = running.Context;
        var scheduler = running.Scheduler;
        var orchestrator = running.Orchestrator;
        var run = running.Run;
        switch (e.EventType)
        {
            case StoredEventKind.OrchestratorStarted:
                context.AdvanceTime(e.Timestamp);
                break;
            case StoredEventKind.ExecutionStarted when run is null:
                run = scheduler.Start(() => StartOrchestrator(orchestrator, context, e.Input));
                break;
            case StoredEventKind.TaskScheduled or StoredEventKind.TimerCreated or StoredEventKind.SubOrchestrationInstanceCreated or StoredEventKind.EventSent:
                context.MatchRecorded(e);
                break;
            case StoredEventKind.TaskCompleted or StoredEventKind.SubOrchestrationInstanceCompleted:
                context.CompleteTask(e.TaskId ?? -1, e.Result);
                break;
            case StoredEventKind.TimerFired:
                context.CompleteTask(e.TaskId ?? -1, null);
                break;
            case StoredEventKind.TaskFailed or StoredEventKind.SubOrchestrationInstanceFailed:
                context.FailTask(e.TaskId ?? -1, e.Failure ?? new TaskFailureDetails("unknown", "The task failed.", null, null, null));
                break;
            case StoredEventKind.EventRaised when run is { IsCompleted: true } && context.ContinueAsNewRequested:
                context.KeepForNextGeneration(e); // arrived after ContinueAsNew: never delivered to this generation
                break;
            case StoredEventKind.EventRaised:
                context.RaiseEvent(e);
                break;
        }

        scheduler.Drain();
        return run;
    }

    private Task<object?> StartOrchestrator(ITaskOrchestrator orchestrator, EmbeddedOrchestrationContext context, string? serializedInput)
    {
        var input = converter.Deserialize(serializedInput, orchestrator.InputType);
        context.SetInput(input);
        return orchestrator.RunAsync(context, input);
    }

    /// <summary>One orchestration's running code and state: replayed or kept between episodes.</summary>
    private sealed class RunningOrchestration(
        string instanceId, string? executionId, ITaskOrchestrator orchestrator, EmbeddedOrchestrationContext context, OrchestrationScheduler scheduler, IServiceScope? scope)
    {
        public string InstanceId { get; } = instanceId;

        public string? ExecutionId { get; } = executionId;

        public ITaskOrchestrator Orchestrator { get; } = orchestrator;

        public EmbeddedOrchestrationContext Context { get; } = context;

        public OrchestrationScheduler Scheduler { get; } = scheduler;

        /// <summary>The DI scope the orchestrator was created in; it lives as long as the orchestrator (null: the replay tools').</summary>
        public IServiceScope? Scope { get; } = scope;

        public Task<object?>? Run { get; set; }

        /// <summary>How many history events the orchestration has seen, committed ones only once kept.</summary>
        public int HistoryCount { get; set; }
    }

    /// <summary>Kept orchestrations by instance id, least recently used first out; one dispatcher uses it, the lock is for safety.</summary>
    private sealed class KeptOrchestrations(int capacity)
    {
        private readonly Dictionary<string, LinkedListNode<RunningOrchestration>> _byInstance = new(StringComparer.Ordinal);
        private readonly LinkedList<RunningOrchestration> _recency = new();
        private readonly Lock _gate = new();

        /// <summary>
        /// Removes and returns the kept orchestration of the instance when it saw exactly <paramref name="historyCount"/>
        /// events of execution <paramref name="executionId"/>; a kept one that does not fit is dropped.
        /// </summary>
        public RunningOrchestration? Take(string instanceId, string? executionId, int historyCount)
        {
            RunningOrchestration kept;
            lock (_gate)
            {
                if (!_byInstance.Remove(instanceId, out var node))
                {
                    return null;
                }

                _recency.Remove(node);
                kept = node.Value;
            }

            if (string.Equals(kept.ExecutionId, executionId, StringComparison.Ordinal) && kept.HistoryCount == historyCount
                && !kept.Scheduler.NonDurableContinuationDetected)
            {
                return kept;
            }

            kept.Scope?.Dispose();
            return null;
        }

        public void Keep(RunningOrchestration running)
        {
            var dropped = new List<RunningOrchestration>();
            lock (_gate)
            {
                if (_byInstance.Remove(running.InstanceId, out var previous))
                {
                    _recency.Remove(previous);
                    dropped.Add(previous.Value);
                }

                _byInstance[running.InstanceId] = _recency.AddLast(running);
                while (_byInstance.Count > capacity && _recency.First is { } oldest)
                {
                    _recency.RemoveFirst();
                    _byInstance.Remove(oldest.Value.InstanceId);
                    dropped.Add(oldest.Value);
                }
            }

            foreach (var d in dropped)
            {
                d.Scope?.Dispose();
            }
        }

        public void Clear()
        {
            List<RunningOrchestration> dropped;
            lock (_gate)
            {
                dropped = [.. _recency];
                _recency.Clear();
                _byInstance.Clear();
            }

            foreach (var d in dropped)
            {
                d.Scope?.Dispose();
            }
        }
    }
}
