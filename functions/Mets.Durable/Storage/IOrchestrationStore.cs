namespace Mets.Durable.Storage;

/// <summary>
/// Durable state of the embedded engine. Every method is atomic. Implementations: in-memory (tests, the workload
/// simulator), the journaled store (state in memory, changes journaled to SQLite: the local host's) and the relational
/// SQLite store; all pass the same contract test suite (docs/durable-engine.md, "The stores").
/// </summary>
public interface IOrchestrationStore : IAsyncDisposable
{
    Task InitializeAsync(CancellationToken cancellation);

    /// <summary>
    /// Creates an instance with its ExecutionStarted message. Throws
    /// <see cref="DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException"/> when an instance with that id
    /// exists in one of the <paramref name="dedupeStatuses"/>; otherwise replaces it (history, inbox, timers and
    /// activities of the old one are dropped).
    /// </summary>
    Task CreateInstanceAsync(InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses, CancellationToken cancellation);

    /// <summary>Adds a message to an instance's inbox; false when the instance does not exist.</summary>
    Task<bool> EnqueueMessageAsync(string instanceId, StoredEvent message, CancellationToken cancellation);

    Task<InstanceRecord?> GetInstanceAsync(string instanceId, CancellationToken cancellation);

    /// <summary>Instances ordered by id, after <see cref="InstanceQuery.AfterInstanceId"/>.</summary>
    Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(InstanceQuery query, CancellationToken cancellation);

    Task<IReadOnlyList<StoredEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation);

    /// <summary>Deletes terminal instances with their history; returns how many were deleted.</summary>
    Task<int> PurgeInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellation);

    /// <summary>
    /// Up to <paramref name="maxCount"/> instances that have inbox messages they can process now (a
    /// suspended instance only with a resume or terminate waiting), oldest message first, skipping
    /// <paramref name="busyInstanceIds"/>.
    /// </summary>
    Task<IReadOnlyList<OrchestrationWorkItem>> FetchOrchestrationWorkItemsAsync(int maxCount, IReadOnlySet<string> busyInstanceIds, CancellationToken cancellation);

    /// <summary>Commits the episodes of distinct instances, all in one transaction.</summary>
    Task CommitOrchestrationsAsync(IReadOnlyList<OrchestrationCommit> commits, CancellationToken cancellation);

    /// <summary>Pending activities not in <paramref name="dispatched"/>, oldest first.</summary>
    Task<IReadOnlyList<ActivityWorkItem>> FetchActivityWorkItemsAsync(int maxCount, IReadOnlySet<long> dispatched, CancellationToken cancellation);

    /// <summary>Deletes each finished activity and delivers its result message to its instance, all in one transaction.</summary>
    Task CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellation);

    Task<DateTime?> GetNextTimerDueAsync(CancellationToken cancellation);

    /// <summary>Moves every timer due at or before <paramref name="now"/> into its instance's inbox; returns the count.</summary>
    Task<int> FireDueTimersAsync(DateTime now, CancellationToken cancellation);

    /// <summary>Counts of waiting work, for idle detection and diagnostics.</summary>
    Task<StoreWorkCounts> GetWorkCountsAsync(DateTime now, CancellationToken cancellation);
}

/// <summary>Waiting work: inbox messages processable now, activities, timers due now, timers pending.</summary>
public sealed record StoreWorkCounts(int ReadyInstances, int Activities, int DueTimers, int PendingTimers);

/// <summary>A finished activity and the message (TaskCompleted or TaskFailed) that reports it.</summary>
public sealed record ActivityResult(ActivityWorkItem Item, StoredEvent Result);
