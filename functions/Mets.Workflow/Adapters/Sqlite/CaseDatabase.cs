using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Mets.Workflow.Adapters.Sqlite;

/// <summary>
/// The case database file (<c>mets-cases.db</c>) as the case store and the step-command ledger share it: reads on
/// connections of their own, and every write through one writer per file in this process, which commits the writes that
/// queued meanwhile together (group commit). Each write runs inside a savepoint of that transaction, so one that
/// throws or asks to be undone is rolled back alone; each caller's task completes only after the commit, so an answer
/// never runs ahead of its data on disk. Writers never meet at SQLite's lock, whose busy retry in Microsoft.Data.Sqlite
/// sleeps 150 ms at a time on a thread-pool thread (what held referral intake to about 200 a second: docs/performance.md).
/// Every connection is kept (<see cref="CaseDatabaseConnection"/>: not pooled, its statements prepared once) for as long
/// as a store or ledger uses the file: the writer's, which is opened anew after any failed batch, and up to
/// <see cref="ReadersKept"/> reading ones (<see cref="RentReader"/>). The last user's release closes them all.
/// </summary>
internal sealed class CaseDatabase
{
    private static readonly Dictionary<string, CaseDatabase> Open = new(StringComparer.Ordinal);

    /// <summary>Reading connections kept open between reads (more may be open at once; the rest close when given back).</summary>
    private const int ReadersKept = 8;

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, Task> _schemas = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string _keptConnectionString;
    private List<PendingWrite> _pending = [];
    private bool _writing;
    private int _users;
    private CaseDatabaseConnection? _writer;
    private readonly Stack<CaseDatabaseConnection> _readers = new();

    private CaseDatabase(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        _path = path;
        _keptConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    /// <summary>
    /// The one instance for this file in this process, counted as used until <see cref="Release"/>: when the last user
    /// releases it, its connections close and the next user of the file gets a new instance.
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
            CloseReaders();
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
        var reader = RentReader();
        try
        {
            // Outside any transaction (the mode is kept in the file; a no-op once set).
            using var wal = reader.Connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }
        finally
        {
            ReturnReader(reader);
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

    /// <summary>
    /// A kept reading connection of this file (its statements prepared once), or a new one when none is free; give it
    /// back with <see cref="ReturnReader"/>. WAL: readers never wait for the writer. Each statement must be reset after
    /// use (a disposed reader, <c>ExecuteScalar</c>), so no read holds a snapshot past its call.
    /// </summary>
    public CaseDatabaseConnection RentReader()
    {
        lock (_gate)
        {
            if (_readers.TryPop(out var reader))
            {
                return reader;
            }
        }

        return CaseDatabaseConnection.Open(_keptConnectionString);
    }

    /// <summary>Keeps <paramref name="reader"/> for the next read, or closes it (enough kept, or the file no longer used).</summary>
    public void ReturnReader(CaseDatabaseConnection reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        lock (_gate)
        {
            if (Volatile.Read(ref _users) > 0 && _readers.Count < ReadersKept)
            {
                _readers.Push(reader);
                return;
            }
        }

        reader.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="write"/> in the next group transaction (in its own savepoint) and completes once that
    /// transaction is committed. The write runs on the writer's thread, with the writer's kept statements
    /// (<see cref="CaseDatabaseConnection.Statement"/>), and must not block on anything but SQLite.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<CaseDatabaseConnection, WriteResult<T>> write, CancellationToken cancellationToken)
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
                _writer ??= CaseDatabaseConnection.Open(_keptConnectionString);
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

    private void CloseReaders()
    {
        while (_readers.TryPop(out var reader))
        {
            reader.Dispose();
        }
    }

    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private abstract class PendingWrite
    {
        public abstract void Run(CaseDatabaseConnection writer);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<CaseDatabaseConnection, WriteResult<T>> write, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WriteResult<T>? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override void Run(CaseDatabaseConnection writer)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _error = new OperationCanceledException(cancellationToken);
                return;
            }

            // One name serves every write: a write's savepoint is released before the next write of the batch runs.
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
/// A connection to the case database kept open (not pooled): the writer's, or a reading one. Every statement it ran is
/// prepared once and kept by its SQL text (the statements are constants of the stores), so a read or write parses no
/// SQL and opens nothing. One caller at a time uses it. Disposing it closes the connection, which rolls back a
/// transaction left open.
/// </summary>
internal sealed class CaseDatabaseConnection : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SQLitePCL.sqlite3_stmt> _raw = new(StringComparer.Ordinal);

    private CaseDatabaseConnection(SqliteConnection connection) => Connection = connection;

    /// <summary>The connection, for a statement that is not kept (the schema's, run once).</summary>
    public SqliteConnection Connection { get; }

    public static CaseDatabaseConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            return new CaseDatabaseConnection(connection);
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
    /// Prepares <paramref name="sql"/> on SQLite's own API once and keeps it: <paramref name="statement"/> is reset and has
    /// no values bound (the caller binds, steps and resets it). Answers SQLite's result code; on anything but SQLITE_OK
    /// there is no statement (SQLITE_BUSY or SQLITE_LOCKED when the file is locked).
    /// </summary>
    public int Prepare(string sql, out SQLitePCL.sqlite3_stmt? statement)
    {
        if (_raw.TryGetValue(sql, out statement))
        {
            SQLitePCL.raw.sqlite3_reset(statement);
            SQLitePCL.raw.sqlite3_clear_bindings(statement);
            return SQLitePCL.raw.SQLITE_OK;
        }

        var result = SQLitePCL.raw.sqlite3_prepare_v2(Connection.Handle, sql, out var prepared);
        if (result != SQLitePCL.raw.SQLITE_OK)
        {
            prepared.Dispose();
            statement = null;
            return result;
        }

        _raw.Add(sql, prepared);
        statement = prepared;
        return result;
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
