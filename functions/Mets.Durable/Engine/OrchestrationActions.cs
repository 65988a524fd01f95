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

    /// <summary>The history recorded a step the replayed code did not take.</summary>
    public static string NotScheduledMessage(StoredEvent scheduled, int step) =>
        $"At step #{step} the history has {Describe(scheduled)}, but the orchestrator code now schedules nothing at this step. " +
        "Was a change made to the orchestrator code after this instance had already started running?";

    /// <summary>The replayed code took another step than the history recorded.</summary>
    public static string MismatchMessage(StoredEvent scheduled, OrchestrationAction action, int step) =>
        $"At step #{step} the history has {Describe(scheduled)}, but the orchestrator code now schedules {action.Describe()}. " +
        "Was a change made to the orchestrator code after this instance had already started running?";

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
