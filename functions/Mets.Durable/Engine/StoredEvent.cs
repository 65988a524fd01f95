namespace Mets.Durable;

/// <summary>Kinds of stored history events and inbox messages of the embedded engine.</summary>
public enum StoredEventKind
{
    OrchestratorStarted,
    ExecutionStarted,
    TaskScheduled,
    TaskCompleted,
    TaskFailed,
    TimerCreated,
    TimerFired,
    SubOrchestrationInstanceCreated,
    SubOrchestrationInstanceCompleted,
    SubOrchestrationInstanceFailed,
    EventRaised,
    EventSent,
    ExecutionSuspended,
    ExecutionResumed,
    ExecutionTerminated,
    ExecutionCompleted,
    ExecutionFailed,
    ContinuedAsNew,
}

/// <summary>
/// One entry of an instance's append-only history as the embedded engine stores it, also used as the
/// message that delivers it. Payloads (input, result) are JSON text produced by the worker's or client's
/// <see cref="DataConverter"/>. <see cref="EmbeddedDurableTaskClient.GetOrchestrationHistoryAsync"/> shows
/// it as DurableTask.Core history events.
/// </summary>
public sealed record StoredEvent(StoredEventKind EventType, DateTime Timestamp)
{
    /// <summary>Sequence number of the action this event belongs to (activities, timers, sub-orchestrations, sent events).</summary>
    public int? TaskId { get; init; }

    /// <summary>Activity, orchestrator or event name.</summary>
    public string? Name { get; init; }

    /// <summary>Input, event payload or new input (JSON).</summary>
    public string? Input { get; init; }

    /// <summary>Result or output (JSON).</summary>
    public string? Result { get; init; }

    public TaskFailureDetails? Failure { get; init; }

    public DateTime? FireAt { get; init; }

    /// <summary>Child or target instance id.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The execution (generation) a completion message belongs to; stale ones are dropped.</summary>
    public string? ExecutionId { get; init; }

    /// <summary>Reason for suspend, resume or terminate.</summary>
    public string? Reason { get; init; }

    /// <summary>On a sub-orchestration's ExecutionStarted: the parent orchestrator's name.</summary>
    public string? ParentName { get; init; }

    public override string ToString() => TaskId is { } id ? $"{EventType} #{id} {Name}" : $"{EventType} {Name}";
}
