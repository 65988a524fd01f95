using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Mets.Workflow.Adapters.Sqlite;

/// <summary>
/// The case database file (<c>mets-cases.db</c>) as the case store and the step-command ledger share it: reads on
/// pooled connections, and every write through one writer per file in this process, which commits the writes that
/// queued meanwhile together (group commit). Each write runs inside a savepoint of that transaction, so one that
/// throws or asks to be undone is rolled back alone; each caller's task completes only after the commit, so an answer
/// never runs ahead of its data on disk. Writers never meet at SQLite's lock, whose busy retry in Microsoft.Data.Sqlite
/// sleeps 150 ms at a time on a thread-pool thread (what held referral intake to about 200 a second: docs/performance.md).
/// The writer keeps its own connection (<see cref="CaseWriter"/>: not pooled, its statements prepared once) for as long
/// as a store or ledger uses the file, and opens a new one after any failed batch.
/// </summary>
internal sealed class CaseDatabase
{
    private static readonly Dictionary<string, CaseDatabase> Open = new(StringComparer.Ordinal);

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, Task> _schemas = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string _writerConnectionString;
    private List<PendingWrite> _pending = [];
    private bool _writing;
    private int _users;
    private CaseWriter? _writer;

    private CaseDatabase(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        _path = path;
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _writerConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    public string ConnectionString { get; }

    /// <summary>
    /// The one instance for this file in this process, counted as used until <see cref="Release"/>: when the last user
    /// releases it, its writer's connection closes and the next user of the file gets a new instance.
    /// </summary>
    public static CaseDatabase Use(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var path = Path.GetFullPath(databasePath);
        lock (Open)
        {
            if (!Open.TryGetValue(path, out var database))
            {
                database = new CaseDatabase(path);
                Open.Add(path, database);
            }

            database._users++;
            return database;
        }
    }

    /// <summary>Ends one use begun by <see cref="Use"/> (once per user: <paramref name="released"/> is that user's flag).</summary>
    public void Release(ref int released)
    {
        if (Interlocked.Exchange(ref released, 1) == 1)
        {
            return;
        }

        lock (Open)
        {
            if (--_users > 0)
            {
                return;
            }

            Open.Remove(_path);
        }

        lock (_gate)
        {
            if (!_writing)
            {
                CloseWriter();
            }

            // otherwise the writer closes its connection when it runs out of writes (a write after the last release
            // still runs, on a connection of its own that is closed after it)
        }
    }

    /// <summary>Creates the tables of <paramref name="ddl"/> once (statements must be idempotent: IF NOT EXISTS); a failure is tried again next time.</summary>
    public Task EnsureSchemaAsync(string ddl, CancellationToken cancellationToken)
    {
        var created = _schemas.GetOrAdd(ddl, CreateSchemaAsync);
        if (created.IsFaulted || created.IsCanceled)
        {
            _schemas.TryRemove(new KeyValuePair<string, Task>(ddl, created));
        }

        return created.WaitAsync(cancellationToken);
    }

    private async Task CreateSchemaAsync(string ddl)
    {
        await using (var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false))
        await using (var wal = connection.CreateCommand())
        {
            // Outside any transaction (the mode is kept in the file; a no-op once set).
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await WriteAsync(writer =>
        {
            using var command = writer.Connection.CreateCommand();
#pragma warning disable CA2100 // the schema text is a constant of the calling class
            command.CommandText = ddl;
#pragma warning restore CA2100
            command.ExecuteNonQuery();
            return WriteResult.Keep(0);
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>A new pooled connection for reads (WAL: readers never wait for the writer).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="write"/> in the next group transaction (in its own savepoint) and completes once that
    /// transaction is committed. The write runs on the writer's thread, with the writer's kept statements
    /// (<see cref="CaseWriter.Statement"/>), and must not block on anything but SQLite.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<CaseWriter, WriteResult<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(write, cancellationToken);
        bool start;
        lock (_gate)
        {
            _pending.Add(pending);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(WriteBatches, CancellationToken.None);
        }

        return pending.Task;
    }

    private void WriteBatches()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    if (Volatile.Read(ref _users) == 0)
                    {
                        CloseWriter();
                    }

                    return;
                }

                batch = _pending;
                _pending = [];
            }

            try
            {
                _writer ??= CaseWriter.Open(_writerConnectionString);
                _writer.Begin();
                foreach (var write in batch)
                {
                    write.Run(_writer);
                }

                _writer.Commit();
            }
#pragma warning disable CA1031 // the failure is handed to every caller of the batch
            catch (Exception exception)
#pragma warning restore CA1031
            {
                foreach (var write in batch)
                {
                    write.Fail(exception);
                }

                CloseWriter(); // closing rolls back whatever the failed batch left open
                continue;
            }

            foreach (var write in batch)
            {
                write.Complete();
            }
        }
    }

    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private abstract class PendingWrite
    {
        public abstract void Run(CaseWriter writer);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<CaseWriter, WriteResult<T>> write, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WriteResult<T>? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override void Run(CaseWriter writer)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _error = new OperationCanceledException(cancellationToken);
                return;
            }

            writer.Statement("SAVEPOINT w").ExecuteNonQuery();
            try
            {
                _result = write(writer);
            }
#pragma warning disable CA1031 // handed to this write's caller; the savepoint undoes what it wrote
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _error = exception;
            }

            if (_error is not null || !_result!.Value.Commit)
            {
                writer.Statement("ROLLBACK TO w").ExecuteNonQuery();
            }

            writer.Statement("RELEASE w").ExecuteNonQuery();
        }

        public override void Complete()
        {
            if (_error is OperationCanceledException cancelled)
            {
                _done.TrySetCanceled(cancelled.CancellationToken);
            }
            else if (_error is not null)
            {
                _done.TrySetException(_error);
            }
            else
            {
                _done.TrySetResult(_result!.Value.Value);
            }
        }

        public override void Fail(Exception exception) => _done.TrySetException(exception);
    }
}

/// <summary>
/// The case database writer's own connection (not pooled), kept open between batches with every statement it ran
/// prepared once and kept (by its SQL text: the statements are constants of the stores), so a write parses no SQL and
/// opens nothing. Only the writer's thread uses it. Disposing it closes the connection, which rolls back a transaction
/// left open.
/// </summary>
internal sealed class CaseWriter : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SQLitePCL.sqlite3_stmt> _raw = new(StringComparer.Ordinal);

    private CaseWriter(SqliteConnection connection) => Connection = connection;

    /// <summary>The connection, for a statement that is not kept (the schema's, run once).</summary>
    public SqliteConnection Connection { get; }

    public static CaseWriter Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            return new CaseWriter(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Starts the batch's transaction, taking SQLite's write lock at once (BEGIN IMMEDIATE).</summary>
    public void Begin() => Statement("BEGIN IMMEDIATE").ExecuteNonQuery();

    public void Commit() => Statement("COMMIT").ExecuteNonQuery();

    /// <summary>
    /// The kept command for <paramref name="sql"/> with <paramref name="parameters"/> set (always the same names for the
    /// same text). The caller runs it and disposes only the reader it opens, never the command.
    /// </summary>
#pragma warning disable CA2100 // Statements are constants of the calling classes; values always go in as parameters.
    public SqliteCommand Statement(string sql, params (string Name, object? Value)[] parameters)
    {
        if (_statements.TryGetValue(sql, out var command))
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters[name].Value = value ?? DBNull.Value;
            }

            return command;
        }

        command = Connection.CreateCommand();
        try
        {
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            command.Prepare();
        }
        catch
        {
            command.Dispose();
            throw;
        }

        _statements.Add(sql, command);
        return command;
    }
#pragma warning restore CA2100

    /// <summary>
    /// The kept statement for <paramref name="sql"/> on SQLite's own API, reset and with no values bound (the caller binds,
    /// steps and resets it), or null when it cannot be prepared.
    /// </summary>
    public SQLitePCL.sqlite3_stmt? Raw(string sql)
    {
        if (_raw.TryGetValue(sql, out var statement))
        {
            SQLitePCL.raw.sqlite3_reset(statement);
            SQLitePCL.raw.sqlite3_clear_bindings(statement);
            return statement;
        }

        if (SQLitePCL.raw.sqlite3_prepare_v2(Connection.Handle, sql, out statement) != SQLitePCL.raw.SQLITE_OK)
        {
            statement.Dispose();
            return null;
        }

        _raw.Add(sql, statement);
        return statement;
    }

    public void Dispose()
    {
        foreach (var statement in _raw.Values)
        {
            statement.Dispose();
        }

        foreach (var command in _statements.Values)
        {
            command.Dispose();
        }

        Connection.Dispose();
    }
}

/// <summary>What a write answers, and whether what it wrote stays (false: its savepoint is rolled back).</summary>
internal readonly record struct WriteResult<T>(T Value, bool Commit);

internal static class WriteResult
{
    public static WriteResult<T> Keep<T>(T value) => new(value, true);

    public static WriteResult<T> Undo<T>(T value) => new(value, false);
}
