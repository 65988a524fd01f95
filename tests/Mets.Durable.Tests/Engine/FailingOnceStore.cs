using Mets.Durable.Storage;

namespace Mets.Durable.Tests.Engine;

/// <summary>
/// A store whose next orchestration commit or activity fetch throws when asked to (as a full disk or a lost lock
/// would); every other call goes to <paramref name="inner"/>. <see cref="Failed"/> completes when it has thrown.
/// </summary>
internal sealed class FailingOnceStore(IOrchestrationStore inner) : IOrchestrationStore
{
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failNextCommit;
    private int _failNextActivityFetch;
    private int _holdNextActivityFetch;

    public Task Failed => _failed.Task;

    public void FailNextCommit() => Volatile.Write(ref _failNextCommit, 1);

    public void FailNextActivityFetch() => Volatile.Write(ref _failNextActivityFetch, 1);

    /// <summary>The next activity fetch waits until its cancellation token is cancelled (the worker stops), then throws as a cancelled call does.</summary>
    public void HoldNextActivityFetch() => Volatile.Write(ref _holdNextActivityFetch, 1);

    /// <summary>Completes when a held activity fetch has started waiting.</summary>
    public TaskCompletionSource FetchHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task CommitOrchestrationsAsync(IReadOnlyList<OrchestrationCommit> commits, CancellationToken cancellation) =>
        Interlocked.Exchange(ref _failNextCommit, 0) == 1 ? Fail<bool>("The commit failed (test).") : inner.CommitOrchestrationsAsync(commits, cancellation);

    public async Task<IReadOnlyList<ActivityWorkItem>> FetchActivityWorkItemsAsync(int maxCount, IReadOnlySet<long> dispatched, CancellationToken cancellation)
    {
        if (Interlocked.Exchange(ref _holdNextActivityFetch, 0) == 1)
        {
            FetchHeld.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellation);
        }

        return Interlocked.Exchange(ref _failNextActivityFetch, 0) == 1
            ? await Fail<IReadOnlyList<ActivityWorkItem>>("The activity fetch failed (test).")
            : await inner.FetchActivityWorkItemsAsync(maxCount, dispatched, cancellation);
    }

    public Task InitializeAsync(CancellationToken cancellation) => inner.InitializeAsync(cancellation);

    public Task CreateInstanceAsync(InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses, CancellationToken cancellation) =>
        inner.CreateInstanceAsync(instance, startEvent, dedupeStatuses, cancellation);

    public Task<bool> EnqueueMessageAsync(string instanceId, StoredEvent message, CancellationToken cancellation) => inner.EnqueueMessageAsync(instanceId, message, cancellation);

    public Task<InstanceRecord?> GetInstanceAsync(string instanceId, CancellationToken cancellation) => inner.GetInstanceAsync(instanceId, cancellation);

    public Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(InstanceQuery query, CancellationToken cancellation) => inner.QueryInstancesAsync(query, cancellation);

    public Task<IReadOnlyList<StoredEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation) => inner.GetHistoryAsync(instanceId, cancellation);

    public Task<int> PurgeInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellation) => inner.PurgeInstancesAsync(instanceIds, cancellation);

    public Task<IReadOnlyList<OrchestrationWorkItem>> FetchOrchestrationWorkItemsAsync(int maxCount, IReadOnlySet<string> busyInstanceIds, CancellationToken cancellation) =>
        inner.FetchOrchestrationWorkItemsAsync(maxCount, busyInstanceIds, cancellation);

    public Task CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellation) => inner.CompleteActivitiesAsync(results, cancellation);

    public Task<DateTime?> GetNextTimerDueAsync(CancellationToken cancellation) => inner.GetNextTimerDueAsync(cancellation);

    public Task<int> FireDueTimersAsync(DateTime now, CancellationToken cancellation) => inner.FireDueTimersAsync(now, cancellation);

    public Task<StoreWorkCounts> GetWorkCountsAsync(DateTime now, CancellationToken cancellation) => inner.GetWorkCountsAsync(now, cancellation);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private Task<T> Fail<T>(string message)
    {
        _failed.TrySetResult();
        return Task.FromException<T>(new IOException(message));
    }
}
