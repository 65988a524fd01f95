using Mets.Durable.Testing;

namespace Mets.Durable.Tests.Engine;

/// <summary>The engine's loops survive a store call that fails (a full disk, a lost lock): logged, retried after a second.</summary>
public class StoreFailureTests
{
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ActivityFetchFails_ActivityRunsAfterTheRetry(string store)
    {
        var failing = new FailingOnceStore(StoreKinds.Create(store));
        failing.FailNextActivityFetch();
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<int, int>("Double", (_, x) => Task.FromResult(x * 2))
                .AddOrchestratorFunc<int, int>("Once", (ctx, x) => ctx.CallActivityAsync<int>("Double", x)),
            failing);

        // The first fetch (at start or for this activity) fails; the activity dispatcher must keep going, not end.
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Once", 21);
        await failing.Failed.WaitAsync(DurableTestHost.WaitTimeout);
        host.Time.Advance(TimeSpan.FromSeconds(1)); // the loop waits a second after a failure
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(42, done.ReadOutputAs<int>());
    }
}
