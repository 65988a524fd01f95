using System.Globalization;
using System.Text.Json;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;
using Mets.Workflow.Reports;
using Microsoft.Data.Sqlite;

namespace Mets.Workflow.Adapters.Sqlite;

/// <summary>
/// The embedded case store: one SQLite file (WAL). Cases are JSON documents with an ETag; a partial
/// unique index allows one open engagement per member; referral ids are unique; the ids of applied
/// changes are written in the same transaction as the document they changed. The timeline is append-only:
/// a save that would change or remove a stored entry, or append one not sealed into the chain, is refused
/// (<see cref="TimelineRewriteRefusedException"/>), compared with the stored document in the save's transaction.
/// </summary>
public sealed class SqliteCaseStore : ICaseStore, IEngagementHistory, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS cases (
            id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            status TEXT NOT NULL,
            clinician TEXT NULL,
            etag TEXT NOT NULL,
            document TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_cases_open_member ON cases(member_id) WHERE status <> 'Closed';
        DROP INDEX IF EXISTS ix_cases_clinician;
        CREATE INDEX IF NOT EXISTS ix_cases_open_clinician ON cases(clinician, status) WHERE status <> 'Closed';
        CREATE TABLE IF NOT EXISTS referrals (
            id TEXT PRIMARY KEY,
            engagement_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS applied_changes (
            engagement_id TEXT NOT NULL,
            change_id TEXT NOT NULL,
            PRIMARY KEY (engagement_id, change_id));
        CREATE TABLE IF NOT EXISTS assessment_details (
            engagement_id TEXT PRIMARY KEY,
            body TEXT NOT NULL);
        """;

    /// <summary>
    /// Open engagements per clinician, read at every engagement's start (the assignment): it walks the partial index of
    /// open cases only (ix_cases_open_clinician, which replaced an index of every case by clinician and status), not
    /// every case ever held (10,000 cases, a third open: 0.24 against 0.62 ms per count).
    /// </summary>
    internal const string OpenCountsByClinician =
        "SELECT clinician, COUNT(*) FROM cases WHERE status <> 'Closed' AND clinician IS NOT NULL GROUP BY clinician";

    private readonly CaseDatabase _database;
    private readonly ParsedCaseDocuments _parsed;
    private volatile bool _schemaReady;
    private int _released;

    public SqliteCaseStore(string databasePath)
        : this(databasePath, ParsedCaseDocuments.DefaultCapacity)
    {
    }

    /// <summary>
    /// The store, remembering at most <paramref name="parsedDocuments"/> parsed case documents (the other constructor:
    /// 2,048): each read compares the stored bytes with those of the remembered document and parses only when they differ.
    /// </summary>
    public SqliteCaseStore(string databasePath, int parsedDocuments)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _database = CaseDatabase.Use(databasePath);
        _parsed = new ParsedCaseDocuments(parsedDocuments);
    }

    /// <summary>How many parsed case documents the store remembers now (for tests).</summary>
    internal int ParsedDocumentsRemembered => _parsed.Count;

    /// <summary>
    /// One write in the case database's next group commit (<see cref="CaseDatabase"/>): the referral-id lookup, the
    /// open-engagement lookup and the inserts run one after another on the single writer, so two referrals can never
    /// both find an id or a member free; the answer comes after the commit.
    /// </summary>
    public async Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(referral);
        ArgumentNullException.ThrowIfNull(newCase);
        TimelineRewriteRefusedException.ThrowUnlessAppendOnly(newCase, 0, TimelineChain.Genesis(newCase.Id));
        await EnsureSchemaAsync(cancellationToken);
        var fingerprint = referral.Fingerprint();
        var referralBody = JsonSerializer.Serialize(referral, CaseDocumentJson.Options);
        var caseDocument = JsonSerializer.Serialize(newCase with { ETag = null }, CaseDocumentJson.Options);
        var etag = NewETag();
        return await _database.WriteAsync(writer =>
        {
            using (var reader = writer.Statement("SELECT engagement_id, fingerprint FROM referrals WHERE id = $id", ("$id", referral.Id.Value)).ExecuteReader())
            {
                if (reader.Read())
                {
                    var existing = EngagementId.Parse(reader.GetString(0));
                    var same = string.Equals(reader.GetString(1), fingerprint, StringComparison.Ordinal);
                    return WriteResult.Keep(new ReferralIntake(same ? ReferralIntakeKind.SameReferral : ReferralIntakeKind.Conflict, existing));
                }
            }

            EngagementId target;
            ReferralIntakeKind kind;
            if (writer.Statement("SELECT id FROM cases WHERE member_id = $member AND status <> 'Closed'", ("$member", referral.Member.Value)).ExecuteScalar()
                is string openId)
            {
                target = EngagementId.Parse(openId);
                kind = ReferralIntakeKind.AttachedToOpenEngagement;
            }
            else
            {
                target = newCase.Id;
                kind = ReferralIntakeKind.Created;
                writer.Statement(
                    "INSERT INTO cases (id, member_id, status, clinician, etag, document) VALUES ($id, $member, $status, NULL, $etag, $doc)",
                    ("$id", newCase.Id.Value), ("$member", newCase.MemberId.Value), ("$status", newCase.Status.ToString()), ("$etag", etag), ("$doc", caseDocument))
                    .ExecuteNonQuery();
            }

            writer.Statement(
                "INSERT INTO referrals (id, engagement_id, fingerprint, body) VALUES ($id, $engagement, $fp, $body)",
                ("$id", referral.Id.Value), ("$engagement", target.Value), ("$fp", fingerprint), ("$body", referralBody))
                .ExecuteNonQuery();

            return WriteResult.Keep(new ReferralIntake(kind, target));
        }, cancellationToken);
    }

    public Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default) =>
        ReadBodyAsync<Referral>("SELECT body FROM referrals WHERE id = $id", id.Value, cancellationToken);

    public Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default) =>
        ReadAsync(reader => ReadCases(reader, "SELECT id, document, etag FROM cases WHERE id = ?1", id.Value).FirstOrDefault(), cancellationToken);

    public Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default) =>
        ReadAsync(
            reader => ReadCases(reader, "SELECT id, document, etag FROM cases WHERE member_id = ?1 AND status <> 'Closed'", member.Value).FirstOrDefault(),
            cancellationToken);

    public async Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        await EnsureSchemaAsync(cancellationToken);
        var etag = NewETag();
        var stored = JsonSerializer.SerializeToUtf8Bytes(updated with { ETag = null }, CaseDocumentJson.Options);
        var savedTimeline = _parsed.SavedTimeline(updated.Id.Value);
        var result = await _database.WriteAsync(writer =>
        {
            if (writer.Statement("INSERT OR IGNORE INTO applied_changes (engagement_id, change_id) VALUES ($id, $change)",
                ("$id", updated.Id.Value), ("$change", changeId)).ExecuteNonQuery() == 0)
            {
                return WriteResult.Keep(new CaseSaveResult(CaseSaveOutcome.AlreadyApplied, null));
            }

            // The stored timeline's count and head: those of the remembered parse when the stored document is, byte for
            // byte, one the store remembers (compared where SQLite holds it); otherwise SQLite's JSON functions read them
            // from the stored document, so the document is not parsed here. A last entry without a hash (written before
            // the chain) is hashed from the whole stored timeline.
            string storedETag;
            int storedCount;
            string? lastHash;
            if (RememberedStoredTimeline(writer, updated.Id.Value) is { } remembered)
            {
                (storedETag, storedCount, lastHash) = remembered;
            }
            else
            {
                using var reader = writer.Statement(
                    "SELECT etag, json_array_length(document, '$.timeline'), json_extract(document, '$.timeline[#-1].hash') FROM cases WHERE id = $id",
                    ("$id", updated.Id.Value)).ExecuteReader();
                if (!reader.Read())
                {
                    return WriteResult.Undo(new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null));
                }

                storedETag = reader.GetString(0);
                storedCount = reader.IsDBNull(1) ? 0 : reader.GetInt32(1);
                lastHash = reader.IsDBNull(2) || reader.GetFieldType(2) != typeof(string) ? null : reader.GetString(2);
            }

            if (!string.Equals(storedETag, updated.ETag, StringComparison.Ordinal))
            {
                return WriteResult.Undo(new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null));
            }

            var storedHead = storedCount == 0 ? TimelineChain.Genesis(updated.Id)
                : lastHash ?? StoredHead(writer, updated.Id, out storedCount);
            TimelineRewriteRefusedException.ThrowUnlessAppendOnly(updated, storedCount, storedHead, savedTimeline);

            if (writer.Statement(
                "UPDATE cases SET status = $status, clinician = $clinician, etag = $etag, document = CAST($doc AS TEXT) WHERE id = $id AND etag = $expected",
                ("$id", updated.Id.Value), ("$status", updated.Status.ToString()), ("$clinician", updated.AssignedClinician?.Value), ("$etag", etag),
                ("$expected", updated.ETag), ("$doc", stored)).ExecuteNonQuery() == 0)
            {
                return WriteResult.Undo(new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null));
            }

            return WriteResult.Keep(new CaseSaveResult(CaseSaveOutcome.Saved, updated with { ETag = etag }));
        }, cancellationToken);
        if (result is { Outcome: CaseSaveOutcome.Saved, Case: { } saved })
        {
            // The saved case is what parsing the bytes written gives: the next read that finds them on disk need not parse.
            _parsed.Remember(updated.Id.Value, stored, saved);
        }

        return result;
    }

    public Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            reader => reader.Statement("SELECT 1 FROM applied_changes WHERE engagement_id = $id AND change_id = $change", ("$id", id.Value), ("$change", changeId))
                .ExecuteScalar() is not null,
            cancellationToken);

    public Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<EngagementCase>>(
            reader => clinician is { } c
                ? ReadCases(reader, "SELECT id, document, etag FROM cases WHERE status <> 'Closed' AND clinician = ?1 ORDER BY id", c.Value)
                : ReadCases(reader, "SELECT id, document, etag FROM cases WHERE status <> 'Closed' ORDER BY id", null),
            cancellationToken);

    public Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyDictionary<StaffId, int>>(
            reader =>
            {
                var counts = new Dictionary<StaffId, int>();
                using var rows = reader.Statement(OpenCountsByClinician).ExecuteReader();
                while (rows.Read())
                {
                    counts[StaffId.Parse(rows.GetString(0))] = rows.GetInt32(1);
                }

                return counts;
            },
            cancellationToken);

    /// <summary>Reads every case document (reports run rarely) and keeps those that started in the period.</summary>
    public Task<IReadOnlyList<EngagementCase>> ListStartedAsync(DateTimeOffset from, DateTimeOffset toExclusive, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<EngagementCase>>(
            reader => [.. ReadCases(reader, "SELECT id, document, etag FROM cases ORDER BY id", null).Where(c => c.StartedAt >= from && c.StartedAt < toExclusive)],
            cancellationToken);

    public async Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken);
        var body = JsonSerializer.Serialize(details, CaseDocumentJson.Options);
        await _database.WriteAsync(writer =>
        {
            return WriteResult.Keep(writer.Statement(
                "INSERT INTO assessment_details (engagement_id, body) VALUES ($id, $body) ON CONFLICT(engagement_id) DO UPDATE SET body = excluded.body",
                ("$id", id.Value), ("$body", body)).ExecuteNonQuery());
        }, cancellationToken);
    }

    public Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default) =>
        ReadBodyAsync<AssessmentDetails>("SELECT body FROM assessment_details WHERE engagement_id = $id", id.Value, cancellationToken);

    /// <summary>
    /// The stored row's ETag and its timeline's count and last hash (null when the last entry has none), taken from the
    /// parsed document the store remembers for exactly the stored bytes (compared where SQLite holds them, not copied):
    /// what SQLite's JSON functions would read from those bytes. Null when no row, no remembered document for those
    /// bytes, or the file is locked: the caller then asks SQLite.
    /// </summary>
    private (string ETag, int Count, string? LastHash)? RememberedStoredTimeline(CaseDatabaseConnection writer, string id)
    {
        var prepared = writer.Prepare("SELECT etag, document FROM cases WHERE id = ?1", out var statement);
        try
        {
            if (prepared != SQLitePCL.raw.SQLITE_OK
                || SQLitePCL.raw.sqlite3_bind_text(statement, 1, id) != SQLitePCL.raw.SQLITE_OK
                || SQLitePCL.raw.sqlite3_step(statement) != SQLitePCL.raw.SQLITE_ROW
                || _parsed.Find(id, SQLitePCL.raw.sqlite3_column_blob(statement, 1)) is not { } parsed)
            {
                return null;
            }

            var timeline = parsed.Timeline;
            return (SQLitePCL.raw.sqlite3_column_text(statement, 0).utf8_to_string(), timeline.Count, timeline.Count == 0 ? null : timeline[^1].Hash);
        }
        finally
        {
            if (statement is not null)
            {
                SQLitePCL.raw.sqlite3_reset(statement);
            }
        }
    }

    /// <summary>The stored timeline's head and count from the whole stored document (its last entry carries no hash).</summary>
    private static string StoredHead(CaseDatabaseConnection writer, EngagementId id, out int storedCount)
    {
        var stored = writer.Statement("SELECT document FROM cases WHERE id = $id", ("$id", id.Value)).ExecuteScalar() is string document
            ? JsonSerializer.Deserialize<StoredTimeline>(document, CaseDocumentJson.Options)?.Timeline ?? []
            : [];
        storedCount = stored.Count;
        return TimelineChain.Head(id, stored);
    }

    /// <summary>
    /// Rows of (id, document, etag) of <paramref name="sql"/> (its one parameter, ?1, bound to <paramref name="parameter"/>
    /// unless null): each document parsed from its UTF-8 bytes as SQLite holds them, or the one remembered for the same
    /// bytes. The statement runs on SQLite's own API so the bytes are compared where SQLite holds them: a document read
    /// again unchanged is not copied (Microsoft.Data.Sqlite copies every value read into an array of its own: in the
    /// simulated year that copy was a sixth of all the bytes allocated). When the file is locked (SQLITE_BUSY or
    /// SQLITE_LOCKED, which SQLite's own API answers at once) the read goes through Microsoft.Data.Sqlite, which waits for
    /// the lock as every other read of the case database does.
    /// </summary>
    private List<EngagementCase> ReadCases(CaseDatabaseConnection reader, string sql, string? parameter) =>
        TryReadCasesDirectly(reader, sql, parameter) ?? ReadCasesThroughCommand(reader, sql, parameter);

    /// <summary>The rows on SQLite's own API, or null when the file is locked (nothing was read then).</summary>
    private List<EngagementCase>? TryReadCasesDirectly(CaseDatabaseConnection reader, string sql, string? parameter)
    {
        var db = reader.Connection.Handle ?? throw new InvalidOperationException("The case database connection is closed.");
        var prepared = reader.Prepare(sql, out var statement);
        if (IsLocked(prepared))
        {
            return null;
        }

        Check(db, prepared);
        try
        {
            if (parameter is not null)
            {
                Check(db, SQLitePCL.raw.sqlite3_bind_text(statement, 1, parameter));
            }

            var cases = new List<EngagementCase>();
            int step;
            while ((step = SQLitePCL.raw.sqlite3_step(statement)) == SQLitePCL.raw.SQLITE_ROW)
            {
                cases.Add(_parsed.Read(
                    SQLitePCL.raw.sqlite3_column_text(statement, 0).utf8_to_string(),
                    SQLitePCL.raw.sqlite3_column_blob(statement, 1),
                    SQLitePCL.raw.sqlite3_column_text(statement, 2).utf8_to_string()));
            }

            if (IsLocked(step))
            {
                return null; // the read transaction could not start
            }

            if (step != SQLitePCL.raw.SQLITE_DONE)
            {
                Check(db, step);
            }

            return cases;
        }
        finally
        {
            SQLitePCL.raw.sqlite3_reset(statement); // ends the read: a kept statement holds no snapshot between reads
        }
    }

    private List<EngagementCase> ReadCasesThroughCommand(CaseDatabaseConnection connection, string sql, string? parameter)
    {
        using var reader = (parameter is null ? connection.Statement(sql) : connection.Statement(sql, ("?1", parameter))).ExecuteReader();
        var cases = new List<EngagementCase>();
        while (reader.Read())
        {
            cases.Add(_parsed.Read(reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetString(2)));
        }

        return cases;
    }

    private static bool IsLocked(int result) => (result & 0xFF) is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED;

    private static void Check(SQLitePCL.sqlite3 db, int result)
    {
        if (result != SQLitePCL.raw.SQLITE_OK)
        {
            throw new SqliteException(SQLitePCL.raw.sqlite3_errmsg(db).utf8_to_string(), result);
        }
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await _database.EnsureSchemaAsync(Schema, cancellationToken);
            _schemaReady = true;
        }
    }

    /// <summary>The JSON body that <paramref name="sql"/> (one parameter, $id) reads, or null when no row.</summary>
    private Task<T?> ReadBodyAsync<T>(string sql, string id, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync(
            reader => reader.Statement(sql, ("$id", id)).ExecuteScalar() is string body ? JsonSerializer.Deserialize<T>(body, CaseDocumentJson.Options) : null,
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="read"/> on a kept reading connection of the file (<see cref="CaseDatabase.RentReader"/>); one
    /// whose read failed is closed rather than kept.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<CaseDatabaseConnection, T> read, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var reader = _database.RentReader();
        T result;
        try
        {
            result = read(reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }

        _database.ReturnReader(reader);
        return result;
    }

    /// <summary>Gives back this store's use of the case database (its connections close once no store or ledger uses the file).</summary>
    public void Dispose() => _database.Release(ref _released);

    private static string NewETag() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    /// <summary>The timeline of a stored case document (the rest of the document is not read).</summary>
    private sealed record StoredTimeline(IReadOnlyList<TimelineEntry>? Timeline);
}
