using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Reading.X12;
using Mets.Claims.Storage;
using Mets.Domain.Diagnoses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Claims.Ingestion;

/// <summary>
/// The entry point for claims files: METS claims CSV, member eligibility CSV or X12 837 5010 (told
/// apart by content; anything else is quarantined as an unknown format). Streams the file, stages valid
/// claims, quarantines broken files or files with too many rejected claims (nothing applied), commits once
/// per content hash, then recomputes the touched members' month aggregates and care gaps and returns the
/// trigger records. An X12 file also gets its acknowledgment (TA1 or 999, kept with the file's record when the
/// store implements <see cref="IClaimsAcknowledgmentStore"/>); claims of a rejected interchange, group or
/// transaction set are never applied. A retry after a crash at any point gives the result of one clean run;
/// the same content twice is processed once. Diagnoses are checked by <paramref name="diagnoses"/> (structure
/// only when not given).
/// </summary>
public sealed partial class ClaimsFileIngestor(
    IClaimsStore store,
    ClaimClassifier classifier,
    MemberAnalyzer analyzer,
    IEngagedMemberDirectory engagedMembers,
    IOptions<ClaimsIngestionOptions> options,
    TimeProvider time,
    ILogger<ClaimsFileIngestor> logger,
    Icd10CmValidator? diagnoses = null)
{
    private readonly ClaimsIngestionOptions _options = options.Value;
    private readonly Icd10CmValidator _diagnoses = diagnoses ?? Icd10CmValidator.StructureOnly;

    public async Task<ClaimsFileResult> IngestAsync(string fileName, Stream content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(content);
        Stream? spool = null;
        try
        {
            var source = content;
            if (!content.CanSeek)
            {
                spool = await SpoolAsync(content, cancellationToken);
                source = spool;
            }

            var start = source.Position;
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(source, cancellationToken));
            var totalBytes = source.Length - start;
            var shortHash = hash[..12];

            var existing = await store.GetFileAsync(hash, cancellationToken);
            if (existing is { Status: ClaimsFileStatus.Processed or ClaimsFileStatus.Quarantined })
            {
                LogDuplicate(logger, shortHash, existing.Status);
                return await ResultAsync(existing, ClaimsFileOutcome.Duplicate, cancellationToken);
            }

            if (existing is { Status: ClaimsFileStatus.Committed })
            {
                // Crashed after the commit: finish the analytics (idempotent) on the committed "as of" day.
                LogResuming(logger, shortHash);
                var committedAsOf = existing.AnalyzedAsOf ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
                return await AnalyzeAndCompleteAsync(hash, committedAsOf, cancellationToken);
            }

            source.Position = start;
            var kind = DetectKind(source, out var unknownReason);
            source.Position = start;
            await store.BeginFileAsync(hash, fileName, kind, totalBytes, time.GetUtcNow(), cancellationToken);
            LogStarted(logger, shortHash, kind, totalBytes);

            var run = new FileRun(hash, totalBytes, _options.MaxReportEntries);
            var readStarted = time.GetTimestamp();
            string? structureError = unknownReason;
            X12ClaimReader? x12 = null;
            ClaimsAcknowledgment? acknowledgment = null;
            if (kind != ClaimsFileKind.Unknown)
            {
                try
                {
                    x12 = await ReadAndStageAsync(run, kind, source, null, cancellationToken);
                }
                catch (ClaimsFileStructureException e)
                {
                    structureError = e.Message;
                }
            }

            if (x12 is not null)
            {
                if (x12.NeedsRereadWithoutRejectedSets)
                {
                    // A unit was rejected after some of its claims were staged: stage again without it.
                    LogRereading(logger, shortHash);
                    await store.BeginFileAsync(hash, fileName, kind, totalBytes, time.GetUtcNow(), cancellationToken);
                    run = new FileRun(hash, totalBytes, _options.MaxReportEntries);
                    source.Position = start;
                    await ReadAndStageAsync(run, kind, source, x12.RejectedTransactionSets, cancellationToken);
                }

                foreach (var entry in x12.EnvelopeRejects)
                {
                    run.Report(entry);
                }

                if (x12.NothingAccepted)
                {
                    structureError = x12.FirstEnvelopeProblem ?? "No transaction set of the file was accepted.";
                }

                acknowledgment = await AcknowledgeAsync(hash, existing?.Acknowledgment, x12.Interchanges, cancellationToken);
            }

            var counts = run.Counts();
            if (structureError is null && counts.RejectedShare > _options.MaxRejectedClaimShare)
            {
                structureError = FormattableString.Invariant(
                    $"{counts.ClaimsRejected} of {counts.ClaimsRead} claims were rejected ({counts.RejectedShare:P1}), more than the allowed {_options.MaxRejectedClaimShare:P1}.");
            }

            if (structureError is not null)
            {
                await store.QuarantineAsync(hash, structureError, counts, run.Rejects, run.Warnings, run.Progress, time.GetUtcNow(), cancellationToken);
                LogQuarantined(logger, shortHash, structureError);
                var quarantined = await store.GetFileAsync(hash, cancellationToken);
                return await ResultAsync(quarantined!, ClaimsFileOutcome.Quarantined, cancellationToken, acknowledgment);
            }

            var readSeconds = time.GetElapsedTime(readStarted).TotalSeconds;
            LogStaged(logger, shortHash, readSeconds);
            var asOf = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var commitStarted = time.GetTimestamp();
            await store.CommitAsync(hash, counts, run.Rejects, run.Warnings, run.Progress, asOf, time.GetUtcNow(), cancellationToken);
            var commitSeconds = time.GetElapsedTime(commitStarted).TotalSeconds;
            LogCommitted(logger, shortHash, counts.ClaimsAccepted, counts.ClaimsRejected, counts.LinesAccepted, commitSeconds);
            return await AnalyzeAndCompleteAsync(hash, asOf, cancellationToken, acknowledgment);
        }
        finally
        {
            if (spool is not null)
            {
                await spool.DisposeAsync();
            }
        }
    }

    private async Task<ClaimsFileResult> AnalyzeAndCompleteAsync(string hash, DateOnly asOf, CancellationToken cancellationToken, ClaimsAcknowledgment? acknowledgment = null)
    {
        var started = time.GetTimestamp();
        var members = 0;
        var batch = new List<MemberAnalysis>(_options.AnalysisBatchSize);
        await foreach (var snapshot in store.ReadMembersAffectedByAsync(hash, cancellationToken))
        {
            members++;
            var classified = snapshot.CurrentClaims.Select(classifier.Classify).ToList();
            var engaged = await engagedMembers.IsEngagedAsync(snapshot.MemberId, cancellationToken);
            batch.Add(analyzer.Analyze(snapshot.MemberId, classified, snapshot.Eligibility, snapshot.PreviousGaps, new AnalysisContext(hash, asOf, engaged, snapshot.ClaimIdsFromFile)));
            if (batch.Count >= _options.AnalysisBatchSize)
            {
                await store.SaveMemberAnalysesAsync(hash, batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await store.SaveMemberAnalysesAsync(hash, batch, cancellationToken);
        }

        await store.CompleteAsync(hash, time.GetUtcNow(), cancellationToken);
        var record = await store.GetFileAsync(hash, cancellationToken);
        var result = await ResultAsync(record!, ClaimsFileOutcome.Processed, cancellationToken, acknowledgment);
        var analyticsSeconds = time.GetElapsedTime(started).TotalSeconds;
        LogProcessed(logger, hash[..12], members, result.Triggers.Count, analyticsSeconds);
        return result;
    }

    /// <summary>Reads the file and stages its valid claims; for X12 returns the reader (envelope results).
    /// <paramref name="skipSets"/>: transaction sets an earlier read rejected, whose claims are not staged.</summary>
    private async Task<X12ClaimReader?> ReadAndStageAsync(FileRun run, ClaimsFileKind kind, Stream source, IReadOnlySet<long>? skipSets, CancellationToken cancellationToken)
    {
        var counting = new CountingStream(source);
        long rows = 0;
        void OnRow(long row) => rows = row;
        var claims = new List<Claim>(_options.StageBatchSize);
        var spans = new List<EligibilitySpan>(kind == ClaimsFileKind.EligibilityCsv ? _options.StageBatchSize : 0);
        var nextProgress = (long)_options.ProgressEveryRows;

        async Task FlushAsync()
        {
            run.Progress = new ClaimsFileProgress(rows, counting.BytesRead, run.TotalBytes);
            await store.StageAsync(run.Hash, claims, spans, run.Progress, time.GetUtcNow(), cancellationToken);
            claims.Clear();
            spans.Clear();
        }

        async Task ProgressAsync()
        {
            if (rows >= nextProgress)
            {
                nextProgress = rows + _options.ProgressEveryRows;
                await FlushAsync();
                LogProgress(logger, run.Hash[..12], rows, counting.BytesRead, run.Progress.Percent ?? 0);
            }
        }

        if (kind == ClaimsFileKind.EligibilityCsv)
        {
            foreach (var outcome in EligibilityCsvReader.Read(counting, OnRow))
            {
                cancellationToken.ThrowIfCancellationRequested();
                run.Record(outcome);
                if (outcome.Span is not null)
                {
                    spans.Add(outcome.Span);
                }

                if (spans.Count >= _options.StageBatchSize)
                {
                    await FlushAsync();
                }

                await ProgressAsync();
            }
        }
        else
        {
            X12ClaimReader? x12 = null;
            IEnumerable<ClaimReadOutcome> outcomes;
            if (kind == ClaimsFileKind.X12Claims)
            {
                x12 = X12ClaimReader.Open(counting, new X12ReadOptions { Diagnoses = _diagnoses, SkipTransactionSets = skipSets ?? new HashSet<long>() });
                outcomes = x12.ReadClaims();
            }
            else
            {
                outcomes = ClaimsCsvReader.Read(counting, OnRow, _diagnoses);
            }

            foreach (var outcome in outcomes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                run.Record(outcome);
                if (x12 is not null)
                {
                    rows = run.LinesRead;
                }

                if (outcome.Claim is not null)
                {
                    claims.Add(outcome.Claim);
                }

                if (claims.Count >= _options.StageBatchSize)
                {
                    await FlushAsync();
                }

                await ProgressAsync();
            }

            foreach (var warning in x12?.FileWarnings ?? [])
            {
                run.Warn(warning);
            }

            await FlushAsync();
            return x12;
        }

        await FlushAsync();
        return null;
    }

    /// <summary>The file's acknowledgment: the one stored by an earlier (crashed) run, or a new one under control
    /// numbers reserved from the store (from the content hash when the store keeps no acknowledgments).</summary>
    private async Task<ClaimsAcknowledgment?> AcknowledgeAsync(string hash, ClaimsAcknowledgment? earlier, IReadOnlyList<X12InterchangeResult> interchanges, CancellationToken cancellationToken)
    {
        if (earlier is not null)
        {
            return earlier;
        }

        var needed = X12AcknowledgmentWriter.ControlNumbersNeeded(interchanges);
        if (needed == 0)
        {
            return null;
        }

        var acknowledgments = store as IClaimsAcknowledgmentStore;
        var first = acknowledgments is null
            ? 1 + (BinaryPrimitives.ReadUInt32BigEndian(Convert.FromHexString(hash[..8])) % 999_999_999L)
            : await acknowledgments.ReserveAcknowledgmentNumbersAsync(needed, cancellationToken);
        var acknowledgment = X12AcknowledgmentWriter.Write(interchanges, first, time.GetUtcNow());
        if (acknowledgment is not null && acknowledgments is not null)
        {
            await acknowledgments.SaveAcknowledgmentAsync(hash, acknowledgment, cancellationToken);
        }

        if (acknowledgment is not null)
        {
            LogAcknowledged(logger, hash[..12], acknowledgment.KindName, acknowledgment.CodeLetter, acknowledgment.ControlNumber);
        }

        return acknowledgment;
    }

    private async Task<ClaimsFileResult> ResultAsync(ClaimsFileRecord record, ClaimsFileOutcome outcome, CancellationToken cancellationToken, ClaimsAcknowledgment? acknowledgment = null)
    {
        var triggers = record.Status == ClaimsFileStatus.Processed ? await store.GetTriggersAsync(record.ContentHash, cancellationToken) : [];
        return new ClaimsFileResult(record.ContentHash, record.FileName, record.Kind, outcome, record.Status, record.QuarantineReason, record.Counts, record.Rejects, record.Warnings, triggers,
            record.Acknowledgment ?? acknowledgment);
    }

    /// <summary>X12 when the content starts with "ISA"; eligibility CSV when the first line names member_id and
    /// coverage_start; claims CSV when it names any claims column; otherwise unknown (with the reason).</summary>
    internal static ClaimsFileKind DetectKind(Stream source, out string? unknownReason)
    {
        unknownReason = null;
        var buffer = new byte[4096];
        var read = source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var text = Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF', ' ', '\r', '\n', '\t');
        if (text.StartsWith("ISA", StringComparison.Ordinal))
        {
            return ClaimsFileKind.X12Claims;
        }

        var firstLine = text.Split('\n', 2)[0].TrimEnd('\r');
        var names = firstLine.Split(',').Select(n => n.Trim().Trim('"')).ToList();
        if (EligibilityCsvReader.LooksLikeEligibility(names))
        {
            return ClaimsFileKind.EligibilityCsv;
        }

        if (!text.Contains('\0', StringComparison.Ordinal) && Reading.Csv.CsvHeader.CountKnown(names, ClaimsCsvColumns.Aliases) > 0)
        {
            return ClaimsFileKind.ClaimsCsv;
        }

        unknownReason = read == 0
            ? "The file is empty: unknown format."
            : "Unknown format: the file is neither X12 (it does not start with an ISA interchange header) nor a METS claims or eligibility CSV (its first line names none of their columns).";
        return ClaimsFileKind.Unknown;
    }

    private static async Task<Stream> SpoolAsync(Stream content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "mets-claims-" + Guid.NewGuid().ToString("N") + ".tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await content.CopyToAsync(file, cancellationToken);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: already {Status}; not processed again.")]
    private static partial void LogDuplicate(ILogger logger, string fileHash, ClaimsFileStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: committed earlier; finishing analytics.")]
    private static partial void LogResuming(ILogger logger, string fileHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: {Kind}, {TotalBytes} bytes, reading.")]
    private static partial void LogStarted(ILogger logger, string fileHash, ClaimsFileKind kind, long totalBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: {Rows} rows, {Bytes} bytes, {Percent}% read.")]
    private static partial void LogProgress(ILogger logger, string fileHash, long rows, long bytes, decimal percent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: a transaction set, group or interchange was rejected after some of its claims were staged; staging the file again without it.")]
    private static partial void LogRereading(ILogger logger, string fileHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: acknowledgment {Kind} {Code}, control number {ControlNumber}.")]
    private static partial void LogAcknowledged(ILogger logger, string fileHash, string kind, string code, string controlNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claims file {FileHash}: quarantined, nothing applied: {Reason}")]
    private static partial void LogQuarantined(ILogger logger, string fileHash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: read and staged in {Seconds:0.0}s.")]
    private static partial void LogStaged(ILogger logger, string fileHash, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: committed {Accepted} claims ({Lines} lines), {Rejected} rejected, in {Seconds:0.0}s.")]
    private static partial void LogCommitted(ILogger logger, string fileHash, int accepted, int rejected, long lines, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: processed; {Members} members analysed, {Triggers} triggers, analytics in {Seconds:0.0}s.")]
    private static partial void LogProcessed(ILogger logger, string fileHash, int members, int triggers, double seconds);

    /// <summary>Counts and report entries of one read of a file (entries capped, counts exact).</summary>
    private sealed class FileRun(string hash, long totalBytes, int maxEntries)
    {
        private int _claimsRead;
        private int _claimsAccepted;
        private int _claimsRejected;
        private long _linesAccepted;
        private int _warnings;

        public string Hash { get; } = hash;

        public long TotalBytes { get; } = totalBytes;

        public long LinesRead { get; private set; }

        public ClaimsFileProgress Progress { get; set; } = ClaimsFileProgress.None;

        public List<RejectEntry> Rejects { get; } = [];

        public List<RejectEntry> Warnings { get; } = [];

        public void Record(ClaimReadOutcome outcome)
        {
            _claimsRead++;
            LinesRead += outcome.LineCount;
            if (outcome.IsAccepted)
            {
                _claimsAccepted++;
                _linesAccepted += outcome.LineCount;
            }
            else
            {
                _claimsRejected++;
                AddCapped(Rejects, outcome.Rejects);
            }

            foreach (var warning in outcome.Warnings)
            {
                Warn(warning);
            }
        }

        public void Record(EligibilityReadOutcome outcome)
        {
            _claimsRead++;
            LinesRead++;
            if (outcome.Span is not null)
            {
                _claimsAccepted++;
                _linesAccepted++;
            }
            else
            {
                _claimsRejected++;
                AddCapped(Rejects, outcome.Rejects);
            }
        }

        /// <summary>A report entry that is not about one claim (a rejected interchange, group or transaction set).</summary>
        public void Report(RejectEntry entry) => AddCapped(Rejects, [entry]);

        public void Warn(RejectEntry warning)
        {
            _warnings++;
            AddCapped(Warnings, [warning]);
        }

        public ClaimsFileCounts Counts() => new(_claimsRead, _claimsAccepted, _claimsRejected, LinesRead, _linesAccepted, _warnings);

        private void AddCapped(List<RejectEntry> list, IReadOnlyList<RejectEntry> entries)
        {
            foreach (var entry in entries)
            {
                if (list.Count >= maxEntries)
                {
                    return;
                }

                list.Add(entry);
            }
        }
    }
}
