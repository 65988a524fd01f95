using System.Collections.Concurrent;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Testing;

namespace Mets.Durable.Tests.Engine;

/// <summary>
/// Orchestrations kept in memory between episodes (<see cref="DurableEngineOptions.OrchestrationsKeptInMemory"/>): the
/// same outcome and history as replaying every episode, the code started once instead of once per episode, a replay
/// from the stored history whenever the kept one may not match it (failed commit, more instances than kept).
/// </summary>
public class KeptOrchestrationTests
{
    private static readonly DurableEngineOptions NoneKept = new() { OrchestrationsKeptInMemory = 0 };

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Kept_EveryKindOfEpisode_SameOutputsAndHistoriesAsReplayingEach(string store)
    {
        var kept = await RunEverythingAsync(StoreKinds.Create(store), options: null);
        var replayed = await RunEverythingAsync(StoreKinds.Create(store), NoneKept);

        Assert.Equal(replayed.Outputs, kept.Outputs);
        Assert.Equal(replayed.Histories, kept.Histories);
        Assert.Equal(2, kept.CodeStarts); // once per instance: every later episode continued the kept code
        Assert.True(replayed.CodeStarts >= 12, $"replaying started the code {replayed.CodeStarts} times");
    }

    [Fact]
    public async Task Kept_MoreInstancesThanKept_OldestReplaysAndAllFinishAlike()
    {
        var starts = 0;
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<string, string>("Collect", async (ctx, name) =>
            {
                Interlocked.Increment(ref starts);
                var a = await ctx.WaitForExternalEvent<string>("next");
                var b = await ctx.WaitForExternalEvent<string>("next");
                return $"{name}:{a}{b}";
            }),
            options: new DurableEngineOptions { OrchestrationsKeptInMemory = 1 });

        var first = await host.Client.ScheduleNewOrchestrationInstanceAsync("Collect", "first");
        var second = await host.Client.ScheduleNewOrchestrationInstanceAsync("Collect", "second");
        await host.WaitForIdleAsync();
        foreach (var value in new[] { "1", "2" })
        {
            await host.Client.RaiseEventAsync(first, "next", value);
            await host.WaitForIdleAsync();
            await host.Client.RaiseEventAsync(second, "next", value);
            await host.WaitForIdleAsync();
        }

        Assert.Equal("first:12", (await host.WaitForCompletionAsync(first)).ReadOutputAs<string>());
        Assert.Equal("second:12", (await host.WaitForCompletionAsync(second)).ReadOutputAs<string>());
        // One kept: each episode found the other instance's orchestration kept and replayed (3 times), except the last,
        // which found its own; with none kept all 6 episodes would replay, with two kept only the 2 starts would run.
        Assert.Equal(5, starts);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Kept_CommitOfAnEpisodeFails_NextEpisodeReplaysTheStoredHistory(string store)
    {
        var starts = 0;
        var failing = new FailingOnceStore(StoreKinds.Create(store));
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<int, int>("Double", (_, x) => Task.FromResult(x * 2))
                .AddOrchestratorFunc<int, int>("Steps", async (ctx, x) =>
                {
                    Interlocked.Increment(ref starts);
                    var y = await ctx.CallActivityAsync<int>("Double", x);
                    var z = await ctx.WaitForExternalEvent<int>("add");
                    return await ctx.CallActivityAsync<int>("Double", y + z);
                }),
            failing,
            options: StoreFailureTests.RetryAtOnce);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Steps", 3);
        await host.WaitForIdleAsync();
        Assert.Equal(1, starts);

        // The episode that takes the event runs on the kept code, then its commit fails: the kept orchestration has seen
        // an episode the store does not have, so the retry must replay the stored history instead.
        failing.FailNextCommit();
        await host.Client.RaiseEventAsync(id, "add", 4);
        await failing.Failed.WaitAsync(DurableTestHost.WaitTimeout);
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(20, done.ReadOutputAs<int>());
        Assert.Equal(2, starts); // the first start, and the replay after the failed commit
        var history = await host.Client.GetOrchestrationHistoryAsync(id);
        Assert.Equal(2, history.Count(e => e is DurableTask.Core.History.TaskScheduledEvent));
        Assert.Single(history, e => e is DurableTask.Core.History.EventRaisedEvent);
    }

    private static async Task<(List<string?> Outputs, List<string> Histories, int CodeStarts)> RunEverythingAsync(IOrchestrationStore store, DurableEngineOptions? options)
    {
        var starts = 0;
        var attempts = new ConcurrentDictionary<string, int>();
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<int, int>("FailsFirst", (ctx, x) =>
                    attempts.AddOrUpdate(ctx.InstanceId, 1, (_, n) => n + 1) == 1 ? throw new InvalidOperationException("first attempt") : Task.FromResult(x + 1))
                .AddOrchestratorFunc<int, string>("Child", (ctx, x) => Task.FromResult($"child {x} {ctx.NewGuid():N}"))
                .AddOrchestratorFunc<string, string>("Everything", async (ctx, name) =>
                {
                    Interlocked.Increment(ref starts); // on every replay too

                    var guid = ctx.NewGuid();
                    ctx.SetCustomStatus($"{name} started");
                    var a = await ctx.CallActivityAsync<int>("FailsFirst", 1, TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMinutes(1))));
                    using var cts = new CancellationTokenSource();
                    var answer = ctx.WaitForExternalEvent<string>("answer", cts.Token);
                    var deadline = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(1), cts.Token);
                    var first = await Task.WhenAny(answer, deadline);
                    cts.Cancel(); // on the episode's thread: CancelAsync would run the timer's cancellation elsewhere
                    var child = await ctx.CallSubOrchestratorAsync<string>("Child", a, new SubOrchestrationOptions(instanceId: $"{ctx.InstanceId}-child"));
                    ctx.SetCustomStatus($"{name} waiting");
                    await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMinutes(5), CancellationToken.None);
                    var late = await ctx.WaitForExternalEvent<string>("late");
                    return $"{guid:N}|{a}|{(first == answer ? answer.Result : "no answer")}|{child}|{late}|{ctx.NewGuid():N}";
                }),
            store,
            options: options);

        await host.Client.ScheduleNewOrchestrationInstanceAsync("Everything", "answered", new StartOrchestrationOptions("answered"));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Everything", "silent", new StartOrchestrationOptions("silent"));
        await host.AdvanceAsync(TimeSpan.FromMinutes(1)); // the retry of the failed first attempts
        await host.Client.RaiseEventAsync("answered", "answer", "yes");
        await host.AdvanceAsync(TimeSpan.FromHours(1)); // the silent one's deadline
        await host.AdvanceAsync(TimeSpan.FromMinutes(5));
        await host.Client.RaiseEventAsync("answered", "late", "x");
        await host.Client.RaiseEventAsync("silent", "late", "y");

        var outputs = new List<string?>();
        var histories = new List<string>();
        foreach (var id in new[] { "answered", "silent" })
        {
            var done = await host.WaitForCompletionAsync(id);
            outputs.Add($"{done.RuntimeStatus} {done.SerializedOutput} {done.SerializedCustomStatus}");
            var history = await host.Client.GetOrchestrationHistoryAsync(id);
            histories.Add(string.Join(Environment.NewLine, history.Select(e => $"{e.EventType} {e.EventId} {e.Timestamp:O} {Describe(e)}")));
        }

        return (outputs, histories, starts);
    }

    private static string Describe(DurableTask.Core.History.HistoryEvent e) => e switch
    {
        DurableTask.Core.History.TaskScheduledEvent s => $"{s.Name} {s.Input}",
        DurableTask.Core.History.TaskCompletedEvent c => $"{c.TaskScheduledId} {c.Result}",
        DurableTask.Core.History.TaskFailedEvent f => $"{f.TaskScheduledId} {f.FailureDetails?.ErrorMessage}",
        DurableTask.Core.History.TimerCreatedEvent t => $"{t.FireAt:O}",
        DurableTask.Core.History.TimerFiredEvent t => $"{t.TimerId} {t.FireAt:O}",
        DurableTask.Core.History.EventRaisedEvent r => $"{r.Name} {r.Input}",
        DurableTask.Core.History.SubOrchestrationInstanceCreatedEvent c => $"{c.Name} {c.InstanceId} {c.Input}",
        DurableTask.Core.History.SubOrchestrationInstanceCompletedEvent c => $"{c.TaskScheduledId} {c.Result}",
        DurableTask.Core.History.ExecutionCompletedEvent c => $"{c.OrchestrationStatus} {c.Result}",
        _ => string.Empty,
    };
}
