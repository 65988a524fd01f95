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

    public static string Describe(HistoryEvent scheduled) => scheduled.EventType switch
    {
        HistoryEventType.TaskScheduled => $"activity '{scheduled.Name}'",
        HistoryEventType.TimerCreated => "a timer",
        HistoryEventType.SubOrchestrationInstanceCreated => $"sub-orchestration '{scheduled.Name}' (instance '{scheduled.InstanceId}')",
        _ => $"event '{scheduled.Name}' sent to '{scheduled.InstanceId}'",
    };

    public bool Matches(HistoryEvent scheduled) => (Kind, scheduled.EventType) switch
    {
        (ActionKind.Activity, HistoryEventType.TaskScheduled) => SameName(scheduled),
        (ActionKind.Timer, HistoryEventType.TimerCreated) => true,
        (ActionKind.SubOrchestration, HistoryEventType.SubOrchestrationInstanceCreated) =>
            SameName(scheduled) && string.Equals(InstanceId, scheduled.InstanceId, StringComparison.Ordinal),
        (ActionKind.SendEvent, HistoryEventType.EventSent) =>
            SameName(scheduled) && string.Equals(InstanceId, scheduled.InstanceId, StringComparison.Ordinal),
        _ => false,
    };

    public HistoryEvent ToHistoryEvent(DateTime timestamp) => new(
        Kind switch
        {
            ActionKind.Activity => HistoryEventType.TaskScheduled,
            ActionKind.Timer => HistoryEventType.TimerCreated,
            ActionKind.SubOrchestration => HistoryEventType.SubOrchestrationInstanceCreated,
            _ => HistoryEventType.EventSent,
        },
        timestamp)
    {
        TaskId = Sequence,
        Name = Kind == ActionKind.Timer ? null : Name,
        Input = Input,
        FireAt = FireAt,
        InstanceId = InstanceId,
    };

    private bool SameName(HistoryEvent scheduled) => string.Equals(Name, scheduled.Name, StringComparison.OrdinalIgnoreCase);
}
