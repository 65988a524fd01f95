using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Mets.Durable.Testing;
using Microsoft.Data.Sqlite;

namespace Mets.Durable.Tests.Storage;

public class SqliteStoreTests
{
    [Fact]
    public async Task InitializeAsync_SecondStoreOnSameFile_FailsWithClearMessage()
    {
        await using var first = SqliteOrchestrationStoreFactory.CreateTemporary();
        await first.InitializeAsync(CancellationToken.None);
        await using var second = new SqliteOrchestrationStore(first.DatabasePath);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => second.InitializeAsync(CancellationToken.None));

        Assert.Contains("in use by another process", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_NewerSchemaVersion_Refused()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mets-durable-").FullName, "durable.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99;";
            await cmd.ExecuteNonQueryAsync();
        }

        await using var store = new SqliteOrchestrationStore(path);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_StoreOfTheMirrorEra_RefusedWithWhatToDo()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mets-durable-").FullName, "durable.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "CREATE TABLE instances(instance_id TEXT PRIMARY KEY); PRAGMA user_version = 1;";
            await cmd.ExecuteNonQueryAsync();
        }

        await using var store = new SqliteOrchestrationStore(path);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("schema 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Move it", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_RestartedOnSameFile_ContinuesWaitingInstance()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mets-durable-").FullName, "durable.db");
        static void Register(DurableTaskRegistry r) => r
            .AddActivityFunc<string, string>("Shout", (_, s) => Task.FromResult(s.ToUpperInvariant()))
            .AddOrchestratorFunc<object?, string>("Persistent", async (ctx, _) =>
            {
                var answer = await ctx.WaitForExternalEvent<string>("answer");
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(3), CancellationToken.None);
                return await ctx.CallActivityAsync<string>("Shout", answer);
            });

        await using (var first = await DurableTestHost.StartAsync(Register, new SqliteOrchestrationStore(path)))
        {
            await first.Client.ScheduleNewOrchestrationInstanceAsync("Persistent", null, new StartOrchestrationOptions("e-1"));
            await first.Client.RaiseEventAsync("e-1", "answer", "yes");
            await first.WaitForIdleAsync();
        }

        await using var second = await DurableTestHost.StartAsync(Register, new SqliteOrchestrationStore(path));
        await second.AdvanceAsync(TimeSpan.FromDays(3));

        Assert.Equal("YES", (await second.WaitForCompletionAsync("e-1")).ReadOutputAs<string>());
    }

    /// <summary>
    /// A finished instance's history is not held in memory: it is read from the file, a message to the finished instance
    /// and a new instance under the same id append where the file says, and a fresh store reads the same history.
    /// </summary>
    [Fact]
    public async Task FinishedInstance_HistoryComesFromTheFile_AndTheIdCanStartAgain()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mets-durable-").FullName, "durable.db");
        static void Register(DurableTaskRegistry r) => r
            .AddActivityFunc<int, int>("Double", (_, x) => Task.FromResult(x * 2))
            .AddOrchestratorFunc<int, int>("Twice", async (ctx, x) => await ctx.CallActivityAsync<int>("Double", await ctx.CallActivityAsync<int>("Double", x)));

        List<string> history;
        await using (var host = await DurableTestHost.StartAsync(Register, new SqliteOrchestrationStore(path)))
        {
            await host.Client.ScheduleNewOrchestrationInstanceAsync("Twice", 3, new StartOrchestrationOptions("f-1"));
            Assert.Equal(12, (await host.WaitForCompletionAsync("f-1")).ReadOutputAs<int>());
            var first = Kinds(await host.Store.GetHistoryAsync("f-1", CancellationToken.None));
            Assert.Equal(StoredEventKind.ExecutionStarted.ToString(), first[1]);
            Assert.Equal(StoredEventKind.ExecutionCompleted.ToString(), first[^1]);

            await host.Client.RaiseEventAsync("f-1", "late", "ignored");
            await host.WaitForIdleAsync();
            await host.Client.ScheduleNewOrchestrationInstanceAsync("Twice", 5, new StartOrchestrationOptions("f-1"));
            Assert.Equal(20, (await host.WaitForCompletionAsync("f-1")).ReadOutputAs<int>());
            history = Kinds(await host.Store.GetHistoryAsync("f-1", CancellationToken.None));
            Assert.Equal(first, history);
        }

        await using var fresh = new SqliteOrchestrationStore(path);
        await fresh.InitializeAsync(CancellationToken.None);
        Assert.Equal(history, Kinds(await fresh.GetHistoryAsync("f-1", CancellationToken.None)));

        static List<string> Kinds(IReadOnlyList<StoredEvent> events) => [.. events.Select(e => e.EventType.ToString())];
    }
}
