using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using Microsoft.Data.Sqlite;

namespace Mets.Claims.Storage.Sqlite;

/// <summary>
/// The claims store on an embedded SQLite database (WAL, synchronous=NORMAL). Staged claim versions
/// are written once into claim_versions but nothing reads them until <see cref="CommitAsync"/> points
/// claims_current at them in one transaction, so a crash part-way through a file leaves nothing
/// applied (the retry deletes the file's unreferenced versions and starts over). Acknowledgments of X12 files
/// are kept per file (file_acknowledgments) and numbered from one counter (counters, name 'acknowledgment').
/// </summary>
public sealed class SqliteClaimsStore : IClaimsStore, IClaimsAcknowledgmentStore
{
    /// <summary>
    /// Set on every connection the store opens (the bench's raw bulk insert uses them too). A file is staged in
    /// batches and analysed in batches, each its own transaction: with SQLite's default automatic checkpoint (every
    /// 1,000 WAL pages, 4 MB) a 1,000,000-line file made a checkpoint, two fsyncs with synchronous=NORMAL, every few
    /// batches; checkpointing every 16,384 pages (64 MB) makes a few dozen times fewer, and journal_size_limit gives
    /// the WAL file back after each.
    /// </summary>
    internal const string ConnectionPragmas = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = 67108864;";

    private const string DateFormat = "yyyy-MM-dd";
    private const int DefaultTimeoutSeconds = 60;
    private readonly string _connectionString;
    private volatile bool _schemaReady;

    public SqliteClaimsStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = DefaultTimeoutSeconds }.ToString();
    }

    public async Task<ClaimsFileRecord?> GetFileAsync(string contentHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadFileAsync(connection, null, contentHash, cancellationToken);
    }

    public async Task BeginFileAsync(string contentHash, string fileName, ClaimsFileKind kind, long? totalBytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, tx, "DELETE FROM claim_versions WHERE file_hash = $h; DELETE FROM staged_eligibility WHERE file_hash = $h; DELETE FROM file_reports WHERE file_hash = $h;", cancellationToken, ("$h", contentHash));
        await ExecuteAsync(connection, tx, """
            INSERT INTO files (file_hash, file_name, kind, status, received_at, updated_at, rows_read, bytes_read, total_bytes)
            VALUES ($h, $n, $k, $s, $t, $t, 0, 0, $b)
            ON CONFLICT (file_hash) DO UPDATE SET file_name = $n, kind = $k, status = $s, updated_at = $t, rows_read = 0, bytes_read = 0, total_bytes = $b,
                claims_read = 0, claims_accepted = 0, claims_rejected = 0, lines_read = 0, lines_accepted = 0, warnings = 0, quarantine_reason = NULL
            """, cancellationToken, ("$h", contentHash), ("$n", fileName), ("$k", (int)kind), ("$s", (int)ClaimsFileStatus.Staging), ("$t", now.ToString("O", CultureInfo.InvariantCulture)), ("$b", totalBytes));
        await tx.CommitAsync(cancellationToken);
    }

    public async Task StageAsync(string contentHash, IReadOnlyList<Claim> claims, IReadOnlyList<EligibilitySpan> eligibility, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(eligibility);
        ArgumentNullException.ThrowIfNull(progress);
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (claims.Count > 0)
        {
            // Staged versions are written once, straight into claim_versions: nothing reads a version
            // until the commit points claims_current at it.
            using var insert = new SqliteStatement(connection, "INSERT INTO claim_versions (file_hash, claim_id, member_id, frequency, body) VALUES (?1, ?2, ?3, ?4, ?5)");
            insert.Bind(1, contentHash);
            foreach (var claim in claims)
            {
                insert.Bind(2, claim.ClaimId).Bind(3, claim.MemberId).Bind(4, (int)claim.Frequency).Bind(5, ClaimBinaryCodec.EncodeToBuffer(claim)).Execute();
            }
        }

        if (eligibility.Count > 0)
        {
            using var insert = new SqliteStatement(connection, "INSERT INTO staged_eligibility (file_hash, member_id, plan, coverage_start, coverage_end, member_birth_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            insert.Bind(1, contentHash);
            foreach (var span in eligibility)
            {
                insert.Bind(2, span.MemberId).Bind(3, span.Plan).Bind(4, Date(span.CoverageStart)).Bind(5, OptionalDate(span.CoverageEnd)).Bind(6, OptionalDate(span.MemberBirthDate)).Execute();
            }
        }

        await UpdateProgressAsync(connection, tx, contentHash, progress, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task QuarantineAsync(string contentHash, string reason, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, tx, "DELETE FROM claim_versions WHERE file_hash = $h; DELETE FROM staged_eligibility WHERE file_hash = $h;", cancellationToken, ("$h", contentHash));
        await WriteReportAndCountsAsync(connection, tx, contentHash, counts, rejects, warnings, cancellationToken);
        await UpdateProgressAsync(connection, tx, contentHash, progress, now, cancellationToken);
        await ExecuteAsync(connection, tx, "UPDATE files SET status = $s, quarantine_reason = $r WHERE file_hash = $h", cancellationToken,
            ("$h", contentHash), ("$s", (int)ClaimsFileStatus.Quarantined), ("$r", reason));
        await tx.CommitAsync(cancellationToken);
    }

    public async Task CommitAsync(string contentHash, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateOnly analyzedAsOf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var status = await ScalarAsync(connection, tx, "SELECT status FROM files WHERE file_hash = $h", cancellationToken, ("$h", contentHash));
        if (status is not long s || s != (long)ClaimsFileStatus.Staging)
        {
            throw new InvalidOperationException("Only a file in status Staging can be committed.");
        }

        await ApplyStagedClaimsAsync(connection, tx, contentHash, cancellationToken);
        await ExecuteAsync(connection, tx, """
            INSERT INTO eligibility (member_id, plan, coverage_start, coverage_end, file_hash, member_birth_date)
            SELECT member_id, plan, coverage_start, coverage_end, file_hash, member_birth_date FROM staged_eligibility WHERE file_hash = $h ORDER BY seq
            ON CONFLICT (member_id, plan, coverage_start) DO UPDATE SET coverage_end = excluded.coverage_end, file_hash = excluded.file_hash,
                member_birth_date = COALESCE(excluded.member_birth_date, eligibility.member_birth_date);
            INSERT OR IGNORE INTO file_members (file_hash, member_id) SELECT file_hash, member_id FROM staged_eligibility WHERE file_hash = $h;
            DELETE FROM staged_eligibility WHERE file_hash = $h;
            """, cancellationToken, ("$h", contentHash));
        await WriteReportAndCountsAsync(connection, tx, contentHash, counts, rejects, warnings, cancellationToken);
        await UpdateProgressAsync(connection, tx, contentHash, progress, now, cancellationToken);
        await ExecuteAsync(connection, tx, "UPDATE files SET status = $s, analyzed_as_of = $d WHERE file_hash = $h", cancellationToken,
            ("$h", contentHash), ("$s", (int)ClaimsFileStatus.Committed), ("$d", Date(analyzedAsOf)));
        await tx.CommitAsync(cancellationToken);
    }

    public async IAsyncEnumerable<MemberClaimsSnapshot> ReadMembersAffectedByAsync(string contentHash, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Four readers in member order (SQLite's binary order of the UTF-8 ids), merged: members, their current
        // claims, coverage and stored gaps. Rows are compared and decoded straight from SQLite's buffers.
        await using var connection = await OpenAsync(cancellationToken);
        using var members = new SqliteStatement(connection, "SELECT member_id FROM file_members WHERE file_hash = ?1 ORDER BY member_id");
        using var claims = new SqliteStatement(connection, """
            SELECT f.member_id, v.body, v.file_hash = ?1 FROM file_members f
            JOIN claims_current c ON c.member_id = f.member_id AND c.is_void = 0
            JOIN claim_versions v ON v.version_id = c.version_id
            WHERE f.file_hash = ?1 ORDER BY f.member_id
            """);
        using var coverage = new SqliteStatement(connection, """
            SELECT f.member_id, e.plan, e.coverage_start, e.coverage_end, e.member_birth_date FROM file_members f
            JOIN eligibility e ON e.member_id = f.member_id WHERE f.file_hash = ?1 ORDER BY f.member_id, e.coverage_start
            """);
        using var gaps = new SqliteStatement(connection, """
            SELECT f.member_id, g.body FROM file_members f JOIN care_gaps g ON g.member_id = f.member_id
            WHERE f.file_hash = ?1 ORDER BY f.member_id, g.gap_id
            """);
        foreach (var statement in new[] { members, claims, coverage, gaps })
        {
            statement.Bind(1, contentHash);
        }

        var claimMore = claims.Read();
        var coverageMore = coverage.Read();
        var gapMore = gaps.Read();
        while (members.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var memberKey = members.GetBytes(0).ToArray();
            var memberId = members.GetString(0);
            var current = new List<Claim>();
            var fromFile = new HashSet<string>(StringComparer.Ordinal);
            int order;
            while (claimMore && (order = claims.GetBytes(0).SequenceCompareTo(memberKey)) <= 0)
            {
                if (order == 0)
                {
                    var claim = ClaimBinaryCodec.Decode(claims.GetBytes(1));
                    current.Add(claim);
                    if (claims.GetInt64(2) == 1)
                    {
                        fromFile.Add(claim.ClaimId);
                    }
                }

                claimMore = claims.Read();
            }

            var eligibility = new List<EligibilitySpan>();
            while (coverageMore && (order = coverage.GetBytes(0).SequenceCompareTo(memberKey)) <= 0)
            {
                if (order == 0)
                {
                    eligibility.Add(new EligibilitySpan(memberId, coverage.GetString(1), ParseDate(coverage.GetString(2)), coverage.IsNull(3) ? null : ParseDate(coverage.GetString(3)))
                    {
                        MemberBirthDate = coverage.IsNull(4) ? null : ParseDate(coverage.GetString(4)),
                    });
                }

                coverageMore = coverage.Read();
            }

            var previous = new List<CareGap>();
            while (gapMore && (order = gaps.GetBytes(0).SequenceCompareTo(memberKey)) <= 0)
            {
                if (order == 0)
                {
                    previous.Add(JsonSerializer.Deserialize(gaps.GetBytes(1), ClaimsJson.Default.CareGap)!);
                }

                gapMore = gaps.Read();
            }

            yield return new MemberClaimsSnapshot(memberId, current, eligibility, previous, fromFile);
        }
    }

    public async Task<MemberClaimsSnapshot> GetMemberAsync(string memberId, string? contentHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var claims = new List<Claim>();
        var fromFile = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = Command(connection, null, "SELECT v.body, v.file_hash FROM claims_current c JOIN claim_versions v ON v.version_id = c.version_id WHERE c.member_id = $m AND c.is_void = 0"))
        {
            command.Parameters.AddWithValue("$m", memberId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var claim = ClaimBinaryCodec.Decode((byte[])reader.GetValue(0));
                claims.Add(claim);
                if (contentHash is not null && reader.GetString(1) == contentHash)
                {
                    fromFile.Add(claim.ClaimId);
                }
            }
        }

        var eligibility = new List<EligibilitySpan>();
        await using (var command = Command(connection, null, "SELECT plan, coverage_start, coverage_end, member_birth_date FROM eligibility WHERE member_id = $m ORDER BY coverage_start"))
        {
            command.Parameters.AddWithValue("$m", memberId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                eligibility.Add(new EligibilitySpan(memberId, reader.GetString(0), ParseDate(reader.GetString(1)), reader.IsDBNull(2) ? null : ParseDate(reader.GetString(2)))
                {
                    MemberBirthDate = reader.IsDBNull(3) ? null : ParseDate(reader.GetString(3)),
                });
            }
        }

        var gaps = await ReadGapsAsync(connection, memberId, cancellationToken);
        return new MemberClaimsSnapshot(memberId, claims, eligibility, gaps, fromFile);
    }

    public async Task SaveMemberAnalysesAsync(string contentHash, IReadOnlyList<MemberAnalysis> analyses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(analyses);
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var deleteMonths = new SqliteStatement(connection, "DELETE FROM member_months WHERE member_id = ?1");
        using var deleteGaps = new SqliteStatement(connection, "DELETE FROM care_gaps WHERE member_id = ?1");
        using var insertMonth = new SqliteStatement(connection, """
            INSERT INTO member_months (member_id, month, enrolled, bh_inpatient_stays, bh_ed_visits, outpatient_bh_visits, bh_paid, total_paid,
                antipsychotic_fills, antidepressant_fills, sud_medication_fills, other_fills)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """);
        using var insertGap = new SqliteStatement(connection, "INSERT INTO care_gaps (gap_id, member_id, measure, status, window_end, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        // A trigger is listed under every file that reveals it (its id does not depend on the file); the same
        // id twice for one file keeps the first record.
        using var insertTrigger = new SqliteStatement(connection, "INSERT OR IGNORE INTO file_triggers (trigger_id, file_hash, member_id, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)");
        insertTrigger.Bind(2, contentHash);
        foreach (var analysis in analyses)
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleteMonths.Bind(1, analysis.MemberId).Execute();
            deleteGaps.Bind(1, analysis.MemberId).Execute();
            foreach (var month in analysis.Months)
            {
                insertMonth.Bind(1, month.MemberId).Bind(2, Date(month.Month)).Bind(3, month.Enrolled ? 1 : 0).Bind(4, month.BhInpatientStays).Bind(5, month.BhEmergencyVisits)
                    .Bind(6, month.OutpatientBhVisits).Bind(7, month.BhPaid.ToString(CultureInfo.InvariantCulture)).Bind(8, month.TotalPaid.ToString(CultureInfo.InvariantCulture))
                    .Bind(9, month.AntipsychoticFills).Bind(10, month.AntidepressantFills).Bind(11, month.SubstanceUseMedicationFills).Bind(12, month.OtherFills)
                    .Execute();
            }

            foreach (var gap in analysis.Gaps)
            {
                insertGap.Bind(1, gap.Id).Bind(2, gap.MemberId).Bind(3, gap.Measure.ToString()).Bind(4, (int)gap.Status).Bind(5, Date(gap.WindowEnd))
                    .Bind(6, JsonSerializer.Serialize(gap, ClaimsJson.Default.CareGap)).Execute();
            }

            foreach (var trigger in analysis.Triggers)
            {
                insertTrigger.Bind(1, trigger.Id).Bind(3, trigger.MemberId).Bind(4, trigger.Kind.ToString())
                    .Bind(5, JsonSerializer.Serialize(trigger, ClaimsJson.Default.ClaimsTrigger)).Execute();
            }
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task CompleteAsync(string contentHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "UPDATE files SET status = $s, updated_at = $t WHERE file_hash = $h AND status = $c", cancellationToken,
            ("$h", contentHash), ("$s", (int)ClaimsFileStatus.Processed), ("$c", (int)ClaimsFileStatus.Committed), ("$t", now.ToString("O", CultureInfo.InvariantCulture)));
    }

    public async Task<IReadOnlyList<ClaimsTrigger>> GetTriggersAsync(string contentHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT body FROM file_triggers WHERE file_hash = $h ORDER BY member_id, kind, trigger_id");
        command.Parameters.AddWithValue("$h", contentHash);
        var triggers = new List<ClaimsTrigger>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            triggers.Add(JsonSerializer.Deserialize(reader.GetString(0), ClaimsJson.Default.ClaimsTrigger)!);
        }

        return triggers;
    }

    public async Task<IReadOnlyList<CareGap>> GetCareGapsAsync(string memberId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadGapsAsync(connection, memberId, cancellationToken);
    }

    public async Task<IReadOnlyList<MemberMonth>> GetMemberMonthsAsync(string memberId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT month, enrolled, bh_inpatient_stays, bh_ed_visits, outpatient_bh_visits, bh_paid, total_paid, antipsychotic_fills, antidepressant_fills, sud_medication_fills, other_fills
            FROM member_months WHERE member_id = $m ORDER BY month
            """);
        command.Parameters.AddWithValue("$m", memberId);
        var months = new List<MemberMonth>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            months.Add(new MemberMonth(memberId, ParseDate(reader.GetString(0)), reader.GetInt64(1) == 1, reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                decimal.Parse(reader.GetString(5), CultureInfo.InvariantCulture), decimal.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
                reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10)));
        }

        return months;
    }

    public async Task<long> ReserveAcknowledgmentNumbersAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, tx, "INSERT INTO counters (name, value) VALUES ('acknowledgment', 0) ON CONFLICT (name) DO NOTHING", cancellationToken);
        var last = (long)(await ScalarAsync(connection, tx, "UPDATE counters SET value = value + $n WHERE name = 'acknowledgment' RETURNING value", cancellationToken, ("$n", count)))!;
        await tx.CommitAsync(cancellationToken);
        return last - count + 1;
    }

    public async Task SaveAcknowledgmentAsync(string contentHash, ClaimsAcknowledgment acknowledgment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acknowledgment);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, """
            INSERT INTO file_acknowledgments (file_hash, kind, code, control_number, created_at, content) VALUES ($h, $k, $c, $n, $t, $x)
            ON CONFLICT (file_hash) DO UPDATE SET kind = $k, code = $c, control_number = $n, created_at = $t, content = $x
            """, cancellationToken, ("$h", contentHash), ("$k", (int)acknowledgment.Kind), ("$c", (int)acknowledgment.Code), ("$n", acknowledgment.ControlNumber),
            ("$t", acknowledgment.CreatedAt.ToString("O", CultureInfo.InvariantCulture)), ("$x", acknowledgment.Content));
    }

    /// <summary>Counts rows of a table (for tests and diagnostics).</summary>
    internal async Task<long> CountAsync(string table, CancellationToken cancellationToken)
    {
        if (!table.All(c => char.IsAsciiLetter(c) || c == '_'))
        {
            throw new ArgumentException("Not a table name.", nameof(table));
        }

        await using var connection = await OpenAsync(cancellationToken);
        return (long)(await ScalarAsync(connection, null, $"SELECT COUNT(*) FROM {table}", cancellationToken))!;
    }

    private static Task ApplyStagedClaimsAsync(SqliteConnection connection, SqliteTransaction tx, string contentHash, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, tx, """
            INSERT OR IGNORE INTO file_members (file_hash, member_id)
            SELECT $h, c.member_id FROM claim_versions v JOIN claims_current c ON c.claim_id = v.claim_id WHERE v.file_hash = $h;
            INSERT OR IGNORE INTO file_members (file_hash, member_id)
            SELECT $h, member_id FROM claim_versions WHERE file_hash = $h;
            -- Versions are applied in file order. A replacement supersedes, a void leaves a tombstone (kept on
            -- the claim's previous member), and a voided claim stays voided when an original arrives later.
            INSERT INTO claims_current (claim_id, member_id, is_void, version_id)
            SELECT claim_id, member_id, CASE WHEN frequency = 2 THEN 1 ELSE 0 END, version_id
            FROM claim_versions WHERE file_hash = $h ORDER BY version_id
            ON CONFLICT (claim_id) DO UPDATE SET
                member_id = CASE WHEN excluded.is_void = 1 THEN claims_current.member_id ELSE excluded.member_id END,
                is_void = excluded.is_void, version_id = excluded.version_id
            WHERE NOT (claims_current.is_void = 1 AND excluded.is_void = 0
                AND (SELECT frequency FROM claim_versions WHERE version_id = excluded.version_id) = 0);
            """, cancellationToken, ("$h", contentHash));

    private static async Task WriteReportAndCountsAsync(SqliteConnection connection, SqliteTransaction tx, string contentHash, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, tx, "DELETE FROM file_reports WHERE file_hash = $h", cancellationToken, ("$h", contentHash));
        await using var insert = Command(connection, tx, "INSERT INTO file_reports (file_hash, severity, location, field, reason) VALUES ($h, $s, $l, $f, $r)");
        insert.Parameters.AddWithValue("$h", contentHash);
        var s = insert.Parameters.Add("$s", SqliteType.Integer);
        var l = insert.Parameters.Add("$l", SqliteType.Text);
        var f = insert.Parameters.Add("$f", SqliteType.Text);
        var r = insert.Parameters.Add("$r", SqliteType.Text);
        foreach (var (severity, entries) in new[] { (0, rejects), (1, warnings) })
        {
            foreach (var entry in entries)
            {
                s.Value = severity;
                l.Value = entry.Location;
                f.Value = entry.Field;
                r.Value = entry.Reason;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await ExecuteAsync(connection, tx, """
            UPDATE files SET claims_read = $cr, claims_accepted = $ca, claims_rejected = $cj, lines_read = $lr, lines_accepted = $la, warnings = $w WHERE file_hash = $h
            """, cancellationToken, ("$h", contentHash), ("$cr", counts.ClaimsRead), ("$ca", counts.ClaimsAccepted), ("$cj", counts.ClaimsRejected),
            ("$lr", counts.LinesRead), ("$la", counts.LinesAccepted), ("$w", counts.Warnings));
    }

    private static Task UpdateProgressAsync(SqliteConnection connection, SqliteTransaction tx, string contentHash, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, tx, "UPDATE files SET rows_read = $r, bytes_read = $b, total_bytes = COALESCE($t, total_bytes), updated_at = $u WHERE file_hash = $h", cancellationToken,
            ("$h", contentHash), ("$r", progress.Rows), ("$b", progress.Bytes), ("$t", progress.TotalBytes), ("$u", now.ToString("O", CultureInfo.InvariantCulture)));

    private static async Task<ClaimsFileRecord?> ReadFileAsync(SqliteConnection connection, SqliteTransaction? tx, string contentHash, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, """
            SELECT file_name, kind, status, received_at, updated_at, rows_read, bytes_read, total_bytes, claims_read, claims_accepted, claims_rejected,
                   lines_read, lines_accepted, warnings, quarantine_reason, analyzed_as_of
            FROM files WHERE file_hash = $h
            """);
        command.Parameters.AddWithValue("$h", contentHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var fileName = reader.GetString(0);
        var kind = (ClaimsFileKind)reader.GetInt32(1);
        var status = (ClaimsFileStatus)reader.GetInt32(2);
        var received = DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture);
        var updated = DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture);
        var progress = new ClaimsFileProgress(reader.GetInt64(5), reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt64(7));
        var counts = new ClaimsFileCounts(reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetInt32(13));
        var reason = reader.IsDBNull(14) ? null : reader.GetString(14);
        DateOnly? asOf = reader.IsDBNull(15) ? null : ParseDate(reader.GetString(15));

        var rejects = new List<RejectEntry>();
        var warnings = new List<RejectEntry>();
        await using var report = Command(connection, tx, "SELECT severity, location, field, reason FROM file_reports WHERE file_hash = $h ORDER BY seq");
        report.Parameters.AddWithValue("$h", contentHash);
        await using var entries = await report.ExecuteReaderAsync(cancellationToken);
        while (await entries.ReadAsync(cancellationToken))
        {
            (entries.GetInt32(0) == 0 ? rejects : warnings).Add(new RejectEntry(entries.GetString(1), entries.GetString(2), entries.GetString(3)));
        }

        ClaimsAcknowledgment? acknowledgment = null;
        await using var ack = Command(connection, tx, "SELECT kind, code, control_number, created_at, content FROM file_acknowledgments WHERE file_hash = $h");
        ack.Parameters.AddWithValue("$h", contentHash);
        await using (var ackReader = await ack.ExecuteReaderAsync(cancellationToken))
        {
            if (await ackReader.ReadAsync(cancellationToken))
            {
                acknowledgment = new ClaimsAcknowledgment((ClaimsAcknowledgmentKind)ackReader.GetInt32(0), (Reading.X12.X12AcknowledgmentCode)ackReader.GetInt32(1),
                    ackReader.GetString(2), DateTimeOffset.Parse(ackReader.GetString(3), CultureInfo.InvariantCulture), ackReader.GetString(4));
            }
        }

        return new ClaimsFileRecord(contentHash, fileName, kind, status, received, updated, progress, counts, reason, asOf, rejects, warnings, acknowledgment);
    }

    private static async Task<IReadOnlyList<CareGap>> ReadGapsAsync(SqliteConnection connection, string memberId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, "SELECT body FROM care_gaps WHERE member_id = $m ORDER BY gap_id");
        command.Parameters.AddWithValue("$m", memberId);
        var gaps = new List<CareGap>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            gaps.Add(JsonSerializer.Deserialize(reader.GetString(0), ClaimsJson.Default.CareGap)!);
        }

        return gaps;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, ConnectionPragmas, cancellationToken);
        // The statements run through SqliteStatement wait for a lock the way the commands do.
        SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, DefaultTimeoutSeconds * 1000);
        if (!_schemaReady)
        {
            // Idempotent DDL: two callers racing here both run it harmlessly.
            await ExecuteAsync(connection, null, Schema, cancellationToken);
            if (await ScalarAsync(connection, null, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'triggers'", cancellationToken) is not null)
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                if (await ScalarAsync(connection, tx, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'triggers'", cancellationToken) is not null)
                {
                    await ExecuteAsync(connection, tx, MigrateTriggers, cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
            }

            if (await ScalarAsync(connection, null, BirthDateColumnMissing, cancellationToken) is not null)
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                if (await ScalarAsync(connection, tx, BirthDateColumnMissing, cancellationToken) is not null)
                {
                    await ExecuteAsync(connection, tx, "ALTER TABLE staged_eligibility ADD COLUMN member_birth_date TEXT; ALTER TABLE eligibility ADD COLUMN member_birth_date TEXT;", cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
            }

            _schemaReady = true;
        }

        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // every SQL text here is a constant of this class; values go through parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static string Date(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static string? OptionalDate(DateOnly? date) => date is { } d ? Date(d) : null;

    private static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, DateFormat, CultureInfo.InvariantCulture);

    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS files (
            file_hash TEXT PRIMARY KEY, file_name TEXT NOT NULL, kind INTEGER NOT NULL, status INTEGER NOT NULL,
            received_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            rows_read INTEGER NOT NULL DEFAULT 0, bytes_read INTEGER NOT NULL DEFAULT 0, total_bytes INTEGER,
            claims_read INTEGER NOT NULL DEFAULT 0, claims_accepted INTEGER NOT NULL DEFAULT 0, claims_rejected INTEGER NOT NULL DEFAULT 0,
            lines_read INTEGER NOT NULL DEFAULT 0, lines_accepted INTEGER NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0,
            quarantine_reason TEXT, analyzed_as_of TEXT);
        CREATE TABLE IF NOT EXISTS file_reports (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, file_hash TEXT NOT NULL, severity INTEGER NOT NULL,
            location TEXT NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_file_reports ON file_reports (file_hash, seq);
        CREATE TABLE IF NOT EXISTS staged_eligibility (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, file_hash TEXT NOT NULL, member_id TEXT NOT NULL, plan TEXT NOT NULL,
            coverage_start TEXT NOT NULL, coverage_end TEXT, member_birth_date TEXT);
        CREATE INDEX IF NOT EXISTS ix_staged_eligibility ON staged_eligibility (file_hash, seq);
        CREATE TABLE IF NOT EXISTS claim_versions (
            version_id INTEGER PRIMARY KEY AUTOINCREMENT, claim_id TEXT NOT NULL, file_hash TEXT NOT NULL, member_id TEXT NOT NULL,
            frequency INTEGER NOT NULL, body BLOB NOT NULL);
        -- No query looks versions up by claim id (claims_current points at them by version_id); the index that did
        -- cost a random insert per staged claim into a b-tree over every version ever stored.
        DROP INDEX IF EXISTS ix_claim_versions;
        CREATE INDEX IF NOT EXISTS ix_claim_versions_file ON claim_versions (file_hash, version_id);
        CREATE TABLE IF NOT EXISTS claims_current (
            claim_id TEXT PRIMARY KEY, member_id TEXT NOT NULL, is_void INTEGER NOT NULL, version_id INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_claims_current_member ON claims_current (member_id);
        CREATE TABLE IF NOT EXISTS file_members (file_hash TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (file_hash, member_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS eligibility (
            member_id TEXT NOT NULL, plan TEXT NOT NULL, coverage_start TEXT NOT NULL, coverage_end TEXT, file_hash TEXT NOT NULL, member_birth_date TEXT,
            PRIMARY KEY (member_id, plan, coverage_start));
        CREATE TABLE IF NOT EXISTS member_months (
            member_id TEXT NOT NULL, month TEXT NOT NULL, enrolled INTEGER NOT NULL, bh_inpatient_stays INTEGER NOT NULL, bh_ed_visits INTEGER NOT NULL,
            outpatient_bh_visits INTEGER NOT NULL, bh_paid TEXT NOT NULL, total_paid TEXT NOT NULL, antipsychotic_fills INTEGER NOT NULL,
            antidepressant_fills INTEGER NOT NULL, sud_medication_fills INTEGER NOT NULL, other_fills INTEGER NOT NULL,
            PRIMARY KEY (member_id, month));
        CREATE TABLE IF NOT EXISTS care_gaps (
            gap_id TEXT PRIMARY KEY, member_id TEXT NOT NULL, measure TEXT NOT NULL, status INTEGER NOT NULL, window_end TEXT NOT NULL, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_care_gaps_member ON care_gaps (member_id);
        CREATE TABLE IF NOT EXISTS file_triggers (
            file_hash TEXT NOT NULL, trigger_id TEXT NOT NULL, member_id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (file_hash, trigger_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS file_acknowledgments (
            file_hash TEXT PRIMARY KEY, kind INTEGER NOT NULL, code INTEGER NOT NULL, control_number TEXT NOT NULL, created_at TEXT NOT NULL, content TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """;

    /// <summary>Databases written before eligibility files could carry birth dates lack the column (added on open).</summary>
    private const string BirthDateColumnMissing = "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pragma_table_info('eligibility') WHERE name = 'member_birth_date')";

    /// <summary>
    /// Databases written before trigger ids left out the file kept them in <c>triggers</c> (one row per id): copied
    /// into <c>file_triggers</c> under the file that recorded them, then dropped, in one transaction.
    /// </summary>
    private const string MigrateTriggers = """
        INSERT OR IGNORE INTO file_triggers (file_hash, trigger_id, member_id, kind, body)
            SELECT file_hash, trigger_id, member_id, kind, body FROM triggers;
        DROP TABLE triggers;
        """;
}
