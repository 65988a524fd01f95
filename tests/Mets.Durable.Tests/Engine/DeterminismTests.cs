using DurableTask.Core.Exceptions;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Durable.Tests.Engine;

public class DeterminismTests
{
    /// <summary>
    /// A deployment restarts the host, so the instance's next episode replays its history through the new code. In one
    /// process the engine would keep the running orchestration in memory (and never replay); none kept: every episode
    /// replays, as the first one after a restart does.
    /// </summary>
    private static readonly DurableEngineOptions AsAfterRestart = new() { OrchestrationsKeptInMemory = 0 };

    [Fact]
    public async Task Replay_CodeSchedulesDifferentActivity_FailsNamingStepExpectedAndActual()
    {
        var version = "A";
        await using var host = await DurableTestHost.StartAsync(
            r => r
                .AddActivityFunc<object?, string>("A", (_, _) => Task.FromResult("a"))
                .AddActivityFunc<object?, string>("B", (_, _) => Task.FromResult("b"))
                .AddOrchestratorFunc<object?, string>("Versioned", async (ctx, _) =>
                {
                    await ctx.WaitForExternalEvent<string>("go");
                    var result = await ctx.CallActivityAsync<string>(version);
                    await ctx.WaitForExternalEvent<string>("go again");
                    return result;
                }),
            options: AsAfterRestart);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Versioned");
        await host.Client.RaiseEventAsync(id, "go", "1");
        await host.WaitForIdleAsync();

        version = "B"; // a deployment changed the orchestrator while the instance was in flight
        await host.Client.RaiseEventAsync(id, "go again", "2");
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, done.FailureDetails!.ErrorType);
        Assert.Equal(
            "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 0 " +
            "named 'A', but the current orchestration replay instead scheduled an activity task named 'B' with this sequence number.  " +
            "Was a change made to the orchestrator code after this instance had already started running?",
            done.FailureDetails.ErrorMessage);
    }

    [Fact]
    public async Task Replay_CodeNoLongerSchedulesRecordedTimer_FailsNamingStep()
    {
        var useTimer = true;
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, string>("Dropper", async (ctx, _) =>
            {
                if (useTimer)
                {
                    await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddHours(1), CancellationToken.None);
                }

                return await ctx.WaitForExternalEvent<string>("done");
            }),
            options: AsAfterRestart);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Dropper");
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        useTimer = false;
        await host.Client.RaiseEventAsync(id, "done", "x");
        var done = await host.WaitForCompletionAsync(id);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("scheduled a timer task with sequence number 0 but the current replay execution hasn't (yet?) scheduled this task", done.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_SameHistoryInOneOrManyEpisodes_SameResult()
    {
        // Batch independence: three events raised at once (one episode) or one by one (three episodes).
        static DurableTaskRegistry Register(DurableTaskRegistry r) => r.AddOrchestratorFunc<object?, string>("Collector", async (ctx, _) =>
        {
            var a = ctx.WaitForExternalEvent<string>("a");
            var b = ctx.WaitForExternalEvent<string>("b");
            var first = await Task.WhenAny(a, b);
            var c = await ctx.WaitForExternalEvent<string>("c");
            return $"{(first == a ? "a" : "b")}{a.Result}{b.Result}{c}";
        });

        await using var together = await DurableTestHost.StartAsync(r => Register(r));
        var id1 = await together.Client.ScheduleNewOrchestrationInstanceAsync("Collector");
        await together.Client.RaiseEventAsync(id1, "b", "2");
        await together.Client.RaiseEventAsync(id1, "a", "1");
        await together.Client.RaiseEventAsync(id1, "c", "3");

        await using var apart = await DurableTestHost.StartAsync(r => Register(r));
        var id2 = await apart.Client.ScheduleNewOrchestrationInstanceAsync("Collector");
        await apart.WaitForIdleAsync();
        await apart.Client.RaiseEventAsync(id2, "b", "2");
        await apart.WaitForIdleAsync();
        await apart.Client.RaiseEventAsync(id2, "a", "1");
        await apart.WaitForIdleAsync();
        await apart.Client.RaiseEventAsync(id2, "c", "3");

        Assert.Equal("b123", (await together.WaitForCompletionAsync(id1)).ReadOutputAs<string>());
        Assert.Equal("b123", (await apart.WaitForCompletionAsync(id2)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task CurrentUtcDateTime_ClockMovesBackwards_NeverGoesBackwards()
    {
        var clock = new SettableTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, DateTime[]>("Monotonic", async (ctx, _) =>
            {
                var first = ctx.CurrentUtcDateTime;
                await ctx.WaitForExternalEvent<string>("next");
                return [first, ctx.CurrentUtcDateTime];
            }),
            configureServices: s => s.AddSingleton<TimeProvider>(clock));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Monotonic");
        using var timeout = new CancellationTokenSource(DurableTestHost.WaitTimeout);
        await host.Hub.WaitForIdleAsync(timeout.Token);

        clock.Now = clock.Now.AddHours(-5); // a host with a skewed clock takes over
        await host.Client.RaiseEventAsync(id, "next", "x");
        var done = await host.Client.WaitForInstanceCompletionAsync(id, true, timeout.Token);

        var times = done.ReadOutputAs<DateTime[]>()!;
        Assert.True(times[1] >= times[0], $"time went backwards: {times[0]:o} -> {times[1]:o}");
    }

    private sealed class SettableTimeProvider(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
