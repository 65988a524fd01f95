using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mets.Durable.Tests.Engine;

/// <summary>The engine's loops survive a store call that fails (a full disk, a lost lock): logged, retried (after a second by default), and a stop is never held up.</summary>
public class StoreFailureTests
{
    /// <summary>No wait before the retry: under fake time a one-second wait would need the test to move the clock after the loop has begun waiting.</summary>
    internal static readonly DurableEngineOptions RetryAtOnce = new() { RetryAfterStoreFailure = TimeSpan.Zero };

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
            failing,
            options: RetryAtOnce);

        // The first fetch (at start or for this activity) fails; the activity dispatcher must keep going, not end.
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Once", 21);
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(42, done.ReadOutputAs<int>());
    }

    [Fact]
    public async Task WorkerStops_WhileAnActivityFetchIsInFlight_StopCompletes()
    {
        // The stop cancels the fetch; the activity dispatcher must give its slot back, because the worker's stop waits
        // for every slot (before, it returned holding it and the stop waited forever).
        var held = new FailingOnceStore(new InMemoryOrchestrationStore());
        held.HoldNextActivityFetch();
        await using var host = await DurableTestHost.StartAsync(r => r.AddActivityFunc<int, int>("Double", (_, x) => Task.FromResult(x * 2)), held);
        await held.FetchHeld.Task.WaitAsync(DurableTestHost.WaitTimeout);
        var worker = host.Services.GetServices<IHostedService>().OfType<EmbeddedDurableTaskWorker>().Single();

        await worker.StopAsync(CancellationToken.None).WaitAsync(DurableTestHost.WaitTimeout);

        Assert.True(worker.ExecuteTask!.IsCompleted);
    }
}
