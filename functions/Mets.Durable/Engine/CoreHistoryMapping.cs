using Mets.Durable.Storage;
using Core = DurableTask.Core;
using CoreHistory = DurableTask.Core.History;

namespace Mets.Durable.Engine;

/// <summary>
/// Shows the embedded engine's stored history as the DurableTask.Core history events Microsoft's
/// <see cref="DurableTaskClient.GetOrchestrationHistoryAsync"/> returns: scheduling events carry the task's
/// sequence number as their event id, completions point back to it, everything else has event id -1.
/// </summary>
internal static class CoreHistoryMapping
{
    public static IList<CoreHistory.HistoryEvent> ToCoreHistory(InstanceRecord instance, IReadOnlyList<StoredEvent> stored)
    {
        var result = new List<CoreHistory.HistoryEvent>(stored.Count);
        foreach (var e in stored)
        {
            if (ToCore(instance, e) is { } core)
            {
                core.Timestamp = DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc);
                result.Add(core);
            }
        }

        return result;
    }

    private static CoreHistory.HistoryEvent? ToCore(InstanceRecord instance, StoredEvent e) => e.EventType switch
    {
        StoredEventKind.OrchestratorStarted => new CoreHistory.OrchestratorStartedEvent(-1),
        StoredEventKind.ExecutionStarted => new CoreHistory.ExecutionStartedEvent(-1, e.Input)
        {
            Name = e.Name ?? instance.Name,
            Version = string.Empty,
            ParentInstance = instance.ParentInstanceId is null ? null : new Core.ParentInstance
            {
                Name = e.ParentName,
                OrchestrationInstance = new Core.OrchestrationInstance { InstanceId = instance.ParentInstanceId, ExecutionId = instance.ParentExecutionId },
                TaskScheduleId = instance.ParentTaskId ?? -1,
            },
        },
        StoredEventKind.TaskScheduled => new CoreHistory.TaskScheduledEvent(Id(e), e.Name ?? string.Empty, string.Empty, e.Input),
        StoredEventKind.TaskCompleted => new CoreHistory.TaskCompletedEvent(-1, Id(e), e.Result),
        StoredEventKind.TaskFailed => new CoreHistory.TaskFailedEvent(-1, Id(e), e.Failure?.ErrorMessage, null, ToCore(e.Failure)),
        StoredEventKind.TimerCreated => new CoreHistory.TimerCreatedEvent(Id(e), e.FireAt ?? e.Timestamp),
        StoredEventKind.TimerFired => new CoreHistory.TimerFiredEvent(-1, e.FireAt ?? e.Timestamp) { TimerId = Id(e) },
        StoredEventKind.SubOrchestrationInstanceCreated => new CoreHistory.SubOrchestrationInstanceCreatedEvent(Id(e))
        {
            Name = e.Name,
            Version = string.Empty,
            InstanceId = e.InstanceId,
            Input = e.Input,
        },
        StoredEventKind.SubOrchestrationInstanceCompleted => new CoreHistory.SubOrchestrationInstanceCompletedEvent(-1, Id(e), e.Result),
        StoredEventKind.SubOrchestrationInstanceFailed => new CoreHistory.SubOrchestrationInstanceFailedEvent(-1, Id(e), e.Failure?.ErrorMessage, null, ToCore(e.Failure)),
        StoredEventKind.EventRaised => new CoreHistory.EventRaisedEvent(-1, e.Input) { Name = e.Name },
        StoredEventKind.EventSent => new CoreHistory.EventSentEvent(Id(e)) { Name = e.Name, InstanceId = e.InstanceId, Input = e.Input },
        StoredEventKind.ExecutionSuspended => new CoreHistory.ExecutionSuspendedEvent(-1, e.Reason),
        StoredEventKind.ExecutionResumed => new CoreHistory.ExecutionResumedEvent(-1, e.Reason),
        StoredEventKind.ExecutionTerminated => new CoreHistory.ExecutionTerminatedEvent(-1, e.Input),
        StoredEventKind.ExecutionCompleted => new CoreHistory.ExecutionCompletedEvent(-1, e.Result, Core.OrchestrationStatus.Completed, null),
        StoredEventKind.ExecutionFailed => new CoreHistory.ExecutionCompletedEvent(-1, e.Result, Core.OrchestrationStatus.Failed, ToCore(e.Failure)),
        StoredEventKind.ContinuedAsNew => new CoreHistory.ContinueAsNewEvent(-1, e.Input),
        _ => null,
    };

    private static int Id(StoredEvent e) => e.TaskId ?? -1;

    private static Core.FailureDetails? ToCore(TaskFailureDetails? failure) => failure is null
        ? null
        : new Core.FailureDetails(failure.ErrorType, failure.ErrorMessage, failure.StackTrace, ToCore(failure.InnerFailure), false);
}
