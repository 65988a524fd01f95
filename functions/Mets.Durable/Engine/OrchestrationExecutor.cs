using DurableTask.Core.Exceptions;
using Mets.Durable.Storage;
using Microsoft.DurableTask.Worker;
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
/// </summary>
internal sealed class OrchestrationExecutor(IDurableTaskFactory factory, DataConverter converter, ILoggerFactory loggerFactory)
{
    public EpisodeResult Execute(InstanceRecord instance, IReadOnlyList<StoredEvent> past, IReadOnlyList<StoredEvent> newEvents, DateTime now, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(past);
        ArgumentNullException.ThrowIfNull(newEvents);

        var newHistory = new List<StoredEvent>();
        if (!factory.TryCreateOrchestrator(instance.Name, services, out var orchestrator))
        {
            newHistory.AddRange(newEvents);
            return new EpisodeResult(EpisodeOutcome.Failed)
            {
                NewHistory = newHistory,
                Failure = new TaskFailureDetails("OrchestratorTaskNotFound", $"No orchestrator task named '{instance.Name}' was found.", null, null, null),
            };
        }

        var context = new EmbeddedOrchestrationContext(instance.Name, instance.InstanceId, ParentOf(instance, past, newEvents), converter, loggerFactory);
        var scheduler = new OrchestrationScheduler();
        Task<object?>? run = null;

        try
        {
            foreach (var e in past)
            {
                run = Apply(e, context, scheduler, orchestrator!, run);
            }

            context.Replaying = false;
            var started = new StoredEvent(StoredEventKind.OrchestratorStarted, Max(now, context.CurrentUtcDateTime));
            newHistory.Add(started);
            run = Apply(started, context, scheduler, orchestrator!, run);

            foreach (var e in newEvents)
            {
                newHistory.Add(e);
                run = Apply(e, context, scheduler, orchestrator!, run);
            }
        }
        catch (NonDeterministicOrchestrationException ex)
        {
            // The episode is recorded as DurableTask.Core records it: its new events, then what the replayed code
            // scheduled that the history does not have (never dispatched), then the failure.
            scheduler.Close();
            if (newHistory.Count == 0)
            {
                newHistory.Add(new StoredEvent(StoredEventKind.OrchestratorStarted, Max(now, context.CurrentUtcDateTime)));
            }

            var recorded = new HashSet<StoredEvent>(newHistory, ReferenceEqualityComparer.Instance);
            newHistory.AddRange(newEvents.Where(e => !recorded.Contains(e)));
            var at = context.CurrentUtcDateTime;
            newHistory.AddRange(context.Actions.Values.Where(a => !a.Recorded).OrderBy(a => a.Sequence).Select(a => a.ToHistoryEvent(at)));
            return Failed(newHistory, context, FailureOf(ex));
        }

        scheduler.Close();
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

        if (scheduler.NonDurableContinuationDetected || (!context.HasOpenDurableTasks && !context.HasLiveEventWaiters))
        {
            return result with
            {
                Outcome = EpisodeOutcome.Failed,
                Failure = FailureOf(new NonDurableAwaitException(
                    $"Orchestrator '{instance.Name}' awaited a non-durable task (Task.Delay, Task.Run, ConfigureAwait(false) or I/O): " +
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
        foreach (var action in context.Actions.Values.Where(a => !a.Recorded).OrderBy(a => a.Sequence))
        {
            if (action.Kind == ActionKind.SendEvent)
            {
                result.NewHistory.Add(action.ToHistoryEvent(stamp));
                result.SentEvents.Add(action);
                continue;
            }

            if (!includeWaitingWork)
            {
                continue; // ContinueAsNew drops timers and work the old generation scheduled last
            }

            result.NewHistory.Add(action.ToHistoryEvent(stamp));
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

    private Task<object?>? Apply(StoredEvent e, EmbeddedOrchestrationContext context, OrchestrationScheduler scheduler, ITaskOrchestrator orchestrator, Task<object?>? run)
    {
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
}
