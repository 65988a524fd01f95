using System.Text.Json;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mets.Durable.Tests.Storage;

/// <summary>
/// The journaled store across restarts: what a reopened store replays from its file is the state it had (rows,
/// histories, inboxes with their ids, pending activities, open timers, the ids it hands out next), from the journal
/// alone or from an image after compaction; and a journal it cannot write stops it instead of letting it run ahead of
/// the file. The engine's contract suite and the crash test also run on it (StoreKinds, CrashRecoveryTests).
/// </summary>
public class JournaledStoreTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(JournaledOrchestrationStore.CompactAfterBytes, 0)]
    [InlineData(1L, 1)]
    public async Task Reopened_ReplaysTheSameState_FromTheJournalOrFromAnImage(long compactAfterBytes, int leastCompactions)
    {
        var path = NewPath();
        string before;
        await using (var store = new JournaledOrchestrationStore(path, compactAfterBytes))
        {
            await store.InitializeAsync(CancellationToken.None);
            await DriveAsync(store);
            before = await DescribeAsync(store);
            Assert.True(store.Counts.Compactions >= leastCompactions, $"{store.Counts.Compactions} compactions");
        }

        await using var reopened = new JournaledOrchestrationStore(path, compactAfterBytes);
        await reopened.InitializeAsync(CancellationToken.None);

        Assert.Equal(before, await DescribeAsync(reopened));
        Assert.True(reopened.Counts.Replayed > 0);

        // The reopened store goes on handing out new ids: a message enqueued now comes after every one before.
        var lastId = (await reopened.FetchOrchestrationWorkItemsAsync(100, new HashSet<string>(), CancellationToken.None))
            .SelectMany(w => w.Messages).Max(m => m.Id);
        Assert.True(await reopened.EnqueueMessageAsync("i-05", new StoredEvent(StoredEventKind.EventRaised, Now) { Name = "late" }, CancellationToken.None));
        var late = (await reopened.FetchOrchestrationWorkItemsAsync(100, new HashSet<string>(), CancellationToken.None))
            .Single(w => w.Instance.InstanceId == "i-05").Messages.Single(m => m.Event.Name == "late");
        Assert.True(late.Id > lastId, $"new message id {late.Id} after {lastId}");
    }

    [Fact]
    public async Task Journal_OfAStateThatDoesNotGrow_StaysNearTheThresholdThroughCompactions()
    {
        var path = NewPath();
        string before;
        await using (var store = new JournaledOrchestrationStore(path, compactAfterBytes: 16 << 10))
        {
            await store.InitializeAsync(CancellationToken.None);
            for (var round = 0; round < 300; round++)
            {
                for (var n = 0; n < 10; n++)
                {
                    // Created again: the instance is replaced, so the state keeps its size while the journal grows.
                    await CreateAsync(store, $"i-{n:00}", dedupe: []);
                }
            }

            Assert.True(store.Counts.Compactions >= 10, $"{store.Counts.Compactions} compactions");
            before = await DescribeAsync(store);
        }

        await using (var file = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await file.OpenAsync();
            using var size = file.CreateCommand();
            size.CommandText = "SELECT count(*), sum(length(entries)) FROM journal";
            using var reader = await size.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var (entries, bytes) = (reader.GetInt64(0), reader.GetInt64(1));
            Assert.True(bytes < 48 << 10, $"{entries} entries, {bytes} bytes left in the journal after 3,000 changes");
        }

        await using var reopened = new JournaledOrchestrationStore(path);
        await reopened.InitializeAsync(CancellationToken.None);
        Assert.Equal(before, await DescribeAsync(reopened));
    }

    [Fact]
    public async Task JournalThatCannotBeWritten_FailsTheChange_AndEveryCallAfterIt()
    {
        var path = NewPath();
        await using var store = new JournaledOrchestrationStore(path);
        await store.InitializeAsync(CancellationToken.None);
        await CreateAsync(store, "i-01");
        await using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await other.OpenAsync();
            using var drop = other.CreateCommand();
            drop.CommandText = "DROP TABLE journal";
            await drop.ExecuteNonQueryAsync();
        }

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateAsync(store, "i-02"));
        Assert.Contains("could not write its journal", failed.Message, StringComparison.Ordinal);
        var after = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetInstanceAsync("i-01", CancellationToken.None));
        Assert.Contains("could not write its journal earlier", after.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileOfTheRelationalStore_Refused_WithWhatToDo()
    {
        var path = NewPath();
        await using (var relational = new SqliteOrchestrationStore(path))
        {
            await relational.InitializeAsync(CancellationToken.None);
        }

        await using var store = new JournaledOrchestrationStore(path);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("relational SQLite store", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Move it", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondStoreOnTheSameFile_FailsWithClearMessage()
    {
        var path = NewPath();
        await using var first = new JournaledOrchestrationStore(path);
        await first.InitializeAsync(CancellationToken.None);
        await using var second = new JournaledOrchestrationStore(path);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.InitializeAsync(CancellationToken.None));

        Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Every kind of change: instances created, episodes committed with activities and timers, activities completed, timers fired, a message enqueued, an instance completed and purged.</summary>
    private static async Task DriveAsync(JournaledOrchestrationStore store)
    {
        for (var n = 0; n < 12; n++)
        {
            await CreateAsync(store, $"i-{n:00}");
        }

        var work = await store.FetchOrchestrationWorkItemsAsync(100, new HashSet<string>(), CancellationToken.None);
        await store.CommitOrchestrationsAsync([.. work.Select((w, n) => new OrchestrationCommit(w.Instance with { Status = OrchestrationRuntimeStatus.Running, LastUpdatedAt = Now })
        {
            AppendedHistory = [new StoredEvent(StoredEventKind.OrchestratorStarted, Now), .. w.Messages.Select(m => m.Event), new StoredEvent(StoredEventKind.TaskScheduled, Now) { TaskId = 0, Name = "Work" }],
            ConsumedMessageIds = [.. w.Messages.Select(m => m.Id)],
            NewActivities = [new NewActivity(0, "Work", $"\"{w.Instance.InstanceId}\"")],
            NewTimers = [new NewTimer(1, Now.AddMinutes(n))],
        })], CancellationToken.None);

        var activities = await store.FetchActivityWorkItemsAsync(5, new HashSet<long>(), CancellationToken.None);
        await store.CompleteActivitiesAsync([.. activities.Select(a => new ActivityResult(a, new StoredEvent(StoredEventKind.TaskCompleted, Now) { TaskId = a.TaskId, Result = "42", ExecutionId = a.ExecutionId }))], CancellationToken.None);
        Assert.True(await store.FireDueTimersAsync(Now.AddMinutes(4), CancellationToken.None) > 0);
        Assert.True(await store.EnqueueMessageAsync("i-03", new StoredEvent(StoredEventKind.EventRaised, Now) { Name = "answer", Input = "\"yes\"" }, CancellationToken.None));

        var first = (await store.GetInstanceAsync("i-00", CancellationToken.None))!;
        await store.CommitOrchestrationsAsync([new OrchestrationCommit(first with { Status = OrchestrationRuntimeStatus.Completed, Output = "1" }) { ClearPendingWork = true }], CancellationToken.None);
        Assert.Equal(1, await store.PurgeInstancesAsync(["i-00"], CancellationToken.None));
    }

    private static Task CreateAsync(JournaledOrchestrationStore store, string id, OrchestrationRuntimeStatus[]? dedupe = null) =>
        store.CreateInstanceAsync(
            new InstanceRecord(id, "Flow") { ExecutionId = "e-" + id, CreatedAt = Now, LastUpdatedAt = Now },
            new StoredEvent(StoredEventKind.ExecutionStarted, Now) { Name = "Flow", Input = "{}", ExecutionId = "e-" + id },
            dedupe ?? [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running],
            CancellationToken.None);

    /// <summary>Everything the store answers: rows, histories, ready work with message ids, pending activities with ids, timers by when they fire, counts.</summary>
    private static async Task<string> DescribeAsync(JournaledOrchestrationStore store)
    {
        var none = CancellationToken.None;
        var instances = await store.QueryInstancesAsync(new InstanceQuery(null, null, null, null, 1000, null), none);
        var histories = new List<object>();
        foreach (var instance in instances)
        {
            histories.Add(await store.GetHistoryAsync(instance.InstanceId, none));
        }

        var description = new
        {
            instances,
            histories,
            ready = await store.FetchOrchestrationWorkItemsAsync(1000, new HashSet<string>(), none),
            activities = await store.FetchActivityWorkItemsAsync(1000, new HashSet<long>(), none),
            nextTimer = await store.GetNextTimerDueAsync(none),
            counts = await store.GetWorkCountsAsync(Now.AddMinutes(8), none),
        };
        return JsonSerializer.Serialize(description);
    }

    private static string NewPath() => Path.Combine(Directory.CreateTempSubdirectory("mets-journal-").FullName, "durable.db");
}
