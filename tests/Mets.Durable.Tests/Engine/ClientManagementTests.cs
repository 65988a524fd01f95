using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using Mets.Durable.Testing;

namespace Mets.Durable.Tests.Engine;

/// <summary>The client's management operations, on every store.</summary>
public class ClientManagementTests
{
    private static void Register(DurableTaskRegistry r) => r
        .AddOrchestratorFunc<string, string>("Echo", (_, input) => Task.FromResult(input))
        .AddOrchestratorFunc<object?, string>("Waits", async (ctx, _) => await ctx.WaitForExternalEvent<string>("go"))
        .AddOrchestratorFunc<object?, string>("Parent", async (ctx, _) =>
            await ctx.CallSubOrchestratorAsync<string>("Waits", null, new SubOrchestrationOptions(instanceId: ctx.InstanceId + ":child")));

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ScheduleNew_IdInUseWhileRunning_RefusedButReplacesCompleted(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits", null, new StartOrchestrationOptions("case-1"));
        await host.WaitForIdleAsync();

        var refused = await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(() =>
            host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "x", new StartOrchestrationOptions("case-1")));
        await host.Client.RaiseEventAsync("case-1", "go", "first");
        await host.WaitForCompletionAsync("case-1");
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "second", new StartOrchestrationOptions("case-1"));
        var replaced = await host.WaitForCompletionAsync("case-1");

        Assert.Contains("already exists", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Running", refused.Message, StringComparison.Ordinal);
        Assert.Equal("Echo", replaced.Name);
        Assert.Equal("second", replaced.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task GetInstanceAsync_ReportsStatusPayloadsAndTimes(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        var created = host.UtcNow;
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "payload");
        await host.Time.AdvanceAsyncTo(created.AddMinutes(1), host);

        var done = await host.WaitForCompletionAsync(id);
        var withoutPayloads = await host.Client.GetInstanceAsync(id);

        Assert.Equal("payload", done.ReadInputAs<string>());
        Assert.Equal(created, done.CreatedAt.UtcDateTime);
        Assert.True(done.LastUpdatedAt >= done.CreatedAt);
        Assert.Null(withoutPayloads!.SerializedInput);
        Assert.Throws<InvalidOperationException>(() => withoutPayloads.ReadOutputAs<string>());
        Assert.Null(await host.Client.GetInstanceAsync("no-such-instance"));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task QueryInstancesAsync_FiltersByStatusPrefixCreatedAndPages(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        for (var i = 0; i < 5; i++)
        {
            await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "x", new StartOrchestrationOptions($"done-{i}"));
        }

        await host.WaitForIdleAsync();
        var laterStart = host.UtcNow.AddHours(1);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        for (var i = 0; i < 3; i++)
        {
            await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits", null, new StartOrchestrationOptions($"open-{i}"));
        }

        await host.WaitForIdleAsync();

        var running = await Collect(host, new OrchestrationQuery(Statuses: [OrchestrationRuntimeStatus.Running]));
        var prefixed = await Collect(host, new OrchestrationQuery(InstanceIdPrefix: "done-", PageSize: 2));
        var recent = await Collect(host, new OrchestrationQuery(CreatedFrom: laterStart));
        Page<OrchestrationMetadata>? firstPage = null;
        await foreach (var page in host.Client.GetAllInstancesAsync(new OrchestrationQuery(PageSize: 3)).AsPages())
        {
            firstPage = page;
            break;
        }


        Assert.Equal(["open-0", "open-1", "open-2"], running);
        Assert.Equal(["done-0", "done-1", "done-2", "done-3", "done-4"], prefixed);
        Assert.Equal(["open-0", "open-1", "open-2"], recent);
        Assert.Equal(3, firstPage!.Values.Count);
        Assert.NotNull(firstPage.ContinuationToken);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task TerminateInstanceAsync_Recursive_TerminatesChildren(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Parent", null, new StartOrchestrationOptions("p"));
        await host.WaitForIdleAsync();

        await host.Client.TerminateInstanceAsync("p", new TerminateInstanceOptions("stop", Recursive: true));
        await host.WaitForIdleAsync();

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await host.Client.GetInstanceAsync("p"))!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await host.Client.GetInstanceAsync("p:child"))!.RuntimeStatus);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task PurgeInstanceAsync_OnlyTerminalInstancesAndRecursive(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Parent", null, new StartOrchestrationOptions("p"));
        await host.WaitForIdleAsync();

        var whileRunning = await host.Client.PurgeInstanceAsync("p");
        await host.Client.TerminateInstanceAsync("p", new TerminateInstanceOptions(Recursive: true));
        await host.WaitForIdleAsync();
        var purged = await host.Client.PurgeInstanceAsync("p", new PurgeInstanceOptions(Recursive: true));

        Assert.Equal(0, whileRunning.PurgedInstanceCount);
        Assert.Equal(2, purged.PurgedInstanceCount);
        Assert.Null(await host.Client.GetInstanceAsync("p:child"));
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.GetOrchestrationHistoryAsync("p"));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task PurgeAllInstancesAsync_ByFilter_PurgesMatchingTerminalOnes(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "x", new StartOrchestrationOptions("a"));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "x", new StartOrchestrationOptions("b"));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits", null, new StartOrchestrationOptions("c"));
        await host.WaitForIdleAsync();

        var result = await host.Client.PurgeAllInstancesAsync(new PurgeInstancesFilter(Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Running]));

        Assert.Equal(2, result.PurgedInstanceCount);
        Assert.NotNull(await host.Client.GetInstanceAsync("c"));
    }

    [Fact]
    public async Task RaiseEventAsync_UnknownInstance_ThrowsNotFound()
    {
        await using var host = await DurableTestHost.StartAsync(Register);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => host.Client.RaiseEventAsync("missing", "go", "x"));

        Assert.Contains("instanceId missing was not found", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task TerminateInstanceAsync_DefaultOptions_LeavesChildrenRunning(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Parent", null, new StartOrchestrationOptions("p"));
        await host.WaitForIdleAsync();

        await host.Client.TerminateInstanceAsync("p", "stop");
        await host.WaitForIdleAsync();

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await host.Client.GetInstanceAsync("p"))!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync("p:child"))!.RuntimeStatus);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ScheduleNew_DedupeStatuses_RefusesListedAndReplacesOthers(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "first", new StartOrchestrationOptions("d"));
        await host.WaitForCompletionAsync("d");

        var refused = await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(
            "Echo", "second", new StartOrchestrationOptions("d").WithDedupeStatuses(OrchestrationRuntimeStatus.Completed)));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits", null, new StartOrchestrationOptions("d"));
        await host.WaitForIdleAsync();
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Echo", "third", new StartOrchestrationOptions("d") { DedupeStatuses = [] });
        var replacedRunning = await host.WaitForCompletionAsync("d");

        Assert.Contains("Completed", refused.Message, StringComparison.Ordinal);
        Assert.Equal("third", replacedRunning.ReadOutputAs<string>());
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(
            "Echo", "x", new StartOrchestrationOptions("d") { DedupeStatuses = ["Finished"] }));
        await Assert.ThrowsAsync<ArgumentException>(() => host.Client.ScheduleNewOrchestrationInstanceAsync(
            "Echo", "x", new StartOrchestrationOptions("d").WithDedupeStatuses(OrchestrationRuntimeStatus.Terminated)));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task GetOrchestrationHistoryAsync_RecordsEpisodes(string store)
    {
        await using var host = await DurableTestHost.StartAsync(Register, StoreKinds.Create(store));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits");
        await host.WaitForIdleAsync();
        await host.Client.RaiseEventAsync(id, "go", "x");
        await host.WaitForCompletionAsync(id);

        var history = await host.Client.GetOrchestrationHistoryAsync(id);

        Assert.Equal(
            [EventType.OrchestratorStarted, EventType.ExecutionStarted, EventType.OrchestratorStarted, EventType.EventRaised, EventType.ExecutionCompleted],
            history.Select(e => e.EventType));
        Assert.Equal("go", history.OfType<EventRaisedEvent>().Single().Name);
    }

    private static async Task<List<string>> Collect(DurableTestHost host, OrchestrationQuery query)
    {
        var ids = new List<string>();
        await foreach (var instance in host.Client.GetAllInstancesAsync(query))
        {
            ids.Add(instance.InstanceId);
        }

        return ids;
    }
}

internal static class FakeTimeExtensions
{
    public static Task AdvanceAsyncTo(this Microsoft.Extensions.Time.Testing.FakeTimeProvider _, DateTime at, DurableTestHost host) =>
        host.AdvanceToAsync(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)));
}
