using Mets.Durable.Replay;
using Mets.Durable.Testing;

namespace Mets.Durable.Tests.Replay;

public class ReplayTests
{
    private const string GoldenFile = "Replay/Histories/approval-v1.json";

    /// <summary>Version 1 of an approval flow, as deployed when the golden history was recorded.</summary>
    private static void RegisterV1(DurableTaskRegistry r) => r
        .AddActivityFunc<string, string>("Notify", (_, who) => Task.FromResult($"notified {who}"))
        .AddOrchestratorFunc<string, string>("Approval", async (ctx, owner) =>
        {
            await ctx.CallActivityAsync<string>("Notify", owner);
            using var cts = new CancellationTokenSource();
            var decision = ctx.WaitForExternalEvent<string>("decision", cts.Token);
            var reminder = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(2), cts.Token);
            if (await Task.WhenAny(decision, reminder) == reminder)
            {
                await ctx.CallActivityAsync<string>("Notify", "supervisor");
            }

            var result = await decision;
            cts.Cancel(); // CancelAsync would run the cancellation off the orchestration thread
            return result;
        });

    /// <summary>Version 2 renamed the first activity: unsafe for instances recorded by version 1.</summary>
    private static void RegisterV2Renamed(DurableTaskRegistry r) => r
        .AddActivityFunc<string, string>("SendNotice", (_, who) => Task.FromResult($"notified {who}"))
        .AddOrchestratorFunc<string, string>("Approval", async (ctx, owner) =>
        {
            await ctx.CallActivityAsync<string>("SendNotice", owner);
            return await ctx.WaitForExternalEvent<string>("decision");
        });

    /// <summary>Version 3 dropped the reminder timer: unsafe too (the history recorded a timer at step 1).</summary>
    private static void RegisterV3NoReminder(DurableTaskRegistry r) => r
        .AddActivityFunc<string, string>("Notify", (_, who) => Task.FromResult($"notified {who}"))
        .AddOrchestratorFunc<string, string>("Approval", async (ctx, owner) =>
        {
            await ctx.CallActivityAsync<string>("Notify", owner);
            return await ctx.WaitForExternalEvent<string>("decision");
        });

    [Fact]
    public async Task Replay_ExportedHistoryAgainstSameCode_IsDeterministic()
    {
        var history = await RecordAsync();

        var result = new OrchestrationReplayer(Registry(RegisterV1)).Replay(ExportedHistory.FromJson(history.ToJson()));

        Assert.True(result.IsDeterministic, result.Problem);
    }

    [Fact]
    public async Task Replay_RenamedActivity_ReportsNonDeterminismNamingStep()
    {
        var history = await RecordAsync();

        var result = new OrchestrationReplayer(Registry(RegisterV2Renamed)).Replay(history);

        Assert.False(result.IsDeterministic);
        Assert.Contains("sequence number 0 named 'Notify', but the current orchestration replay instead scheduled an activity task named 'SendNotice'", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_GoldenHistoryCheckedIn_GuardsAgainstUnsafeChange()
    {
        var golden = ExportedHistory.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, GoldenFile)));

        var current = new OrchestrationReplayer(Registry(RegisterV1)).Replay(golden);
        var unsafeChange = new OrchestrationReplayer(Registry(RegisterV3NoReminder)).Replay(golden);

        Assert.True(current.IsDeterministic, current.Problem);
        Assert.False(unsafeChange.IsDeterministic);
        Assert.Contains("scheduled a timer task with sequence number 1", unsafeChange.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_CompletedHistoryWhoseCodeNowReturnsDifferently_Reported()
    {
        var history = await RecordAsync();
        var changed = Registry(r => r
            .AddActivityFunc<string, string>("Notify", (_, who) => Task.FromResult(who))
            .AddOrchestratorFunc<string, string>("Approval", async (ctx, owner) =>
            {
                await ctx.CallActivityAsync<string>("Notify", owner);
                using var cts = new CancellationTokenSource();
                var decision = ctx.WaitForExternalEvent<string>("decision", cts.Token);
                var reminder = ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(2), cts.Token);
                if (await Task.WhenAny(decision, reminder) == reminder)
                {
                    await ctx.CallActivityAsync<string>("Notify", "supervisor");
                }

                var result = await decision;
                cts.Cancel();
                return result.ToUpperInvariant();
            }));

        var result = new OrchestrationReplayer(changed).Replay(history);

        Assert.False(result.IsDeterministic);
        Assert.Contains("completed with \"approved\"", result.Problem, StringComparison.Ordinal);
    }

    private static Action<DurableTaskRegistry> Registry(Action<DurableTaskRegistry> register) => register;

    private static async Task<ExportedHistory> RecordAsync()
    {
        await using var host = await DurableTestHost.StartAsync(RegisterV1);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Approval", "owner-1", new StartOrchestrationOptions("approval-1"));
        await host.AdvanceAsync(TimeSpan.FromDays(3));
        await host.Client.RaiseEventAsync(id, "decision", "approved");
        await host.WaitForCompletionAsync(id);
        var history = await ExportedHistory.ExportAsync(host.Client, id);
        if (Environment.GetEnvironmentVariable("METS_WRITE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(Path.Combine(FindTestsFolder(), GoldenFile), history.ToJson());
        }

        return history;
    }

    private static string FindTestsFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mets.Durable.Tests.csproj")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Test project folder not found.");
    }
}
