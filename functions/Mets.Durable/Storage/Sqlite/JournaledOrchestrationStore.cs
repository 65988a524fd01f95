using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

namespace Mets.Durable.Storage.Sqlite;

/// <summary>
/// The engine's state held in memory (<see cref="InMemoryOrchestrationStore"/>: the same code the in-memory figures
/// measure) and every change journaled to one SQLite file: each call that changes something is applied and appended as
/// one journal entry (its arguments as JSON) in one step under one lock, so the journal's order is the order the
/// changes were made and nothing is seen before its entry is in the file (WAL, synchronous=NORMAL: an entry survives a
/// killed process as soon as it is appended, as the relational store's commits do). At start the journal is replayed
/// into memory. When the journal has grown past <see cref="CompactAfterBytes"/> and twice its last image, it is replaced,
/// in one transaction, by an image of the state (one entry per instance), which is what a restart then replays.
/// An exclusive lock file next to the database keeps a second process off the file.
/// </summary>
public sealed class JournaledOrchestrationStore : IOrchestrationStore
{
    /// <summary>The journal's schema (PRAGMA user_version); 100 and up, so the relational store's versions (1, 2) never match it.</summary>
    private const int SchemaVersion = 101;


    private readonly string _path;
    private readonly long _compactAfterBytes;
    private readonly Lock _gate = new();
    private InMemoryOrchestrationStore _state = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _append;
    private FileStream? _lockFile;
    private List<byte[]> _pending = [];
    private TaskCompletionSource _pendingWritten = NewBatch();
    private TaskCompletionSource? _writing;
    private bool _flushing;
    private long _journalBytes;
    private long _imageBytes;
    private Exception? _broken;

    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="compactAfterBytes">The journal size from which it is replaced by an image of the state (when it is also twice the last image).</param>
    public JournaledOrchestrationStore(string databasePath, long compactAfterBytes = CompactAfterBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(compactAfterBytes);
        _path = Path.GetFullPath(databasePath);
        _compactAfterBytes = compactAfterBytes;
    }

    /// <summary>The default journal size from which it is compacted (64 MB).</summary>
    public const long CompactAfterBytes = 64L << 20;

    public string DatabasePath => _path;

    /// <summary>Entries replayed at the last start, and how many times the journal was replaced by an image since (for tests and diagnostics).</summary>
    public (long Replayed, int Compactions) Counts { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellation)
    {
        if (_connection is not null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        try
        {
            _lockFile = new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The durable store '{_path}' is in use by another process (lock file '{_path}.lock'). Stop the other host or use another data folder.", ex);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellation).ConfigureAwait(false);
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
            if (version == 0 && Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_master;"), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                throw new InvalidOperationException(
                    $"The durable store '{_path}' holds tables of another kind of store, not a journal. Move it (with its -wal and -shm files) out of the data folder " +
                    "to start with an empty engine; open engagements are then rescheduled from the case database at start-up.");
            }

            if (version is > 0 and < 100)
            {
                throw new InvalidOperationException(
                    $"The durable store '{_path}' was written by the relational SQLite store (schema {version}), not as a journal. Move it (with its -wal and -shm files) " +
                    "out of the data folder to start with an empty engine; open engagements are then rescheduled from the case database at start-up.");
            }

            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"The durable store '{_path}' has journal schema {version}; this build understands up to {SchemaVersion}.");
            }

            if (version == 0)
            {
                Execute(connection, $"CREATE TABLE journal (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL); PRAGMA user_version = {SchemaVersion};");
            }

            Counts = (Replay(connection, cancellation), 0);
            _append = connection.CreateCommand();
            _append.CommandText = "INSERT INTO journal(entry) VALUES ($entry)";
            _append.Parameters.Add("$entry", SqliteType.Blob);
            _append.Prepare();
            _connection = connection;
            lock (_gate)
            {
                CompactIfDue();
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await _lockFile.DisposeAsync().ConfigureAwait(false);
            _lockFile = null;
            throw;
        }
    }

    public Task CreateInstanceAsync(InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(dedupeStatuses);
        var entry = Serialize(new JournalEntry(JournalEntryKind.Create) { Instance = instance, Event = startEvent, DedupeStatuses = dedupeStatuses });
        return Change(entry, state => state.CreateInstanceAsync(instance, startEvent, dedupeStatuses, cancellation));
    }

    public Task<bool> EnqueueMessageAsync(string instanceId, StoredEvent message, CancellationToken cancellation)
    {
        var entry = Serialize(new JournalEntry(JournalEntryKind.Enqueue) { InstanceId = instanceId, Event = message });
        return Change(entry, state => state.EnqueueMessageAsync(instanceId, message, cancellation), changed: enqueued => enqueued);
    }

    public Task<InstanceRecord?> GetInstanceAsync(string instanceId, CancellationToken cancellation) =>
        Read(state => state.GetInstanceAsync(instanceId, cancellation));

    public Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(InstanceQuery query, CancellationToken cancellation) =>
        Read(state => state.QueryInstancesAsync(query, cancellation));

    public Task<IReadOnlyList<StoredEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation) =>
        Read(state => state.GetHistoryAsync(instanceId, cancellation));

    public Task<int> PurgeInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var entry = Serialize(new JournalEntry(JournalEntryKind.Purge) { InstanceIds = instanceIds });
        return Change(entry, state => state.PurgeInstancesAsync(instanceIds, cancellation), changed: purged => purged > 0);
    }

    public Task<IReadOnlyList<OrchestrationWorkItem>> FetchOrchestrationWorkItemsAsync(int maxCount, IReadOnlySet<string> busyInstanceIds, CancellationToken cancellation) =>
        Read(state => state.FetchOrchestrationWorkItemsAsync(maxCount, busyInstanceIds, cancellation));

    public Task CommitOrchestrationsAsync(IReadOnlyList<OrchestrationCommit> commits, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(commits);
        if (commits.Count == 0)
        {
            return Task.CompletedTask;
        }

        var entry = Serialize(new JournalEntry(JournalEntryKind.Commit) { Commits = commits });
        return Change(entry, state => state.CommitOrchestrationsAsync(commits, cancellation));
    }

    public Task<IReadOnlyList<ActivityWorkItem>> FetchActivityWorkItemsAsync(int maxCount, IReadOnlySet<long> dispatched, CancellationToken cancellation) =>
        Read(state => state.FetchActivityWorkItemsAsync(maxCount, dispatched, cancellation));

    public Task CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return Task.CompletedTask;
        }

        var entry = Serialize(new JournalEntry(JournalEntryKind.CompleteActivities) { Results = results });
        return Change(entry, state => state.CompleteActivitiesAsync(results, cancellation));
    }

    public Task<DateTime?> GetNextTimerDueAsync(CancellationToken cancellation) =>
        Read(state => state.GetNextTimerDueAsync(cancellation));

    public Task<int> FireDueTimersAsync(DateTime now, CancellationToken cancellation)
    {
        var entry = Serialize(new JournalEntry(JournalEntryKind.FireTimers) { Now = now });
        return Change(entry, state => state.FireDueTimersAsync(now, cancellation), changed: fired => fired > 0);
    }

    public Task<StoreWorkCounts> GetWorkCountsAsync(DateTime now, CancellationToken cancellation) =>
        Read(state => state.GetWorkCountsAsync(now, cancellation));

    public async ValueTask DisposeAsync()
    {
        Task flushed;
        lock (_gate)
        {
            flushed = Visible();
        }

        try
        {
            await flushed.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // the journal broke: what was not written is lost with the process, as after a kill
        }

        lock (_gate)
        {
            _append?.Dispose();
            _append = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        if (_lockFile is not null)
        {
            await _lockFile.DisposeAsync().ConfigureAwait(false);
            _lockFile = null;
        }
    }

    private Task<bool> Change(byte[] entry, Func<InMemoryOrchestrationStore, Task> apply) =>
        Change(entry, state => { apply(state).GetAwaiter().GetResult(); return Task.FromResult(true); }, changed: _ => true);

    /// <summary>
    /// Applies a change to the state and queues its entry, as one step under the lock (a change that throws, or that
    /// <paramref name="changed"/> says changed nothing, queues nothing), and answers once the entry is in the file. The
    /// state's methods complete synchronously.
    /// </summary>
    private async Task<T> Change<T>(byte[] entry, Func<InMemoryOrchestrationStore, Task<T>> apply, Func<T, bool> changed)
    {
        T result;
        Task written;
        lock (_gate)
        {
            Usable();
            result = apply(_state).GetAwaiter().GetResult();
            written = changed(result) ? Append(entry) : Visible();
        }

        await written.ConfigureAwait(false);
        return result;
    }

    /// <summary>Reads the state, and answers once every change the read could see is in the file (nothing is seen before it is durable).</summary>
    private async Task<T> Read<T>(Func<InMemoryOrchestrationStore, Task<T>> read)
    {
        T result;
        Task visible;
        lock (_gate)
        {
            Usable();
            result = read(_state).GetAwaiter().GetResult();
            visible = Visible();
        }

        await visible.ConfigureAwait(false);
        return result;
    }

    /// <summary>Queues an entry for the next batch (under the lock); the task completes when that batch is in the file.</summary>
    private Task Append(byte[] entry)
    {
        _pending.Add(entry);
        _journalBytes += entry.Length;
        if (!_flushing)
        {
            _flushing = true;
            _ = Task.Run(WriteBatches, CancellationToken.None);
        }

        return _pendingWritten.Task;
    }

    /// <summary>What a caller must wait for before it may act on the state it saw (under the lock): the queued batch, or the one being written.</summary>
    private Task Visible() =>
        _pending.Count > 0 ? _pendingWritten.Task : _writing?.Task ?? Task.CompletedTask;

    /// <summary>
    /// Writes the queued entries, batch after batch, each in one transaction (group commit), until none is queued; then
    /// compacts the journal if it is due.
    /// </summary>
    private void WriteBatches()
    {
        while (true)
        {
            List<byte[]> batch;
            TaskCompletionSource written;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    _writing = null;
                    return;
                }

                batch = _pending;
                written = _pendingWritten;
                _pending = [];
                _pendingWritten = NewBatch();
                _writing = written;
            }

            try
            {
                using var transaction = _connection!.BeginTransaction();
                _append!.Transaction = transaction;
                foreach (var entry in batch)
                {
                    _append.Parameters[0].Value = entry;
                    _append.ExecuteNonQuery();
                }

                transaction.Commit();
            }
#pragma warning disable CA1031 // handed to every caller waiting on the journal
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Break(ex, written);
                return;
            }

            written.TrySetResult();
            lock (_gate)
            {
                try
                {
                    CompactIfDue();
                }
#pragma warning disable CA1031 // handed to every caller waiting on the journal
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Break(ex, null);
                    return;
                }
            }
        }
    }

    /// <summary>The state holds changes the file does not: every waiting caller fails, and so does every later call.</summary>
    private void Break(Exception cause, TaskCompletionSource? writing)
    {
        var failure = new InvalidOperationException($"The durable store '{_path}' could not write its journal; restart the host to go on from the file.", cause);
        lock (_gate)
        {
            _broken = cause;
            _flushing = false;
            _writing = null;
            _pending = [];
            _pendingWritten.TrySetException(failure);
        }

        writing?.TrySetException(failure);
    }

    private static TaskCompletionSource NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Usable()
    {
        if (_broken is not null)
        {
            throw new InvalidOperationException($"The durable store '{_path}' could not write its journal earlier; restart the host to go on from the file.", _broken);
        }

        if (_append is null)
        {
            throw new InvalidOperationException($"The durable store '{_path}' is not initialized (InitializeAsync) or is disposed.");
        }
    }

    /// <summary>
    /// Replaces the journal by an image of the state, in one transaction, once it is past the threshold and twice the last
    /// image. Runs under the lock, with no batch being written (at start, or from the writer between batches).
    /// </summary>
    private void CompactIfDue()
    {
        if (_journalBytes < _compactAfterBytes || _journalBytes < 2 * _imageBytes)
        {
            return;
        }

        var connection = _connection!;
        using var transaction = connection.BeginTransaction();
        using (var clear = connection.CreateCommand())
        {
            clear.Transaction = transaction;
            clear.CommandText = "DELETE FROM journal";
            clear.ExecuteNonQuery();
        }

        long bytes = 0;
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO journal(entry) VALUES ($entry)";
            var value = insert.Parameters.Add("$entry", SqliteType.Blob);
            var nextId = _state.NextId;
            foreach (var image in _state.Images())
            {
                var entry = Serialize(new JournalEntry(JournalEntryKind.Image) { Image = image, NextId = nextId });
                value.Value = entry;
                insert.ExecuteNonQuery();
                bytes += entry.Length;
            }

            // The counter alone, for a state with no instance left.
            var counter = Serialize(new JournalEntry(JournalEntryKind.Image) { NextId = nextId });
            value.Value = counter;
            insert.ExecuteNonQuery();
            bytes += counter.Length;
        }

        transaction.Commit();
        _journalBytes = bytes;
        _imageBytes = bytes;
        Counts = Counts with { Compactions = Counts.Compactions + 1 };

        // The image holds the changes still queued (they were applied before the lock was taken): they are written.
        if (_pending.Count > 0)
        {
            var covered = _pendingWritten;
            _pending = [];
            _pendingWritten = NewBatch();
            covered.TrySetResult();
        }
    }

    /// <summary>Rebuilds the state from the journal, entry by entry, in order.</summary>
    private long Replay(SqliteConnection connection, CancellationToken cancellation)
    {
        var state = new InMemoryOrchestrationStore();
        long entries = 0;
        long bytes = 0;
        long imageBytes = 0;
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT seq, entry FROM journal ORDER BY seq";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                cancellation.ThrowIfCancellationRequested();
                var seq = reader.GetInt64(0);
                var blob = (byte[])reader.GetValue(1);
                JournalEntry entry;
                try
                {
                    entry = JsonSerializer.Deserialize(blob, JournalJson.Default.JournalEntry) ?? throw new InvalidDataException("empty entry");
                    Apply(state, entry);
                }
                catch (Exception ex) when (ex is JsonException or InvalidDataException or ArgumentException or InvalidOperationException or KeyNotFoundException)
                {
                    throw new InvalidDataException($"The durable store '{_path}' cannot replay journal entry {seq}: {ex.Message}", ex);
                }

                entries++;
                bytes += blob.Length;
                if (entry.Kind == JournalEntryKind.Image)
                {
                    imageBytes += blob.Length;
                }
            }
        }

        _state = state;
        _journalBytes = bytes;
        _imageBytes = imageBytes;
        return entries;
    }

    private static void Apply(InMemoryOrchestrationStore state, JournalEntry entry)
    {
        var none = CancellationToken.None;
        switch (entry.Kind)
        {
            case JournalEntryKind.Create:
                state.CreateInstanceAsync(Required(entry.Instance), Required(entry.Event), Required(entry.DedupeStatuses), none).GetAwaiter().GetResult();
                break;
            case JournalEntryKind.Enqueue:
                state.EnqueueMessageAsync(Required(entry.InstanceId), Required(entry.Event), none).GetAwaiter().GetResult();
                break;
            case JournalEntryKind.Purge:
                state.PurgeInstancesAsync(Required(entry.InstanceIds), none).GetAwaiter().GetResult();
                break;
            case JournalEntryKind.Commit:
                state.CommitOrchestrationsAsync(Required(entry.Commits), none).GetAwaiter().GetResult();
                break;
            case JournalEntryKind.CompleteActivities:
                state.CompleteActivitiesAsync(Required(entry.Results), none).GetAwaiter().GetResult();
                break;
            case JournalEntryKind.FireTimers:
                state.FireDueTimersAsync(Required(entry.Now), none).GetAwaiter().GetResult();
                break;
            case JournalEntryKind.Image:
                if (entry.Image is { } image)
                {
                    state.Restore(image, Required(entry.NextId));
                }
                else
                {
                    state.Restore(Required(entry.NextId));
                }

                break;
            default:
                throw new InvalidDataException($"unknown entry kind {entry.Kind}");
        }
    }

    private static T Required<T>(T? value) where T : class => value ?? throw new InvalidDataException($"the entry has no {typeof(T).Name}");

    private static T Required<T>(T? value) where T : struct => value ?? throw new InvalidDataException($"the entry has no {typeof(T).Name}");

    private static byte[] Serialize(JournalEntry entry) => JsonSerializer.SerializeToUtf8Bytes(entry, JournalJson.Default.JournalEntry);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // constants of this class
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // constants of this class
        command.CommandText = sql;
#pragma warning restore CA2100
        return command.ExecuteScalar();
    }
}

/// <summary>What one journal entry records: the change a store call made, or one instance of an image of the state.</summary>
internal enum JournalEntryKind
{
    Create = 1,
    Enqueue = 2,
    Purge = 3,
    Commit = 4,
    CompleteActivities = 5,
    FireTimers = 6,
    Image = 7,
}

/// <summary>One journal entry: the arguments of the call that made the change (replayed by calling the same method), or an image.</summary>
internal sealed record JournalEntry(JournalEntryKind Kind)
{
    public InstanceRecord? Instance { get; init; }

    public StoredEvent? Event { get; init; }

    public IReadOnlyCollection<OrchestrationRuntimeStatus>? DedupeStatuses { get; init; }

    public string? InstanceId { get; init; }

    public IReadOnlyCollection<string>? InstanceIds { get; init; }

    public IReadOnlyList<OrchestrationCommit>? Commits { get; init; }

    public IReadOnlyList<ActivityResult>? Results { get; init; }

    public DateTime? Now { get; init; }

    public InstanceImage? Image { get; init; }

    public long? NextId { get; init; }
}

/// <summary>The journal's JSON, generated at build time (no reflection at run time).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JournalEntry))]
internal sealed partial class JournalJson : JsonSerializerContext;
