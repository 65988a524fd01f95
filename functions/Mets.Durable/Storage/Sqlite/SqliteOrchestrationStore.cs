using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Mets.Durable.Storage.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode, schema versioned (PRAGMA user_version), every method
/// one transaction. An exclusive lock file next to the database makes a second process on the same file
/// fail at start with a clear message instead of corrupting the engine's state.
/// </summary>
public sealed class SqliteOrchestrationStore : IOrchestrationStore
{
    /// <summary>
    /// 2: payloads are written by Microsoft.DurableTask's DataConverter (PascalCase, numeric enums unless a type
    /// says otherwise); version 1 stores hold the mirror's camelCase JSON, which the orchestrators can no longer read.
    /// </summary>
    private const int SchemaVersion = 2;

    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _path;
    private const int CacheCapacity = 20_000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<StoreOperation> _queue = [];
    private bool _draining;
    private readonly Dictionary<string, CachedInstance> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> _raw = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private FileStream? _lockFile;

    public SqliteOrchestrationStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        _path = Path.GetFullPath(databasePath);
    }

    public string DatabasePath => _path;

    public async Task InitializeAsync(CancellationToken cancellation)
    {
        if (_connection is not null)
        {
            return;
        }

        _lockFile = StoreFile.TakeLock(_path);

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        await connection.OpenAsync(cancellation).ConfigureAwait(false);
        await StoreFile.ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA busy_timeout=5000;", cancellation).ConfigureAwait(false);
        var version = Convert.ToInt32(await StoreFile.ScalarAsync(connection, "PRAGMA user_version;", cancellation).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The durable store '{_path}' has schema version {version}; this build understands up to {SchemaVersion}.");
        }

        if (version == 1)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"The durable store '{_path}' was written by an earlier build (schema 1) whose payload JSON Microsoft.DurableTask cannot read. " +
                "Move it (with its -wal and -shm files) out of the data folder to start with an empty engine; open engagements are then " +
                "rescheduled from the case database at start-up.");
        }

        if (version < 1)
        {
            await StoreFile.ExecuteAsync(connection, Schema, cancellation).ConfigureAwait(false);
        }

        _connection = connection;
    }

    public async Task CreateInstanceAsync(InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(dedupeStatuses);
        await InTransactionAsync(tx => { CreateInstance(tx, instance, startEvent, dedupeStatuses); return 0; }, cancellation).ConfigureAwait(false);
    }

    public Task<bool> EnqueueMessageAsync(string instanceId, StoredEvent message, CancellationToken cancellation) =>
        InTransactionAsync(tx => Exists(tx, instanceId) && Enqueue(tx, instanceId, message), cancellation);

    public Task<InstanceRecord?> GetInstanceAsync(string instanceId, CancellationToken cancellation) =>
        InTransactionAsync(tx => ReadInstance(tx, instanceId), cancellation);

    public Task<IReadOnlyList<InstanceRecord>> QueryInstancesAsync(InstanceQuery query, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(query);
        return InTransactionAsync<IReadOnlyList<InstanceRecord>>(tx =>
        {
            using var cmd = Command(tx, "SELECT " + InstanceColumns + " FROM instances WHERE 1=1");
            if (query.AfterInstanceId is not null)
            {
                Append(cmd, " AND instance_id > $after", "$after", query.AfterInstanceId);
            }

            if (query.CreatedFrom is { } from)
            {
                Append(cmd, " AND created_at >= $from", "$from", from.Ticks);
            }

            if (query.CreatedTo is { } to)
            {
                Append(cmd, " AND created_at <= $to", "$to", to.Ticks);
            }

            if (query.InstanceIdPrefix is { } prefix)
            {
                Append(cmd, " AND substr(instance_id, 1, length($prefix)) = $prefix", "$prefix", prefix);
            }

            if (query.ParentInstanceId is { } parent)
            {
                Append(cmd, " AND parent_instance_id = $parent", "$parent", parent);
            }

            if (query.Statuses is { Count: > 0 } statuses)
            {
                cmd.CommandText += " AND status IN (" + string.Join(',', statuses.Select(s => ((int)s).ToString(CultureInfo.InvariantCulture))) + ")";
            }

            Append(cmd, " ORDER BY instance_id LIMIT $limit", "$limit", query.PageSize);
            using var reader = cmd.ExecuteReader();
            var result = new List<InstanceRecord>();
            while (reader.Read())
            {
                result.Add(ReadInstance(reader));
            }

            return result;
        }, cancellation);
    }

    public Task<IReadOnlyList<StoredEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation) =>
        InTransactionAsync<IReadOnlyList<StoredEvent>>(tx => ReadHistory(tx, instanceId), cancellation);

    public Task<int> PurgeInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        return InTransactionAsync(tx =>
        {
            var purged = 0;
            foreach (var id in instanceIds)
            {
                if (ReadInstance(tx, id) is { IsTerminal: true })
                {
                    Remove(tx, id);
                    purged++;
                }
            }

            return purged;
        }, cancellation);
    }

    public Task<IReadOnlyList<OrchestrationWorkItem>> FetchOrchestrationWorkItemsAsync(int maxCount, IReadOnlySet<string> busyInstanceIds, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(busyInstanceIds);
        return InTransactionAsync<IReadOnlyList<OrchestrationWorkItem>>(tx =>
        {
            var ids = new List<string>();
            var fetch = Prepared(tx, ReadyInstancesSql + " LIMIT $limit");
            fetch.Parameters.AddWithValue("$limit", maxCount + busyInstanceIds.Count);
            using (var reader = fetch.ExecuteReader())
            {
                while (reader.Read())
                {
                    var id = reader.GetString(0);
                    if (!busyInstanceIds.Contains(id) && ids.Count < maxCount)
                    {
                        ids.Add(id);
                    }
                }
            }

            // The inbox of every selected instance in one statement (their ids as a JSON array), not one per instance.
            var inboxes = ids.ToDictionary(id => id, _ => new List<InboxMessage>(), StringComparer.Ordinal);
            if (ids.Count > 0)
            {
                var cmd = Prepared(tx, "SELECT id, instance_id, event FROM inbox WHERE instance_id IN (SELECT value FROM json_each($ids)) ORDER BY id");
                cmd.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids, EventJson));
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    var id = reader.GetString(1);
                    inboxes[id].Add(new InboxMessage(reader.GetInt64(0), id, Deserialize(reader.GetString(2))));
                }
            }

            var items = new List<OrchestrationWorkItem>(ids.Count);
            foreach (var id in ids)
            {
                items.Add(new OrchestrationWorkItem(ReadInstance(tx, id)!, ReadHistory(tx, id), inboxes[id]));
            }

            return items;
        }, cancellation);
    }

    public Task CommitOrchestrationsAsync(IReadOnlyList<OrchestrationCommit> commits, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(commits);
        return InTransactionAsync(tx =>
        {
            foreach (var commit in commits)
            {
                Commit(tx, commit);
            }

            return 0;
        }, cancellation);
    }

    private void Commit(SqliteTransaction tx, OrchestrationCommit commit)
    {
        var instance = commit.Instance;
        var id = instance.InstanceId;
        if (UpdateInstance(tx, instance) == 0)
        {
            return; // purged meanwhile: nothing to apply
        }

        if (commit.ReplaceHistory)
        {
            Execute(tx, "DELETE FROM history WHERE instance_id = $id", ("$id", id));
        }

        // History rows are numbered 0, 1, 2... per instance; the cached history (write-through) knows the next number.
        long? cachedNext = null;
        if (_cache.TryGetValue(id, out var cached))
        {
            if (cached.History is { } history)
            {
                if (commit.ReplaceHistory)
                {
                    history.Clear();
                }

                cachedNext = history.Count;
                history.AddRange(commit.AppendedHistory);
            }

            if (instance.IsTerminal)
            {
                // A finished instance runs no more episodes: its history is read from the file if it is asked for, not
                // held in memory (a year of engagements kept every finished one's whole history).
                cached.History = null;
            }
        }

        if (commit.AppendedHistory.Count > 0)
        {
            var next = cachedNext
                ?? Convert.ToInt64(Scalar(tx, "SELECT COALESCE(MAX(seq), -1) + 1 FROM history WHERE instance_id = $id", ("$id", id)), CultureInfo.InvariantCulture);
            var insert = Raw(tx, "INSERT INTO history(instance_id, seq, event) VALUES (?1, ?2, ?3)");
            foreach (var e in commit.AppendedHistory)
            {
                insert.Text(1, id).Integer(2, next++).Utf8(3, SerializeToUtf8(e)).Run();
            }
        }

        var consume = Raw(tx, "DELETE FROM inbox WHERE id = ?1");
        foreach (var messageId in commit.ConsumedMessageIds)
        {
            consume.Integer(1, messageId).Run();
        }

        if (commit.ClearPendingWork)
        {
            Execute(tx, "DELETE FROM activities WHERE instance_id = $id", ("$id", id));
            Execute(tx, "DELETE FROM timers WHERE instance_id = $id", ("$id", id));
        }
        else
        {
            foreach (var timerId in commit.CancelledTimerIds)
            {
                Execute(tx, "DELETE FROM timers WHERE instance_id = $id AND execution_id = $exec AND timer_id = $timer",
                    ("$id", id), ("$exec", instance.ExecutionId), ("$timer", timerId));
            }
        }

        var schedule = Raw(tx, "INSERT INTO activities(instance_id, execution_id, task_id, name, input) VALUES (?1, ?2, ?3, ?4, ?5)");
        foreach (var activity in commit.NewActivities)
        {
            schedule.Text(1, id).Text(2, instance.ExecutionId).Integer(3, activity.TaskId).Text(4, activity.Name).Text(5, activity.Input).Run();
        }

        foreach (var timer in commit.NewTimers)
        {
            Execute(tx, "INSERT INTO timers(instance_id, execution_id, timer_id, fire_at) VALUES ($id, $exec, $timer, $at)",
                ("$id", id), ("$exec", instance.ExecutionId), ("$timer", timer.TimerId), ("$at", timer.FireAt.Ticks));
        }

        foreach (var child in commit.NewChildren)
        {
            if (ReadInstance(tx, child.Instance.InstanceId) is { IsTerminal: false } existing)
            {
                Enqueue(tx, id, InMemoryOrchestrationStore.ChildAlreadyExists(child, instance, existing));
                continue;
            }

            CreateInstance(tx, child.Instance, child.StartEvent, []);
        }

        foreach (var message in commit.OutboundMessages)
        {
            if (Exists(tx, message.InstanceId))
            {
                Enqueue(tx, message.InstanceId, message.Event);
            }
        }
    }

    public Task<IReadOnlyList<ActivityWorkItem>> FetchActivityWorkItemsAsync(int maxCount, IReadOnlySet<long> dispatched, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(dispatched);
        return InTransactionAsync<IReadOnlyList<ActivityWorkItem>>(tx =>
        {
            var cmd = Prepared(tx, "SELECT id, instance_id, execution_id, task_id, name, input FROM activities ORDER BY id LIMIT $limit");
            cmd.Parameters.AddWithValue("$limit", maxCount + dispatched.Count);
            using var reader = cmd.ExecuteReader();
            var items = new List<ActivityWorkItem>();
            while (reader.Read() && items.Count < maxCount)
            {
                var id = reader.GetInt64(0);
                if (!dispatched.Contains(id))
                {
                    items.Add(new ActivityWorkItem(id, reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
                }
            }

            return items;
        }, cancellation);
    }

    public Task CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(results);
        return InTransactionAsync(tx =>
        {
            foreach (var (item, result) in results)
            {
                if (Raw(tx, "DELETE FROM activities WHERE id = ?1").Integer(1, item.Id).Run() > 0 && Exists(tx, item.InstanceId))
                {
                    Enqueue(tx, item.InstanceId, result);
                }
            }

            return 0;
        }, cancellation);
    }

    public Task<DateTime?> GetNextTimerDueAsync(CancellationToken cancellation) =>
        InTransactionAsync(tx => Scalar(tx, "SELECT MIN(fire_at) FROM timers") is long ticks ? new DateTime(ticks, DateTimeKind.Utc) : (DateTime?)null, cancellation);

    public Task<int> FireDueTimersAsync(DateTime now, CancellationToken cancellation) =>
        InTransactionAsync(tx =>
        {
            var due = new List<(long Id, string InstanceId, string ExecutionId, int TimerId, long FireAt)>();
            var dueTimers = Prepared(tx, "SELECT id, instance_id, execution_id, timer_id, fire_at FROM timers WHERE fire_at <= $now ORDER BY fire_at, id");
            dueTimers.Parameters.AddWithValue("$now", now.Ticks);
            using (var reader = dueTimers.ExecuteReader())
            {
                while (reader.Read())
                {
                    due.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4)));
                }
            }

            foreach (var timer in due)
            {
                Execute(tx, "DELETE FROM timers WHERE id = $id", ("$id", timer.Id));
                Enqueue(tx, timer.InstanceId, new StoredEvent(StoredEventKind.TimerFired, now)
                {
                    TaskId = timer.TimerId,
                    FireAt = new DateTime(timer.FireAt, DateTimeKind.Utc),
                    ExecutionId = timer.ExecutionId,
                });
            }

            return due.Count;
        }, cancellation);

    public Task<StoreWorkCounts> GetWorkCountsAsync(DateTime now, CancellationToken cancellation) =>
        InTransactionAsync(tx => new StoreWorkCounts(
            Convert.ToInt32(Scalar(tx, "SELECT COUNT(*) FROM (" + ReadyInstancesSql + ")"), CultureInfo.InvariantCulture),
            Convert.ToInt32(Scalar(tx, "SELECT COUNT(*) FROM activities"), CultureInfo.InvariantCulture),
            Convert.ToInt32(Scalar(tx, "SELECT COUNT(*) FROM timers WHERE fire_at <= $now", ("$now", now.Ticks)), CultureInfo.InvariantCulture),
            Convert.ToInt32(Scalar(tx, "SELECT COUNT(*) FROM timers"), CultureInfo.InvariantCulture)), cancellation);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var cmd in _prepared.Values)
            {
                await cmd.DisposeAsync().ConfigureAwait(false);
            }

            _prepared.Clear();
            foreach (var statement in _raw.Values)
            {
                statement.Dispose();
            }

            _raw.Clear();
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
        finally
        {
            _gate.Release(); // not disposed: a call after the store was disposed fails with a clear message, not ObjectDisposedException
        }
    }

    private const string InstanceColumns =
        "instance_id, name, execution_id, status, input, output, custom_status, failure, created_at, updated_at, parent_instance_id, parent_execution_id, parent_task_id";

    private static readonly string ReadyInstancesSql =
        "SELECT m.instance_id FROM inbox m JOIN instances i ON i.instance_id = m.instance_id " +
        $"WHERE i.status <> {(int)OrchestrationRuntimeStatus.Suspended} OR m.kind IN ({(int)StoredEventKind.ExecutionResumed}, {(int)StoredEventKind.ExecutionTerminated}) " +
        "GROUP BY m.instance_id ORDER BY MIN(m.id)";

    private const string Schema = """
        CREATE TABLE instances(
            instance_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            status INTEGER NOT NULL,
            input TEXT, output TEXT, custom_status TEXT, failure TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER);
        CREATE INDEX ix_instances_parent ON instances(parent_instance_id) WHERE parent_instance_id IS NOT NULL;
        CREATE INDEX ix_instances_status ON instances(status, instance_id);
        CREATE TABLE history(
            instance_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY(instance_id, seq)) WITHOUT ROWID;
        CREATE TABLE inbox(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            event TEXT NOT NULL);
        CREATE INDEX ix_inbox_instance ON inbox(instance_id, id);
        CREATE TABLE activities(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            task_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            input TEXT);
        CREATE INDEX ix_activities_instance ON activities(instance_id);
        CREATE TABLE timers(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL,
            execution_id TEXT NOT NULL,
            timer_id INTEGER NOT NULL,
            fire_at INTEGER NOT NULL);
        CREATE INDEX ix_timers_due ON timers(fire_at);
        CREATE INDEX ix_timers_instance ON timers(instance_id);
        PRAGMA user_version = 2;
        """;

    private static byte[] SerializeToUtf8(StoredEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, EventJson);

    private static StoredEvent Deserialize(string json) =>
        JsonSerializer.Deserialize<StoredEvent>(json, EventJson) ?? throw new InvalidDataException("A stored history event is empty.");

    /// <summary>
    /// A prepared command for a fixed SQL text, reused for the store's lifetime (preparing a statement
    /// costs more than running it). Callers must not dispose it; parameters are reset here.
    /// </summary>
    private SqliteCommand Prepared(SqliteTransaction tx, string sql)
    {
        if (!_prepared.TryGetValue(sql, out var cmd))
        {
            cmd = tx.Connection!.CreateCommand();
            cmd.CommandText = sql;
            _prepared[sql] = cmd;
        }

        cmd.Transaction = tx;
        cmd.Parameters.Clear();
        return cmd;
    }

    /// <summary>
    /// A statement on SQLite's own API for a fixed SQL text, prepared once and bound by position (?1, ?2...): the
    /// writes every episode makes skip Microsoft.Data.Sqlite's parameter objects and its binding by name, which SQLite
    /// resolves by a linear search per parameter per call (the largest single cost in the store's profile).
    /// </summary>
    private RawStatement Raw(SqliteTransaction tx, string sql)
    {
        if (!_raw.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(tx.Connection!, sql);
            _raw[sql] = statement;
        }

        return statement;
    }

    private sealed class RawStatement : IDisposable
    {
        private readonly SQLitePCL.sqlite3 _db;
        private readonly SQLitePCL.sqlite3_stmt _statement;

        public RawStatement(SqliteConnection connection, string sql)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("The durable store's connection is closed.");
            Check(SQLitePCL.raw.sqlite3_prepare_v2(_db, sql, out _statement));
        }

        public RawStatement Text(int index, string? value)
        {
            Check(value is null ? SQLitePCL.raw.sqlite3_bind_null(_statement, index) : SQLitePCL.raw.sqlite3_bind_text(_statement, index, value));
            return this;
        }

        public RawStatement Utf8(int index, ReadOnlySpan<byte> value)
        {
            Check(SQLitePCL.raw.sqlite3_bind_text(_statement, index, value));
            return this;
        }

        public RawStatement Integer(int index, long? value)
        {
            Check(value is { } v ? SQLitePCL.raw.sqlite3_bind_int64(_statement, index, v) : SQLitePCL.raw.sqlite3_bind_null(_statement, index));
            return this;
        }

        /// <summary>Runs the statement once, resets it and its bindings; returns the rows it changed.</summary>
        public int Run()
        {
            var result = SQLitePCL.raw.sqlite3_step(_statement);
            SQLitePCL.raw.sqlite3_reset(_statement);
            SQLitePCL.raw.sqlite3_clear_bindings(_statement);
            if (result != SQLitePCL.raw.SQLITE_DONE && result != SQLitePCL.raw.SQLITE_ROW)
            {
                throw Error(result);
            }

            return SQLitePCL.raw.sqlite3_changes(_db);
        }

        public void Dispose() => _statement.Dispose();

        private void Check(int result)
        {
            if (result != SQLitePCL.raw.SQLITE_OK)
            {
                throw Error(result);
            }
        }

        private SqliteException Error(int result) => new(SQLitePCL.raw.sqlite3_errmsg(_db).utf8_to_string(), result);
    }

    private static SqliteCommand Command(SqliteTransaction tx, string sql)
    {
        var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Append(SqliteCommand cmd, string sql, string name, object value)
    {
        cmd.CommandText += sql;
        cmd.Parameters.AddWithValue(name, value);
    }

    private int Execute(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = Prepared(tx, sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd.ExecuteNonQuery();
    }

    private object? Scalar(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = Prepared(tx, sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd.ExecuteScalar();
    }

    private bool Exists(SqliteTransaction tx, string instanceId) =>
        _cache.ContainsKey(instanceId) || Scalar(tx, "SELECT 1 FROM instances WHERE instance_id = $id", ("$id", instanceId)) is not null;

    private bool Enqueue(SqliteTransaction tx, string instanceId, StoredEvent message)
    {
        Raw(tx, "INSERT INTO inbox(instance_id, kind, event) VALUES (?1, ?2, ?3)")
            .Text(1, instanceId).Integer(2, (int)message.EventType).Utf8(3, SerializeToUtf8(message)).Run();
        return true;
    }

    private void CreateInstance(SqliteTransaction tx, InstanceRecord instance, StoredEvent startEvent, IReadOnlyCollection<OrchestrationRuntimeStatus> dedupeStatuses)
    {
        if (ReadInstance(tx, instance.InstanceId) is { } existing)
        {
            if (dedupeStatuses.Contains(existing.Status))
            {
                throw StoreErrors.AlreadyExists(instance.InstanceId, existing.Status);
            }

            Remove(tx, instance.InstanceId);
        }

        BindInstance(Raw(tx, "INSERT INTO instances(" + InstanceColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"), instance).Run();
        Cache(instance, []);
        Enqueue(tx, instance.InstanceId, startEvent);
    }

    private int UpdateInstance(SqliteTransaction tx, InstanceRecord instance)
    {
        if (_cache.TryGetValue(instance.InstanceId, out var cached))
        {
            cached.Instance = instance;
        }

        return BindInstance(Raw(tx, "UPDATE instances SET name = ?2, execution_id = ?3, status = ?4, input = ?5, output = ?6, custom_status = ?7, " +
            "failure = ?8, created_at = ?9, updated_at = ?10, parent_instance_id = ?11, parent_execution_id = ?12, parent_task_id = ?13 " +
            "WHERE instance_id = ?1"), instance).Run();
    }

    /// <summary>Binds the instance row in <see cref="InstanceColumns"/> order (?1 to ?13).</summary>
    private static RawStatement BindInstance(RawStatement statement, InstanceRecord i) => statement
        .Text(1, i.InstanceId).Text(2, i.Name).Text(3, i.ExecutionId).Integer(4, (int)i.Status).Text(5, i.Input).Text(6, i.Output)
        .Text(7, i.CustomStatus).Text(8, i.Failure is null ? null : JsonSerializer.Serialize(i.Failure, EventJson))
        .Integer(9, i.CreatedAt.Ticks).Integer(10, i.LastUpdatedAt.Ticks).Text(11, i.ParentInstanceId).Text(12, i.ParentExecutionId).Integer(13, i.ParentTaskId);

    private void Remove(SqliteTransaction tx, string instanceId)
    {
        _cache.Remove(instanceId);
        foreach (var table in new[] { "instances", "history", "inbox", "activities", "timers" })
        {
            Execute(tx, $"DELETE FROM {table} WHERE instance_id = $id", ("$id", instanceId));
        }
    }

    private InstanceRecord? ReadInstance(SqliteTransaction tx, string instanceId)
    {
        if (_cache.TryGetValue(instanceId, out var cached))
        {
            return cached.Instance;
        }

        var cmd = Prepared(tx, "SELECT " + InstanceColumns + " FROM instances WHERE instance_id = $id");
        cmd.Parameters.AddWithValue("$id", instanceId);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadInstance(reader) : null;
    }

    private static InstanceRecord ReadInstance(SqliteDataReader r) => new(r.GetString(0), r.GetString(1))
    {
        ExecutionId = r.GetString(2),
        Status = (OrchestrationRuntimeStatus)r.GetInt32(3),
        Input = r.IsDBNull(4) ? null : r.GetString(4),
        Output = r.IsDBNull(5) ? null : r.GetString(5),
        CustomStatus = r.IsDBNull(6) ? null : r.GetString(6),
        Failure = r.IsDBNull(7) ? null : JsonSerializer.Deserialize<TaskFailureDetails>(r.GetString(7), EventJson),
        CreatedAt = new DateTime(r.GetInt64(8), DateTimeKind.Utc),
        LastUpdatedAt = new DateTime(r.GetInt64(9), DateTimeKind.Utc),
        ParentInstanceId = r.IsDBNull(10) ? null : r.GetString(10),
        ParentExecutionId = r.IsDBNull(11) ? null : r.GetString(11),
        ParentTaskId = r.IsDBNull(12) ? null : r.GetInt32(12),
    };

    private List<StoredEvent> ReadHistory(SqliteTransaction tx, string instanceId)
    {
        if (_cache.TryGetValue(instanceId, out var cached) && cached.History is { } known)
        {
            return [.. known];
        }

        var cmd = Prepared(tx, "SELECT event FROM history WHERE instance_id = $id ORDER BY seq");
        cmd.Parameters.AddWithValue("$id", instanceId);
        using var reader = cmd.ExecuteReader();
        var history = new List<StoredEvent>();
        while (reader.Read())
        {
            history.Add(Deserialize(reader.GetString(0)));
        }

        if (ReadInstance(tx, instanceId) is { IsTerminal: false } instance)
        {
            Cache(instance, [.. history]);
        }

        return history;
    }

    /// <summary>
    /// Write-through cache of instance rows and histories: this process is the file's only writer (the
    /// lock file), so the cache cannot go stale; it saves re-reading and re-parsing a history per episode.
    /// Cleared whole when full, and on any failed transaction (whose changes were rolled back). A finished instance keeps its
    /// row here but not its history.
    /// </summary>
    private void Cache(InstanceRecord instance, List<StoredEvent> history)
    {
        if (_cache.Count >= CacheCapacity)
        {
            _cache.Clear();
        }

        _cache[instance.InstanceId] = new CachedInstance { Instance = instance, History = history };
    }

    private sealed class CachedInstance
    {
        public required InstanceRecord Instance { get; set; }

        /// <summary>The whole history, or null when it is not held (a finished instance's: read from the file).</summary>
        public required List<StoredEvent>? History { get; set; }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction shared with every store call queued meanwhile (group commit): the
    /// client's creates and messages, the dispatcher's fetches and commits and the activity results of one moment
    /// commit together, each in its own savepoint (one that throws is rolled back alone, and the cache is dropped). The
    /// caller that finds the queue idle runs the first batch on its own thread; a later batch runs on the thread pool.
    /// Every caller's task completes after the commit of its batch.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var operation = new StoreOperation<T>(work, cancellation);
        bool drain;
        lock (_queue)
        {
            _queue.Add(operation);
            drain = !_draining;
            _draining = true;
        }

        if (drain)
        {
            await DrainAsync(oneBatch: true).ConfigureAwait(false);
        }

        return await operation.Task.ConfigureAwait(false);
    }

    private async Task DrainAsync(bool oneBatch)
    {
        await _gate.WaitAsync().ConfigureAwait(false); // only DisposeAsync holds it otherwise
        try
        {
            while (true)
            {
                List<StoreOperation> batch;
                lock (_queue)
                {
                    if (_queue.Count == 0)
                    {
                        _draining = false;
                        return;
                    }

                    batch = [.. _queue];
                    _queue.Clear();
                }

                RunBatch(batch);
                if (oneBatch)
                {
                    lock (_queue)
                    {
                        if (_queue.Count == 0)
                        {
                            _draining = false;
                            return;
                        }
                    }

                    _ = Task.Run(() => DrainAsync(oneBatch: false), CancellationToken.None);
                    return;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void RunBatch(List<StoreOperation> batch)
    {
        var connection = _connection;
        if (connection is null)
        {
            var closed = new InvalidOperationException("The durable store is not initialized (call InitializeAsync) or was disposed.");
            batch.ForEach(o => o.Fail(closed));
            return;
        }

        try
        {
            using var tx = connection.BeginTransaction();
            var savepoints = batch.Count > 1;
            var failed = false;
            foreach (var operation in batch)
            {
                if (!operation.Run(tx, savepoints ? this : null))
                {
                    failed = true;
                    _cache.Clear(); // what it cached is rolled back: forget it
                }
            }

            if (failed && !savepoints)
            {
                tx.Rollback();
            }
            else
            {
                tx.Commit();
            }
        }
#pragma warning disable CA1031 // handed to every caller of the batch
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _cache.Clear(); // the transaction rolls back: forget what it cached
            batch.ForEach(o => o.Fail(ex));
            return;
        }

        batch.ForEach(o => o.Complete());
    }

    private void Savepoint(SqliteTransaction tx, string sql) => Prepared(tx, sql).ExecuteNonQuery();

    private abstract class StoreOperation
    {
        /// <summary>Runs the work (inside a savepoint when <paramref name="store"/> is given); false when it threw.</summary>
        public abstract bool Run(SqliteTransaction tx, SqliteOrchestrationStore? store);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class StoreOperation<T>(Func<SqliteTransaction, T> work, CancellationToken cancellation) : StoreOperation
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override bool Run(SqliteTransaction tx, SqliteOrchestrationStore? store)
        {
            if (cancellation.IsCancellationRequested)
            {
                _error = new OperationCanceledException(cancellation);
                return true;
            }

            store?.Savepoint(tx, "SAVEPOINT op");
            try
            {
                _result = work(tx);
            }
#pragma warning disable CA1031 // handed to this operation's caller; its savepoint undoes what it wrote
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _error = ex;
                store?.Savepoint(tx, "ROLLBACK TO op");
            }

            store?.Savepoint(tx, "RELEASE op");
            return _error is null;
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
                _done.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception exception) => _done.TrySetException(exception);
    }
}
