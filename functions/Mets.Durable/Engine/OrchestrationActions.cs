namespace Mets.Durable.Engine;

internal enum ActionKind
{
    Activity,
    Timer,
    SubOrchestration,
    SendEvent,
}

/// <summary>An action orchestrator code took, numbered by one sequence across all kinds.</summary>
internal sealed record OrchestrationAction(int Sequence, ActionKind Kind, string Name)
{
    public string? Input { get; init; }

    public DateTime? FireAt { get; init; }

    /// <summary>Child instance id (sub-orchestration) or target instance id (sent event).</summary>
    public string? InstanceId { get; init; }

    /// <summary>True once matched to a recorded history event during replay.</summary>
    public bool Recorded { get; set; }

    public string Describe() => Kind switch
    {
        ActionKind.Activity => $"activity '{Name}'",
        ActionKind.Timer => "a timer",
        ActionKind.SubOrchestration => $"sub-orchestration '{Name}' (instance '{InstanceId}')",
        _ => $"event '{Name}' sent to '{InstanceId}'",
    };

    public static string Describe(StoredEvent scheduled) => scheduled.EventType switch
    {
        StoredEventKind.TaskScheduled => $"activity '{scheduled.Name}'",
        StoredEventKind.TimerCreated => "a timer",
        StoredEventKind.SubOrchestrationInstanceCreated => $"sub-orchestration '{scheduled.Name}' (instance '{scheduled.InstanceId}')",
        _ => $"event '{scheduled.Name}' sent to '{scheduled.InstanceId}'",
    };

    private const string ChangeQuestion = "Was a change made to the orchestrator code after this instance had already started running?";

    /// <summary>DurableTask.Core's name for the action the replayed code produced (its messages name it).</summary>
    public string CoreActionName => Kind switch
    {
        ActionKind.Activity => "ScheduleTaskOrchestratorAction",
        ActionKind.Timer => "CreateTimerOrchestratorAction",
        ActionKind.SubOrchestration => "CreateSubOrchestrationAction",
        _ => "SendEventOrchestratorAction",
    };

    /// <summary>
    /// The history recorded a step the replayed code did not take (yet). Worded as DurableTask.Core words it, so an
    /// instance fails with the same message on the embedded engine as under Microsoft's runtime.
    /// </summary>
    public static string NotScheduledMessage(StoredEvent scheduled, int step) => scheduled.EventType switch
    {
        StoredEventKind.TaskScheduled =>
            $"A previous execution of this orchestration scheduled an activity task with sequence ID {step} and name '{scheduled.Name}' " +
            $"(version ''), but the current replay execution hasn't (yet?) scheduled this task. {ChangeQuestion}",
        StoredEventKind.TimerCreated =>
            $"A previous execution of this orchestration scheduled a timer task with sequence number {step} but the current replay " +
            $"execution hasn't (yet?) scheduled this task. {ChangeQuestion}",
        StoredEventKind.SubOrchestrationInstanceCreated =>
            $"A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID {step} and name " +
            $"'{scheduled.Name}' (version '', instance ID '{scheduled.InstanceId}'), but the current replay execution hasn't (yet?) " +
            $"scheduled this task. {ChangeQuestion}",
        _ =>
            $"A previous execution of this orchestration scheduled a send event task with sequence ID {step}, type 'EventSent' name " +
            $"'{scheduled.Name}', instance ID '{scheduled.InstanceId}', but the current replay execution hasn't (yet?) scheduled this " +
            $"task. {ChangeQuestion}",
    };

    /// <summary>The replayed code took another step than the history recorded (DurableTask.Core's wording where it has one).</summary>
    public static string MismatchMessage(StoredEvent scheduled, OrchestrationAction action, int step) => (scheduled.EventType, action.Kind) switch
    {
        (StoredEventKind.TaskScheduled, ActionKind.Activity) =>
            $"A previous execution of this orchestration scheduled an activity task with sequence number {step} named '{scheduled.Name}', " +
            $"but the current orchestration replay instead scheduled an activity task named '{action.Name}' with this sequence number.  {ChangeQuestion}",
        (StoredEventKind.TaskScheduled, _) =>
            $"A previous execution of this orchestration scheduled an activity task with sequence number {step} named '{scheduled.Name}', " +
            $"but the current orchestration replay instead produced a {action.CoreActionName} action with this sequence number. {ChangeQuestion}",
        (StoredEventKind.TimerCreated, _) =>
            $"A previous execution of this orchestration scheduled a timer task with sequence number {step} named but the current " +
            $"orchestration replay instead produced a {action.CoreActionName} action with this sequence number. {ChangeQuestion}",
        (StoredEventKind.SubOrchestrationInstanceCreated, ActionKind.SubOrchestration) when SameName(action, scheduled) =>
            $"A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID {step} and name '{scheduled.Name}' " +
            $"(version '', instance ID '{scheduled.InstanceId}'), but the current orchestration replay instead created it with instance ID " +
            $"'{action.InstanceId}' at this sequence number (the embedded engine also checks the instance id). {ChangeQuestion}",
        (StoredEventKind.SubOrchestrationInstanceCreated, ActionKind.SubOrchestration) =>
            $"A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID {step} and name '{scheduled.Name}' " +
            $"(version '', instance ID '{scheduled.InstanceId}'), but the current orchestration replay instead scheduled a sub-orchestration " +
            $"task with name {action.Name} at this sequence number. {ChangeQuestion}",
        (StoredEventKind.SubOrchestrationInstanceCreated, _) =>
            $"A previous execution of this orchestration scheduled a sub-orchestration task with sequence ID {step} and name '{scheduled.Name}' " +
            $"(version '', instance ID '{scheduled.InstanceId}'), but the current orchestration replay instead produced a {action.CoreActionName} " +
            $"action at this sequence number. {ChangeQuestion}",
        (_, ActionKind.SendEvent) when SameName(action, scheduled) =>
            $"A previous execution of this orchestration scheduled a send event task with sequence ID {step}, type 'EventSent', name " +
            $"'{scheduled.Name}', instance ID '{scheduled.InstanceId}', but the current orchestration replay instead sends it to instance " +
            $"'{action.InstanceId}' at this sequence number (the embedded engine also checks the target). {ChangeQuestion}",
        (_, ActionKind.SendEvent) =>
            $"A previous execution of this orchestration scheduled a send event task with sequence ID {step}, type 'EventSent', name " +
            $"'{scheduled.Name}', instance ID '{scheduled.InstanceId}'), but the current orchestration replay instead scheduled a send event " +
            $"task with name {action.Name}at this sequence number. {ChangeQuestion}",
        _ =>
            $"A previous execution of this orchestration scheduled a send event task with sequence ID {step}, type 'EventSent', name " +
            $"'{scheduled.Name}', instance ID '{scheduled.InstanceId}', but the current orchestration replay instead scheduled a " +
            $"{action.CoreActionName} task at this sequence number. {ChangeQuestion}",
    };

    private static bool SameName(OrchestrationAction action, StoredEvent scheduled) =>
        string.Equals(action.Name, scheduled.Name, StringComparison.OrdinalIgnoreCase);

    public bool Matches(StoredEvent scheduled) => (Kind, scheduled.EventType) switch
    {
        (ActionKind.Activity, StoredEventKind.TaskScheduled) => SameName(scheduled),
        (ActionKind.Timer, StoredEventKind.TimerCreated) => true,
        (ActionKind.SubOrchestration, StoredEventKind.SubOrchestrationInstanceCreated) =>
            SameName(scheduled) && string.Equals(InstanceId, scheduled.InstanceId, StringComparison.Ordinal),
        (ActionKind.SendEvent, StoredEventKind.EventSent) =>
            SameName(scheduled) && string.Equals(InstanceId, scheduled.InstanceId, StringComparison.Ordinal),
        _ => false,
    };

    public StoredEvent ToHistoryEvent(DateTime timestamp) => new(
        Kind switch
        {
            ActionKind.Activity => StoredEventKind.TaskScheduled,
            ActionKind.Timer => StoredEventKind.TimerCreated,
            ActionKind.SubOrchestration => StoredEventKind.SubOrchestrationInstanceCreated,
            _ => StoredEventKind.EventSent,
        },
        timestamp)
    {
        TaskId = Sequence,
        Name = Kind == ActionKind.Timer ? null : Name,
        Input = Input,
        FireAt = FireAt,
        InstanceId = InstanceId,
    };

    private bool SameName(StoredEvent scheduled) => string.Equals(Name, scheduled.Name, StringComparison.OrdinalIgnoreCase);
}
