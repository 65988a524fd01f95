using DurableTask.Core.History;
using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Runtimes;

/// <summary>
/// Pins what the in-process test host does that a test author would not expect (README.md), so a new package version
/// that changes any of it is noticed. These run on Microsoft's runtime only.
/// </summary>
[Collection(DurableRuntimesGroup.Name)]
public class InProcessTestHostTests(DurableRuntimesFixture fixture)
{
    private static readonly TimeSpan NegativeWait = TimeSpan.FromMilliseconds(500);

    private IDurableRuntime Host => fixture.Runtimes.Single(r => r.Name == RuntimeNames.InProcessTestHost);

    /// <summary>Registers the orchestrator these tests schedule.</summary>
    /// <param name="registry">The registry.</param>
    internal static void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<HostFactsEcho>();

    [Fact]
    public async Task GetOrchestrationHistoryAsync_CompletedInstance_ReturnsNoEventsThoughTheStoreHasThem()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var id = await Host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(HostFactsEcho), "x", timeout.Token);
        await Host.Client.WaitForInstanceCompletionAsync(id, timeout.Token);

        var fromClient = await Host.Client.GetOrchestrationHistoryAsync(id, timeout.Token);
        var fromStore = await Host.GetHistoryAsync(id, timeout.Token);

        Assert.Empty(fromClient);
        Assert.IsType<ExecutionStartedEvent>(fromStore.OfType<ExecutionStartedEvent>().Single());
        Assert.IsType<ExecutionCompletedEvent>(fromStore.OfType<ExecutionCompletedEvent>().Single());
    }

    [Fact]
    public async Task GetInstanceAsync_UnknownInstance_ReturnsNull()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Assert.Null(await Host.Client.GetInstanceAsync("conformance-no-such-instance", getInputsAndOutputs: true, timeout.Token));
    }

    [Fact]
    public async Task WaitForInstanceCompletionAsync_UnknownInstance_WaitsUntilCancelled()
    {
        using var bound = new CancellationTokenSource(NegativeWait);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Host.Client.WaitForInstanceCompletionAsync("conformance-no-such-instance", bound.Token));
    }

    [Fact]
    public async Task WaitForInstanceStartAsync_UnknownInstance_WaitsUntilCancelled()
    {
        using var bound = new CancellationTokenSource(NegativeWait);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Host.Client.WaitForInstanceStartAsync("conformance-no-such-instance", bound.Token));
    }

    private sealed class HostFactsEcho : TaskOrchestrator<string, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, string input) => Task.FromResult(input);
    }
}
