using Mets.Workflow.Adapters.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mets.Workflow.Tests.Adapters.Sqlite;

/// <summary>The case database's one writer, which keeps its connection and statements between batches.</summary>
public sealed class CaseDatabaseTests : IDisposable
{
    private const string Table = "CREATE TABLE IF NOT EXISTS notes (n INTEGER NOT NULL);";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-casedatabase-tests", Guid.NewGuid().ToString("N"));
    private readonly CaseDatabase _database;
    private int _released;

    public CaseDatabaseTests()
    {
        Directory.CreateDirectory(_folder);
        _database = CaseDatabase.Use(Path.Combine(_folder, "cases.db"));
    }

    /// <summary>
    /// A batch that fails after a write (here the write itself released its savepoint, so the writer's own release
    /// fails) leaves its transaction open on the kept connection. Its callers get the failure, nothing it wrote stays,
    /// and the next write commits: the writer closed that connection (rolling the transaction back) and opened another.
    /// </summary>
    [Fact]
    public async Task FailedBatch_IsRolledBack_AndTheNextWriteCommitsOnAFreshConnection()
    {
        await _database.EnsureSchemaAsync(Table, CancellationToken.None);
        await Insert(1);

        var failed = _database.WriteAsync(writer =>
        {
            writer.Statement("INSERT INTO notes (n) VALUES ($n)", ("$n", 2)).ExecuteNonQuery();
            using var release = writer.Connection.CreateCommand();
            release.CommandText = "RELEASE w";
            release.ExecuteNonQuery();
            return WriteResult.Keep(0);
        }, CancellationToken.None);
        await Assert.ThrowsAsync<SqliteException>(() => failed);

        await Insert(3);
        Assert.Equal([1, 3], Notes());
    }

    /// <summary>A write that throws, or asks to be undone, is rolled back alone; the others of the batch stay.</summary>
    [Fact]
    public async Task WriteThatThrowsOrIsUndone_IsRolledBackAlone()
    {
        await _database.EnsureSchemaAsync(Table, CancellationToken.None);
        var writes = new[]
        {
            Insert(1),
            _database.WriteAsync<int>(writer =>
            {
                writer.Statement("INSERT INTO notes (n) VALUES ($n)", ("$n", 2)).ExecuteNonQuery();
                throw new InvalidOperationException("refused");
            }, CancellationToken.None),
            _database.WriteAsync(writer => WriteResult.Undo(writer.Statement("INSERT INTO notes (n) VALUES ($n)", ("$n", 3)).ExecuteNonQuery()), CancellationToken.None),
            Insert(4),
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => writes[1]);
        Assert.Equal(1, await writes[2]);
        Assert.Equal([1, 4], Notes());
    }

    public void Dispose()
    {
        _database.Release(ref _released);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private Task<int> Insert(int n) =>
        _database.WriteAsync(writer => WriteResult.Keep(writer.Statement("INSERT INTO notes (n) VALUES ($n)", ("$n", n)).ExecuteNonQuery()), CancellationToken.None);

    private List<int> Notes()
    {
        var connection = _database.RentReader();
        try
        {
            using var rows = connection.Statement("SELECT n FROM notes ORDER BY n").ExecuteReader();
            var notes = new List<int>();
            while (rows.Read())
            {
                notes.Add(rows.GetInt32(0));
            }

            return notes;
        }
        finally
        {
            _database.ReturnReader(connection);
        }
    }
}
