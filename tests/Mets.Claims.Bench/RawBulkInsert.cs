using System.Diagnostics;
using Mets.Claims.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mets.Claims.Bench;

/// <summary>
/// The store's yardstick: the rows an ingest left in its database, inserted into a fresh database with the same
/// schema (same tables and indexes, made by <see cref="SqliteClaimsStore"/> itself) and the store's connection
/// settings, all in one transaction, with one statement per table prepared once and bound by position for each
/// row (the fastest plain way to insert with SQLite; going through SqliteCommand parameters instead took about
/// 1.5 times as long here). The rows are read into memory first, so the time is SQLite's alone: no reading,
/// encoding or analytics.
/// </summary>
internal static class RawBulkInsert
{
    /// <summary>Every table an ingest writes rows to that are still there after it (staged_eligibility is emptied
    /// by the commit; counters and file_acknowledgments are X12 only).</summary>
    private static readonly string[] Tables = ["files", "file_reports", "claim_versions", "claims_current", "file_members", "eligibility", "member_months", "care_gaps", "file_triggers"];

    public sealed record Rows(IReadOnlyList<(string Table, string[] Columns, List<object?[]> Values)> Tables)
    {
        public long Count => Tables.Sum(t => (long)t.Values.Count);

        public string Describe() => string.Join(", ", Tables.Where(t => t.Values.Count > 0).Select(t => $"{t.Table} {t.Values.Count:N0}"));
    }

    /// <summary>Reads every row of the ingest's tables, in rowid (insertion) order.</summary>
    public static Rows Read(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<(string, string[], List<object?[]>)>();
        foreach (var table in Tables)
        {
            using var command = connection.CreateCommand();
#pragma warning disable CA2100 // table names are the constants above
            command.CommandText = $"SELECT * FROM {table}";
#pragma warning restore CA2100
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var values = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[columns.Length];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                values.Add(row);
            }

            tables.Add((table, columns, values));
        }

        return new Rows(tables);
    }

    /// <summary>Creates a fresh database at <paramref name="databasePath"/> and inserts <paramref name="rows"/>;
    /// returns the wall time and the process CPU time of the inserts and the commit.</summary>
    public static async Task<(TimeSpan Wall, TimeSpan Cpu)> InsertAsync(Rows rows, string databasePath)
    {
        // The store creates the schema (tables, indexes, journal mode) on first use.
        await new SqliteClaimsStore(databasePath).GetFileAsync("schema", CancellationToken.None);
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = SqliteClaimsStore.ConnectionPragmas;
            pragma.ExecuteNonQuery();
        }

        var started = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        using var tx = connection.BeginTransaction();
        foreach (var (table, columns, values) in rows.Tables)
        {
            if (values.Count == 0)
            {
                continue;
            }

            var sql = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(_ => "?"))})";
            Check(raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement), connection);
            using (statement)
            {
                foreach (var row in values)
                {
                    for (var i = 0; i < row.Length; i++)
                    {
                        Check(row[i] switch
                        {
                            null => raw.sqlite3_bind_null(statement, i + 1),
                            long l => raw.sqlite3_bind_int64(statement, i + 1, l),
                            double d => raw.sqlite3_bind_double(statement, i + 1, d),
                            string text => raw.sqlite3_bind_text(statement, i + 1, text),
                            byte[] blob => raw.sqlite3_bind_blob(statement, i + 1, blob),
                            var other => throw new InvalidOperationException("Unexpected value type " + other.GetType()),
                        }, connection);
                    }

                    if (raw.sqlite3_step(statement) != raw.SQLITE_DONE)
                    {
                        Check(raw.SQLITE_ERROR, connection);
                    }

                    raw.sqlite3_reset(statement);
                }
            }
        }

        tx.Commit();
        return (Stopwatch.GetElapsedTime(started), Environment.CpuUsage.TotalTime - cpu);
    }

    private static void Check(int rc, SqliteConnection connection)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite error {rc}: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}");
        }
    }
}
