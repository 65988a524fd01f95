using System.Buffers;
using System.Text.Json;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mets.Durable.Tests.Storage;

/// <summary>
/// The journal's binary entries: every field of every kind comes back as it was written (compared as JSON of the
/// records, nulls and defaults included), and a damaged entry is refused with what is wrong instead of replayed wrongly.
/// </summary>
public class JournalCodecTests
{
    private static readonly DateTime Moment = new(2026, 12, 3, 14, 5, 6, 789, DateTimeKind.Utc);

    public static TheoryData<string> Kinds => new() { "create", "enqueue", "purge", "commit", "complete", "fire", "image", "counter" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Entry_ComesBackAsWritten(string kind)
    {
        var entry = Sample(kind);

        var read = JournalCodec.Read(Encode(entry));

        Assert.Equal(Json(entry), Json(read));
    }

    [Fact]
    public void CompletedActivity_KeepsOnlyWhatItsReplayNeeds()
    {
        var read = JournalCodec.Read(Encode(Sample("complete")));

        var item = Assert.Single(read.Results!).Item;
        Assert.Equal((41L, "i-1"), (item.Id, item.InstanceId));
        Assert.Equal((string.Empty, 0, string.Empty, (string?)null), (item.ExecutionId, item.TaskId, item.Name, item.Input));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void TruncatedEntry_Refused(int cut)
    {
        var bytes = Encode(Sample("commit"));

        var refused = Assert.Throws<InvalidDataException>(() => JournalCodec.Read(bytes.AsMemory(0, bytes.Length - cut)));

        Assert.Contains("ends inside", refused.Message + " " + refused.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntryOfAnotherVersion_Refused()
    {
        var bytes = Encode(Sample("fire"));
        bytes[0] = 9;

        var refused = Assert.Throws<InvalidDataException>(() => JournalCodec.Read(bytes));

        Assert.Contains("version 9", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DamagedJournal_StopsTheStart_NamingTheRow()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mets-journal-").FullName, "durable.db");
        await using (var store = new JournaledOrchestrationStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            await store.CreateInstanceAsync(new InstanceRecord("i-1", "Flow") { ExecutionId = "e-1" }, new StoredEvent(StoredEventKind.ExecutionStarted, Moment), [], CancellationToken.None);
        }

        await using (var file = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await file.OpenAsync();
            using var damage = file.CreateCommand();
            damage.CommandText = "UPDATE journal SET entries = substr(entries, 1, length(entries) - 3)";
            await damage.ExecuteNonQueryAsync();
        }

        await using var reopened = new JournaledOrchestrationStore(path);
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => reopened.InitializeAsync(CancellationToken.None));

        Assert.Contains("cannot replay entry 1 of journal row 1", refused.Message, StringComparison.Ordinal);
    }

    private static byte[] Encode(JournalEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        JournalCodec.Write(buffer, entry);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Json(JournalEntry entry) => JsonSerializer.Serialize(entry);

    private static JournalEntry Sample(string kind)
    {
        var failure = new TaskFailureDetails("System.InvalidOperationException", "outer", "at A()",
            new TaskFailureDetails("System.IO.IOException", "inner ü", null, null, null),
            new Dictionary<string, object?> { ["code"] = 7, ["where"] = "disk" });
        var instance = new InstanceRecord("i-1", "Flow")
        {
            ExecutionId = "e-1",
            Status = OrchestrationRuntimeStatus.Failed,
            Input = "{\"n\":1}",
            Output = null,
            CustomStatus = "\"step\"",
            Failure = failure,
            CreatedAt = Moment,
            LastUpdatedAt = Moment.AddSeconds(1),
            ParentInstanceId = "p-1",
            ParentExecutionId = "pe-1",
            ParentTaskId = 3,
        };
        var full = new StoredEvent(StoredEventKind.SubOrchestrationInstanceFailed, Moment)
        {
            TaskId = -1,
            Name = "Child",
            Input = "1",
            Result = "2",
            Failure = failure,
            FireAt = Moment.AddDays(400),
            InstanceId = "c-1",
            ExecutionId = "e-1",
            Reason = "why",
            ParentName = "Flow",
        };
        var bare = new StoredEvent(StoredEventKind.OrchestratorStarted, new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Local));
        return kind switch
        {
            "create" => new JournalEntry(JournalEntryKind.Create) { Instance = instance, Event = full, DedupeStatuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running] },
            "enqueue" => new JournalEntry(JournalEntryKind.Enqueue) { InstanceId = "i-1", Event = bare },
            "purge" => new JournalEntry(JournalEntryKind.Purge) { InstanceIds = ["i-1", "i-2"] },
            "commit" => new JournalEntry(JournalEntryKind.Commit)
            {
                Commits =
                [
                    new OrchestrationCommit(instance)
                    {
                        AppendedHistory = [bare, full],
                        ReplaceHistory = true,
                        ConsumedMessageIds = [1, long.MaxValue],
                        NewActivities = [new NewActivity(4, "Send", "\"x\""), new NewActivity(5, "Send", null)],
                        NewTimers = [new NewTimer(6, Moment.AddHours(2))],
                        CancelledTimerIds = [2],
                        ClearPendingWork = true,
                        OutboundMessages = [new OutboundMessage("other", full)],
                        NewChildren = [new NewChildInstance(instance with { InstanceId = "c-1" }, bare, 7)],
                    },
                    new OrchestrationCommit(instance with { Failure = null }),
                ],
            },
            "complete" => new JournalEntry(JournalEntryKind.CompleteActivities)
            {
                Results = [new ActivityResult(new ActivityWorkItem(41, "i-1", string.Empty, 0, string.Empty, null), full)],
            },
            "fire" => new JournalEntry(JournalEntryKind.FireTimers) { Now = Moment },
            "image" => new JournalEntry(JournalEntryKind.Image)
            {
                NextId = 99,
                Image = new InstanceImage(
                    instance,
                    [bare, full],
                    [new InboxImage(12, full)],
                    [new ActivityWorkItem(13, "i-1", "e-1", 4, "Send", "\"x\"")],
                    [new TimerImage(14, "e-1", 6, Moment.AddHours(2))]),
            },
            "counter" => new JournalEntry(JournalEntryKind.Image) { NextId = 5 },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
