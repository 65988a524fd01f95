using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Data.Sqlite;

namespace Mets.Durable.Storage.Sqlite;

/// <summary>
/// The engine's state held in memory (<see cref="InMemoryOrchestrationStore"/>: the same code the in-memory figures
/// measure) and every change journaled to one SQLite file (WAL, synchronous=NORMAL). A call that changes something is
/// applied and queued as one entry (<see cref="JournalEntry"/>, its arguments; bytes by <see cref="JournalCodec"/>) in
/// one step under one lock, so the journal's order is the order of the changes. The queued entries are written as one
/// row, one statement and one commit (group commit), by the caller that finds no batch being written, or by a writer of
/// their own. A call answers only once what it changed or saw is in the file, so an activity never runs and a client is
/// never answered on a change a killed process could take back; the orchestration dispatcher's own steps are the
/// exception (<see cref="InternalStep"/>). A batch that cannot be written stops the store: the state is then ahead of
/// the file, so every waiting and later call fails until a restart replays the file.
/// At start the journal is replayed into memory. When it has grown past the compaction threshold and twice its last
/// image, it is replaced, in one transaction, by an image of the state (one entry per instance, and the next id), which
/// is what a restart then replays. Unlike the relational store, finished instances' histories stay in memory until they
/// are purged. An exclusive lock file next to the database keeps a second process off the file.
/// </summary>
public sealed class JournaledOrchestrationStore : IOrchestrationStore
{
    /// <summary>The journal's schema (PRAGMA user_version): from 100 up, so the relational store's (1, 2) never match it.</summary>
    private const int SchemaVersion = 101;

    private readonly string _path;
    private readonly long _compactAfterBytes;
    private readonly Lock _gate = new();
    private InMemoryOrchestrationStore _state = new();
    private SqliteConnection? _connection;
    private FileStream? _lockFile;
    private List<JournalEntry> _pending = [];
    private readonly ArrayBufferWriter<byte> _row = new(1 << 16);
    private readonly ArrayBufferWriter<byte> _entryBytes = new(1 << 12);
    private SQLitePCL.sqlite3_stmt? _insert;
    private TaskCompletionSource _pendingWritten = NewBatch();
    private TaskCompletionSource? _writing;
    private bool _flushing;
    private long _journalBytes;
    private long _imageBytes;
    private Exception? _broken;
    private bool _closing;

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

    /// <summary>An image is written in rows of about this size.</summary>
    private const int ImageRowBytes = 256 << 10;

    /// <summary>
    /// The orchestration dispatcher's own steps (fetching episodes, committing them, the next timer's moment) do not
    /// wait for the journal: an episode is pure computation on the state, and its commit is journaled after every change
    /// it saw, so a crash keeps a prefix of the changes either way. Whatever acts outside the engine waits: an activity
    /// is fetched, a client reads or is answered, only once every change it could see is in the file.
    /// </summary>
    private const bool InternalStep = true;

    public string DatabasePath => _path;

    /// <summary>Entries replayed at the last start, and how many times the journal was replaced by an image since (for tests and diagnostics).</summary>
    public (long Replayed, int Compactions) Counts { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellation)
    {
        if (_connection is not null)
        {
            return;
        }

        _lockFile = StoreFile.TakeLock(_path);

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellation).ConfigureAwait(false);
            await StoreFile.ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", cancellation).ConfigureAwait(false);
            var version = Convert.ToInt32(await StoreFile.ScalarAsync(connection, "PRAGMA user_version;", cancellation).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (version == 0 && Convert.ToInt64(await StoreFile.ScalarAsync(connection, "SELECT count(*) FROM sqlite_master;", cancellation).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0)
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

            if (version is not (0 or SchemaVersion))
            {
                throw new InvalidOperationException($"The durable store '{_path}' has journal schema {version}; this build reads schema {SchemaVersion}.");
            }

            if (version == 0)
            {
                await StoreFile.ExecuteAsync(connection, $"CREATE TABLE journal (seq INTEGER PRIMARY KEY, entries BLOB NOT NULL); PRAGMA user_version = {SchemaVersion};", cancellation).ConfigureAwait(false);
            }

            Counts = (Replay(connection, cancellation), 0);
            _connection = connection;
            var prepared = SQLitePCL.raw.sqlite3_prepare_v2(connection.Handle, "INSERT INTO journal(entries) VALUES (?1)", out var insert);
            if (prepared != SQLitePCL.raw.SQLITE_OK)
            {
                insert.Dispose();
                Check(prepared);
            }

            _insert = insert;
            lock (_gate)
            {
                CompactIfDue();
            }
        }
        catch
        {
            _insert?.Dispose();
            _insert = null;
            _connection = null;
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
        var entry = new JournalEntry(JournalEntryKind.Create) { Instance = instance, Event = startEvent, DedupeStatuses = dedupeStatuses };
        return Change(entry, state => state.CreateInstanceAsync(instance, startEvent, dedupeStatuses, cancellation));
    }

    public Task<bool> EnqueueMessageAsync(string instanceId, StoredEvent message, CancellationToken cancellation)
    {
        var entry = new JournalEntry(JournalEntryKind.Enqueue) { InstanceId = instanceId, Event = message };
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
        var entry = new JournalEntry(JournalEntryKind.Purge) { InstanceIds = instanceIds };
        return Change(entry, state => state.PurgeInstancesAsync(instanceIds, cancellation), changed: purged => purged > 0);
    }

    public Task<IReadOnlyList<OrchestrationWorkItem>> FetchOrchestrationWorkItemsAsync(int maxCount, IReadOnlySet<string> busyInstanceIds, CancellationToken cancellation) =>
        Read(state => state.FetchOrchestrationWorkItemsAsync(maxCount, busyInstanceIds, cancellation), InternalStep);

    public Task CommitOrchestrationsAsync(IReadOnlyList<OrchestrationCommit> commits, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(commits);
        if (commits.Count == 0)
        {
            return Task.CompletedTask;
        }

        var entry = new JournalEntry(JournalEntryKind.Commit) { Commits = commits };
        return Change(entry, state => state.CommitOrchestrationsAsync(commits, cancellation), InternalStep);
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

        var entry = new JournalEntry(JournalEntryKind.CompleteActivities) { Results = results };
        return Change(entry, state => state.CompleteActivitiesAsync(results, cancellation));
    }

    public Task<DateTime?> GetNextTimerDueAsync(CancellationToken cancellation) =>
        Read(state => state.GetNextTimerDueAsync(cancellation), InternalStep);

    public Task<int> FireDueTimersAsync(DateTime now, CancellationToken cancellation)
    {
        var entry = new JournalEntry(JournalEntryKind.FireTimers) { Now = now };
        return Change(entry, state => state.FireDueTimersAsync(now, cancellation), changed: fired => fired > 0);
    }

    public Task<StoreWorkCounts> GetWorkCountsAsync(DateTime now, CancellationToken cancellation) =>
        Read(state => state.GetWorkCountsAsync(now, cancellation));

    /// <summary>Refuses new calls, waits for what is queued to be written, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        Task flushed;
        lock (_gate)
        {
            _closing = true;
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
            _insert?.Dispose();
            _insert = null;
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

    private Task<bool> Change(JournalEntry entry, Func<InMemoryOrchestrationStore, Task> apply, bool internalStep = false) =>
        Change(entry, state => { apply(state).GetAwaiter().GetResult(); return Task.FromResult(true); }, changed: _ => true, internalStep);

    /// <summary>
    /// Applies a change to the state and queues its entry, as one step under the lock (a change that throws, or that
    /// <paramref name="changed"/> says changed nothing, queues nothing), and answers once the entry is in the file. The
    /// state's methods complete synchronously.
    /// </summary>
    private async Task<T> Change<T>(JournalEntry entry, Func<InMemoryOrchestrationStore, Task<T>> apply, Func<T, bool> changed, bool internalStep = false)
    {
        T result;
        Task written;
        var writeHere = false;
        var writeBehind = false;
        lock (_gate)
        {
            Usable();
            result = apply(_state).GetAwaiter().GetResult();
            if (changed(result))
            {
                _pending.Add(entry);
                written = _pendingWritten.Task;
                writeHere = !_flushing && !internalStep;
                writeBehind = !_flushing && internalStep;
                _flushing = true;
            }
            else
            {
                written = Visible();
            }
        }

        if (writeHere)
        {
            // No batch is being written: this caller writes the queued one (its own entry, and any queued meanwhile)
            // on its own thread, and hands what queues after it to a writer of its own.
            if (WriteBatch() && EndWriting())
            {
                _ = Task.Run(WriteBatches, CancellationToken.None);
            }
        }
        else if (writeBehind)
        {
            _ = Task.Run(WriteBatches, CancellationToken.None);
        }

        if (!internalStep)
        {
            await written.ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Reads the state, and answers once every change the read could see is in the file (nothing is seen before it is
    /// durable), except for the engine's <paramref name="internalStep"/>s.
    /// </summary>
    private async Task<T> Read<T>(Func<InMemoryOrchestrationStore, Task<T>> read, bool internalStep = false)
    {
        T result;
        Task visible;
        lock (_gate)
        {
            Usable();
            result = read(_state).GetAwaiter().GetResult();
            visible = internalStep ? Task.CompletedTask : Visible();
        }

        await visible.ConfigureAwait(false);
        return result;
    }

    /// <summary>What a caller must wait for before it may act on the state it saw (under the lock): the queued batch, or the one being written.</summary>
    private Task Visible() =>
        _pending.Count > 0 ? _pendingWritten.Task : _writing?.Task ?? Task.CompletedTask;

    /// <summary>Writes batch after batch until none is queued (group commit: what queues while one is written goes in the next).</summary>
    private void WriteBatches()
    {
        while (WriteBatch() && EndWriting())
        {
        }
    }

    /// <summary>Whether more is queued (the caller goes on writing), or the writing ends here (under the lock).</summary>
    private bool EndWriting()
    {
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                return true;
            }

            _flushing = false;
            _writing = null;
            return false;
        }
    }

    /// <summary>
    /// Writes the queued entries in one transaction and completes their callers, then compacts the journal if it is
    /// due; false when the journal broke (every caller then failed).
    /// </summary>
    private bool WriteBatch()
    {
        List<JournalEntry> batch;
        TaskCompletionSource written;
        lock (_gate)
        {
            batch = _pending;
            written = _pendingWritten;
            _pending = [];
            _pendingWritten = NewBatch();
            _writing = written;
        }

        long bytes = 0;
        try
        {
            // One row per batch, serialized into kept buffers: one statement and one commit however many entries it holds.
            _row.ResetWrittenCount();
            foreach (var entry in batch)
            {
                bytes += AddToRow(entry);
            }

            WriteRow();
        }
#pragma warning disable CA1031 // handed to every caller waiting on the journal
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Break(ex, written);
            return false;
        }

        written.TrySetResult();
        lock (_gate)
        {
            _journalBytes += bytes;
            try
            {
                CompactIfDue();
            }
#pragma warning disable CA1031 // handed to every caller waiting on the journal
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Break(ex, null);
                return false;
            }
        }

        return true;
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

        if (_insert is null || _closing)
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
        var nextId = _state.NextId;
        _row.ResetWrittenCount();
        foreach (var image in _state.Images())
        {
            bytes += AddToRow(new JournalEntry(JournalEntryKind.Image) { Image = image, NextId = nextId });
            if (_row.WrittenCount >= ImageRowBytes)
            {
                WriteRow();
                _row.ResetWrittenCount();
            }
        }

        // The counter alone, for a state with no instance left; it also ends the last row.
        bytes += AddToRow(new JournalEntry(JournalEntryKind.Image) { NextId = nextId });
        WriteRow();
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
            read.CommandText = "SELECT seq, entries FROM journal ORDER BY seq";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                cancellation.ThrowIfCancellationRequested();
                var seq = reader.GetInt64(0);
                var row = (byte[])reader.GetValue(1);
                var at = 0;
                var n = 0;
                while (at < row.Length)
                {
                    n++;
                    try
                    {
                        var length = at + 4 <= row.Length ? BinaryPrimitives.ReadInt32LittleEndian(row.AsSpan(at)) : -1;
                        if (length < 0 || at + 4 + length > row.Length)
                        {
                            throw new InvalidDataException("the entry's length runs past its row");
                        }

                        var entry = JournalCodec.Read(row.AsMemory(at + 4, length));
                        Apply(state, entry);
                        at += 4 + length;
                        entries++;
                        bytes += length;
                        if (entry.Kind == JournalEntryKind.Image)
                        {
                            imageBytes += length;
                        }
                    }
                    catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException or OverflowException or ArgumentException or InvalidOperationException or KeyNotFoundException)
                    {
                        throw new InvalidDataException($"The durable store '{_path}' cannot replay entry {n} of journal row {seq}: {ex.Message}", ex);
                    }
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

    /// <summary>Adds an entry to the row being built: its length (4 bytes, little-endian), then its bytes (<see cref="JournalCodec"/>); answers their length.</summary>
    private int AddToRow(JournalEntry entry)
    {
        _entryBytes.ResetWrittenCount();
        JournalCodec.Write(_entryBytes, entry);
        var length = _entryBytes.WrittenCount;
        BinaryPrimitives.WriteInt32LittleEndian(_row.GetSpan(4), length);
        _row.Advance(4);
        _row.Write(_entryBytes.WrittenSpan);
        return length;
    }

    /// <summary>Inserts the row built so far (in the transaction open on the connection, if any).</summary>
    private void WriteRow()
    {
        var insert = _insert!;
        try
        {
            Check(SQLitePCL.raw.sqlite3_bind_blob(insert, 1, _row.WrittenSpan));
            var stepped = SQLitePCL.raw.sqlite3_step(insert);
            if (stepped != SQLitePCL.raw.SQLITE_DONE)
            {
                Check(stepped);
            }
        }
        finally
        {
            SQLitePCL.raw.sqlite3_reset(insert);
            SQLitePCL.raw.sqlite3_clear_bindings(insert);
        }
    }

    private void Check(int result)
    {
        if (result != SQLitePCL.raw.SQLITE_OK)
        {
            throw new SqliteException(SQLitePCL.raw.sqlite3_errmsg(_connection!.Handle).utf8_to_string(), result);
        }
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
