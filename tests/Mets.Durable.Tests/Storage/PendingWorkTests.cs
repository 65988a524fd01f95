using Mets.Durable.Storage;
using Mets.Durable.Tests.Engine;

namespace Mets.Durable.Tests.Storage;

/// <summary>
/// The store's own bookkeeping of open timers and pending activities per instance: cancelling timers, ending a
/// generation and purging touch exactly the instance (and execution) they name, on both stores.
/// </summary>
public class PendingWorkTests
{
    private static readonly DateTime T0 = new(2027, 1, 4, 9, 0, 0, DateTimeKind.Utc);
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CancelAndClear_TouchOnlyTheNamedInstancesTimersAndActivities(string kind)
    {
        await using var store = StoreKinds.Create(kind);
        await store.InitializeAsync(None);
        var a = await StartAsync(store, "a");
        var b = await StartAsync(store, "b");

        await CommitAsync(store, new OrchestrationCommit(a)
        {
            NewTimers = [new NewTimer(1, T0.AddHours(1)), new NewTimer(2, T0.AddHours(2))],
            NewActivities = [new NewActivity(1, "ForA", null)],
        });
        await CommitAsync(store, new OrchestrationCommit(b)
        {
            NewTimers = [new NewTimer(1, T0.AddHours(1))],
            NewActivities = [new NewActivity(1, "ForB", null)],
        });
        Assert.Equal((2, 3), await PendingAsync(store));

        // Timer 1 of another execution of a: nothing cancelled. Timer 1 of a's execution: only a's.
        await CommitAsync(store, new OrchestrationCommit(a with { ExecutionId = "other" }) { CancelledTimerIds = [1] });
        Assert.Equal((2, 3), await PendingAsync(store));
        await CommitAsync(store, new OrchestrationCommit(a) { CancelledTimerIds = [1] });
        Assert.Equal((2, 2), await PendingAsync(store));

        // At T0 + 1 h only b's timer 1 is due (a's was cancelled).
        Assert.Equal(1, await store.FireDueTimersAsync(T0.AddHours(1.5), None));
        Assert.Equal((2, 1), await PendingAsync(store));

        // A new generation of a drops a's timer 2 and activity; b's activity stays.
        await CommitAsync(store, new OrchestrationCommit(a) { ClearPendingWork = true });
        Assert.Equal((1, 0), await PendingAsync(store));
        var left = await store.FetchActivityWorkItemsAsync(10, new HashSet<long>(), None);
        Assert.Equal("ForB", Assert.Single(left).Name);

        // After a's pending work was dropped, new timers and activities of a are tracked again.
        await CommitAsync(store, new OrchestrationCommit(a) { NewTimers = [new NewTimer(3, T0.AddHours(3))], NewActivities = [new NewActivity(2, "ForA", null)] });
        Assert.Equal((2, 1), await PendingAsync(store));
        await CommitAsync(store, new OrchestrationCommit(a) { CancelledTimerIds = [3] });
        Assert.Equal((2, 0), await PendingAsync(store));
        Assert.Null(await store.GetNextTimerDueAsync(None));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Purge_DropsTheInstancesPendingWork_AndACompletedActivityReportsNothing(string kind)
    {
        await using var store = StoreKinds.Create(kind);
        await store.InitializeAsync(None);
        var a = await StartAsync(store, "a");
        var b = await StartAsync(store, "b");
        await CommitAsync(store, new OrchestrationCommit(a) { NewTimers = [new NewTimer(1, T0.AddHours(1))], NewActivities = [new NewActivity(1, "ForA", null)] });
        await CommitAsync(store, new OrchestrationCommit(b) { NewTimers = [new NewTimer(1, T0.AddHours(1))], NewActivities = [new NewActivity(1, "ForB", null)] });
        var activities = await store.FetchActivityWorkItemsAsync(10, new HashSet<long>(), None);

        await CommitAsync(store, new OrchestrationCommit(a with { Status = OrchestrationRuntimeStatus.Terminated }));
        Assert.Equal(1, await store.PurgeInstancesAsync(["a"], None));
        Assert.Equal((1, 1), await PendingAsync(store));

        // The purged instance's activity finishing afterwards changes nothing; b's reports to b.
        await store.CompleteActivitiesAsync(
            [.. activities.Select(item => new ActivityResult(item, new StoredEvent(StoredEventKind.TaskCompleted, T0) { TaskId = item.TaskId }))], None);
        Assert.Equal((0, 1), await PendingAsync(store));
        var ready = await store.FetchOrchestrationWorkItemsAsync(10, new HashSet<string>(), None);
        Assert.Equal("b", Assert.Single(ready).Instance.InstanceId);
    }

    private static async Task<InstanceRecord> StartAsync(IOrchestrationStore store, string id)
    {
        var instance = new InstanceRecord(id, "Orchestrator") { ExecutionId = "e1", Status = OrchestrationRuntimeStatus.Running, CreatedAt = T0, LastUpdatedAt = T0 };
        await store.CreateInstanceAsync(instance, new StoredEvent(StoredEventKind.ExecutionStarted, T0) { Name = "Orchestrator" }, [], None);
        var items = await store.FetchOrchestrationWorkItemsAsync(10, new HashSet<string>(), None);
        var started = items.Single(i => i.Instance.InstanceId == id);
        await CommitAsync(store, new OrchestrationCommit(instance) { ConsumedMessageIds = [.. started.Messages.Select(m => m.Id)] });
        return instance;
    }

    private static Task CommitAsync(IOrchestrationStore store, OrchestrationCommit commit) => store.CommitOrchestrationsAsync([commit], None);

    private static async Task<(int Activities, int Timers)> PendingAsync(IOrchestrationStore store)
    {
        var counts = await store.GetWorkCountsAsync(T0, None);
        return (counts.Activities, counts.PendingTimers);
    }
}
