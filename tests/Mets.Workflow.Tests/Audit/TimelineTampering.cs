using System.Text.Json;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Microsoft.Data.Sqlite;

namespace Mets.Workflow.Tests.Audit;

/// <summary>
/// What someone with write access to the stores does to a timeline, bypassing the application: the changes, and the
/// SQLite case database rewritten directly. Also compiled into Mets.Azure.Tests (linked), whose contract does the same
/// to the Cosmos items.
/// </summary>
internal static class TimelineTampering
{
    /// <summary>Entry <paramref name="position"/> (1-based) made to say it happened an hour earlier; its hash kept.</summary>
    public static List<TimelineEntry> EditAt(IReadOnlyList<TimelineEntry> timeline, int position)
    {
        var edited = timeline.ToList();
        var entry = edited[position - 1];
        edited[position - 1] = new TimelineEntry(entry.At.AddHours(-1), entry.Actor, entry.Kind, entry.Details) with { Hash = entry.Hash };
        return edited;
    }

    public static List<TimelineEntry> DeleteAt(IReadOnlyList<TimelineEntry> timeline, int position) => [.. timeline.Where((_, i) => i != position - 1)];

    /// <summary>An entry added at <paramref name="position"/>, sealed in line by someone who knows the chain (the entries after it keep their hashes).</summary>
    public static List<TimelineEntry> InsertAt(EngagementId id, IReadOnlyList<TimelineEntry> timeline, int position)
    {
        var before = timeline.Take(position - 1).ToList();
        var added = TimelineChain.Seal(id, before, TimelineEntry.Create(timeline[position - 1].At, Actor.System, TimelineEntryKind.ReminderSent, "step=assessment"));
        return [.. before, added, .. timeline.Skip(position - 1)];
    }

    /// <summary>Entry <paramref name="position"/> edited and every hash recomputed: the chain verifies in itself.</summary>
    public static List<TimelineEntry> RewriteConsistently(EngagementId id, IReadOnlyList<TimelineEntry> timeline, int position)
    {
        var edited = EditAt(timeline, position);
        var hashes = TimelineChain.Recompute(id, edited);
        return [.. edited.Select((e, i) => e with { Hash = hashes[i + 1] })];
    }

    /// <summary>Rewrites the timeline in the SQLite case database's document directly (its ETag kept, as a quiet edit would).</summary>
    public static async Task InSqliteAsync(string databasePath, EngagementId id, Func<IReadOnlyList<TimelineEntry>, List<TimelineEntry>> change)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT document FROM cases WHERE id = $id";
        read.Parameters.AddWithValue("$id", id.Value);
        var stored = JsonSerializer.Deserialize<EngagementCase>((string)(await read.ExecuteScalarAsync())!, CaseDocumentJson.Options)!;
        await using var write = connection.CreateCommand();
        write.CommandText = "UPDATE cases SET document = $document WHERE id = $id";
        write.Parameters.AddWithValue("$id", id.Value);
        write.Parameters.AddWithValue("$document", JsonSerializer.Serialize(stored with { Timeline = change(stored.Timeline) }, CaseDocumentJson.Options));
        Assert.Equal(1, await write.ExecuteNonQueryAsync());
    }
}
