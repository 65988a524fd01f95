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
/// </summary>
internal sealed class CaseDatabase
{
    private static readonly ConcurrentDictionary<string, CaseDatabase> Open = new(StringComparer.Ordinal);

    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, Task> _schemas = new(StringComparer.Ordinal);
    private List<PendingWrite> _pending = [];
    private bool _writing;

    private CaseDatabase(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        ConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public string ConnectionString { get; }

    /// <summary>The one instance for this file in this process.</summary>
    public static CaseDatabase At(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        return Open.GetOrAdd(Path.GetFullPath(databasePath), path => new CaseDatabase(path));
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

        await WriteAsync((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
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
    /// transaction is committed. The write runs on the writer's thread and must not block on anything but SQLite.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, WriteResult<T>> write, CancellationToken cancellationToken)
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
            _ = Task.Run(WriteBatchesAsync, CancellationToken.None);
        }

        return pending.Task;
    }

    private async Task WriteBatchesAsync()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = _pending;
                _pending = [];
            }

            try
            {
                await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
                using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
                foreach (var write in batch)
                {
                    write.Run(connection, transaction);
                }

                transaction.Commit();
            }
#pragma warning disable CA1031 // the failure is handed to every caller of the batch
            catch (Exception exception)
#pragma warning restore CA1031
            {
                foreach (var write in batch)
                {
                    write.Fail(exception);
                }

                continue;
            }

            foreach (var write in batch)
            {
                write.Complete();
            }
        }
    }

    private abstract class PendingWrite
    {
        private static int _savepoints;

        protected static string NextSavepoint() => "w" + Interlocked.Increment(ref _savepoints).ToString(System.Globalization.CultureInfo.InvariantCulture);

        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, WriteResult<T>> write, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WriteResult<T>? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _error = new OperationCanceledException(cancellationToken);
                return;
            }

            var savepoint = NextSavepoint();
            transaction.Save(savepoint);
            try
            {
                _result = write(connection, transaction);
            }
#pragma warning disable CA1031 // handed to this write's caller; the savepoint undoes what it wrote
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _error = exception;
            }

            if (_error is not null || !_result!.Value.Commit)
            {
                transaction.Rollback(savepoint);
            }

            transaction.Release(savepoint);
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

/// <summary>What a write answers, and whether what it wrote stays (false: its savepoint is rolled back).</summary>
internal readonly record struct WriteResult<T>(T Value, bool Commit);

internal static class WriteResult
{
    public static WriteResult<T> Keep<T>(T value) => new(value, true);

    public static WriteResult<T> Undo<T>(T value) => new(value, false);
}
