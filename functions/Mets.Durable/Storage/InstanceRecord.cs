namespace Mets.Durable.Storage;

/// <summary>An instance's persisted status row.</summary>
public sealed record InstanceRecord(string InstanceId, string Name)
{
    public string ExecutionId { get; init; } = string.Empty;

    public OrchestrationRuntimeStatus Status { get; init; } = OrchestrationRuntimeStatus.Pending;

    public string? Input { get; init; }

    public string? Output { get; init; }

    public string? CustomStatus { get; init; }

    public TaskFailureDetails? Failure { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; init; }

    public string? ParentInstanceId { get; init; }

    public string? ParentExecutionId { get; init; }

    public int? ParentTaskId { get; init; }

    public bool IsTerminal => Status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}

/// <summary>A message waiting in an instance's inbox.</summary>
public sealed record InboxMessage(long Id, string InstanceId, StoredEvent Event);

/// <summary>What the orchestration dispatcher works on: one instance, its history, its new messages.</summary>
public sealed record OrchestrationWorkItem(InstanceRecord Instance, IReadOnlyList<StoredEvent> History, IReadOnlyList<InboxMessage> Messages);

/// <summary>An activity invocation waiting to run (at least once).</summary>
public sealed record ActivityWorkItem(long Id, string InstanceId, string ExecutionId, int TaskId, string Name, string? Input);

/// <summary>A new activity to enqueue.</summary>
public sealed record NewActivity(int TaskId, string Name, string? Input);

/// <summary>A durable timer to store.</summary>
public sealed record NewTimer(int TimerId, DateTime FireAt);

/// <summary>A message for another instance (or this one, for a new generation).</summary>
public sealed record OutboundMessage(string InstanceId, StoredEvent Event);

/// <summary>A sub-orchestration to create, with the failure to send back if its id is taken.</summary>
public sealed record NewChildInstance(InstanceRecord Instance, StoredEvent StartEvent, int ParentTaskId);

/// <summary>
/// Everything one orchestration episode changes, committed in one transaction: the history append
/// (or replacement, for ContinueAsNew), the instance row, consumed inbox messages, and the outgoing
/// work (activities, timers, messages, child instances): an outbox.
/// </summary>
public sealed record OrchestrationCommit(InstanceRecord Instance)
{
    public IReadOnlyList<StoredEvent> AppendedHistory { get; init; } = [];

    /// <summary>When true, the stored history is replaced by <see cref="AppendedHistory"/> (new generation).</summary>
    public bool ReplaceHistory { get; init; }

    public IReadOnlyList<long> ConsumedMessageIds { get; init; } = [];

    public IReadOnlyList<NewActivity> NewActivities { get; init; } = [];

    public IReadOnlyList<NewTimer> NewTimers { get; init; } = [];

    public IReadOnlyList<int> CancelledTimerIds { get; init; } = [];

    /// <summary>Drop every pending timer and activity of the instance (completion, termination, new generation).</summary>
    public bool ClearPendingWork { get; init; }

    public IReadOnlyList<OutboundMessage> OutboundMessages { get; init; } = [];

    public IReadOnlyList<NewChildInstance> NewChildren { get; init; } = [];
}

/// <summary>Store-level query (times as UTC).</summary>
public sealed record InstanceQuery(
    DateTime? CreatedFrom,
    DateTime? CreatedTo,
    IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses,
    string? InstanceIdPrefix,
    int PageSize,
    string? AfterInstanceId,
    string? ParentInstanceId = null);
