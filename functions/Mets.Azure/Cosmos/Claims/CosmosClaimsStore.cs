using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Mets.Claims;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mets.Azure.Cosmos.Claims;

/// <summary>
/// The claims store on Cosmos DB (docs/cosmos.md, "Claims ingest without a cross-partition transaction").
/// Staging writes every claim version into its member's partition of <c>claims</c>, tied to the file's content hash
/// and attempt, and registers it in <c>claim-index</c>; nothing reads a version until its file is committed.
/// <see cref="CommitAsync"/> is one If-Match write that flips the file record to Committed with a commit sequence:
/// that write makes the whole file visible. Readers resolve each claim id from the versions of committed files
/// (commit sequence, then file order), so a crash at any point before that write leaves nothing visible, and the
/// retry (same content hash, next attempt) rewrites the same items and commits once.
/// Point reads and single-partition queries only; every query names its partition key in its text. An X12 file's
/// acknowledgment is an item in the file's partition (<see cref="SaveAcknowledgmentAsync"/>), numbered from a counter
/// item of its own (<see cref="ReserveAcknowledgmentNumbersAsync"/>).
/// </summary>
public sealed partial class CosmosClaimsStore : IClaimsStore, IClaimsAcknowledgmentStore
{
    /// <summary>Report entries per <c>report-NNNN</c> item (about 100 bytes each).</summary>
    internal const int ReportChunkEntries = 500;

    /// <summary>Member ids per <c>members-BBBBBB-PP</c> item.</summary>
    internal const int MembersPerChunk = 5_000;

    private const int MaxConflictRounds = 50;
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    private readonly Container _claims;
    private readonly Container _index;
    private readonly Container _files;
    private readonly int _maxConcurrentWrites;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, FileState> _finalStates = new(StringComparer.Ordinal);

    /// <param name="database">The METS database (containers <c>claims</c>, <c>claim-index</c>, <c>claims-files</c> of <see cref="CosmosLayout"/>).</param>
    /// <param name="options">The Cosmos options: <see cref="CosmosOptions.MaxConcurrentWrites"/> bounds the writes in flight.</param>
    /// <param name="logger">Where the best-effort clean-up of a quarantined file reports a failure.</param>
    public CosmosClaimsStore(Database database, CosmosOptions options, ILogger<CosmosClaimsStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        _claims = database.GetContainer(CosmosLayout.Claims.Name);
        _index = database.GetContainer(CosmosLayout.ClaimIndex.Name);
        _files = database.GetContainer(CosmosLayout.ClaimsFiles.Name);
        _maxConcurrentWrites = Math.Max(1, options.MaxConcurrentWrites);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<ClaimsFileRecord?> GetFileAsync(string contentHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false);
        if (read is not { Item: var file })
        {
            return null;
        }

        // Only X12 files are acknowledged: other files cost no read for it.
        var acknowledgment = file.FileKind == ClaimsFileKind.X12Claims
            ? TryReadAsync<AcknowledgmentItem>(_files, ItemIds.Acknowledgment, contentHash, cancellationToken)
            : Task.FromResult<(AcknowledgmentItem Item, string ETag)?>(null);
        var rejects = new List<RejectEntry>();
        var warnings = new List<RejectEntry>();
        for (var chunk = 1; chunk <= file.ReportChunks; chunk++)
        {
            var report = await _files.ReadItemAsync<ReportItem>(ItemIds.Report(chunk), new PartitionKey(contentHash), cancellationToken: cancellationToken).ConfigureAwait(false);
            rejects.AddRange(report.Resource.Rejects);
            warnings.AddRange(report.Resource.Warnings);
        }

        return new ClaimsFileRecord(contentHash, file.FileName, file.FileKind, file.Status, file.ReceivedAt, file.UpdatedAt,
            new ClaimsFileProgress(file.Rows, file.Bytes, file.TotalBytes), file.Counts.ToCounts(), file.QuarantineReason, file.AnalyzedAsOf, rejects, warnings,
            (await acknowledgment.ConfigureAwait(false))?.Item.ToAcknowledgment());
    }

    /// <summary>Reserves <paramref name="count"/> consecutive control numbers from the <c>acknowledgment-number</c>
    /// counter item (an If-Match increment, retried on 412) and returns the first. The counter only grows; the
    /// acknowledgment writer wraps the numbers into 1 to 999,999,999.</summary>
    public async Task<long> ReserveAcknowledgmentNumbersAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var last = await AddToCounterAsync(ItemIds.AcknowledgmentNumber, count, cancellationToken).ConfigureAwait(false);
        return last - count + 1;
    }

    /// <summary>Upserts the file's <c>acknowledgment</c> item in its partition (replacing one saved before). The file
    /// record is not touched: BeginFileAsync never clears it, so a retry finds it and sends the same text again.</summary>
    public async Task SaveAcknowledgmentAsync(string contentHash, ClaimsAcknowledgment acknowledgment, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        ArgumentNullException.ThrowIfNull(acknowledgment);
        await _files.UpsertItemAsync(AcknowledgmentItem.From(contentHash, acknowledgment), new PartitionKey(contentHash), NoContent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the record (attempt 1) or resets a Staging one to the next attempt: whatever the crashed attempt
    /// staged stays where it is but no longer counts (the retry rewrites the same items). A committed, processed or
    /// quarantined file is never reset (the ingestor never asks; resetting would change what readers see).
    /// </summary>
    public async Task BeginFileAsync(string contentHash, string fileName, ClaimsFileKind kind, long? totalBytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var partition = new PartitionKey(contentHash);
        for (var round = 0; round < MaxConflictRounds; round++)
        {
            var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                var created = new FileItem(ItemIds.File, contentHash, ItemKinds.File, fileName, kind, ClaimsFileStatus.Staging, now, now, 0, 0, totalBytes,
                    CountsBody.From(ClaimsFileCounts.Empty), null, null, Attempt: 1, StagedClaims: 0, StagedBatches: 0, ReportChunks: 0, CommitSequence: null);
                if (await TryCreateAsync(_files, created, partition, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            var (file, etag) = read.Value;
            if (file.Status != ClaimsFileStatus.Staging)
            {
                throw new InvalidOperationException($"The claims file is {file.Status}; only a new or unfinished (Staging) file can be begun.");
            }

            var reset = file with
            {
                FileName = fileName, FileKind = kind, UpdatedAt = now, Rows = 0, Bytes = 0, TotalBytes = totalBytes,
                Counts = CountsBody.From(ClaimsFileCounts.Empty), QuarantineReason = null, AnalyzedAsOf = null,
                Attempt = file.Attempt + 1, StagedClaims = 0, StagedBatches = 0, ReportChunks = 0, CommitSequence = null,
            };
            if (await TryReplaceAsync(_files, reset, ItemIds.File, partition, etag, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw Contention("claims file record");
    }

    public async Task StageAsync(string contentHash, IReadOnlyList<Claim> claims, IReadOnlyList<EligibilitySpan> eligibility, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(eligibility);
        ArgumentNullException.ThrowIfNull(progress);
        var (file, etag) = await ReadStagingFileAsync(contentHash, "staged", cancellationToken).ConfigureAwait(false);
        var states = new FileStates(this);
        var touched = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var forOthers = new ConcurrentDictionary<(string Hash, int Attempt), ConcurrentDictionary<string, byte>>();

        // One task per claim id (a claim may come twice in a batch: its versions register together), at most
        // MaxConcurrentWrites at once; each task's writes go one after the other.
        var groups = claims.Select((claim, i) => (Claim: claim, Seq: file.StagedClaims + i))
            .GroupBy(v => v.Claim.ClaimId, StringComparer.Ordinal)
            .Select(g => g.ToList())
            .ToList();
        await Parallel.ForEachAsync(groups, Parallelism(cancellationToken), async (versions, token) =>
        {
            var staged = await StageClaimAsync(contentHash, file.Attempt, versions, states, token).ConfigureAwait(false);
            foreach (var member in staged.Touched)
            {
                touched.TryAdd(member, 0);
            }

            foreach (var other in staged.StagingOthers)
            {
                var members = forOthers.GetOrAdd(other, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal));
                foreach (var member in staged.OwnMembers)
                {
                    members.TryAdd(member, 0);
                }
            }
        }).ConfigureAwait(false);

        // Coverage spans: one item per (member, plan, start) and file; the last span in file order wins.
        var spans = eligibility.GroupBy(s => (s.MemberId, s.Plan, s.CoverageStart)).Select(g => g.Last()).ToList();
        await Parallel.ForEachAsync(spans, Parallelism(cancellationToken), async (span, token) =>
        {
            var item = new VersionItem(ItemIds.Coverage(span.Plan, span.CoverageStart, contentHash), span.MemberId, ItemKinds.Coverage, contentHash, file.Attempt,
                Plan: span.Plan, CoverageStart: span.CoverageStart, CoverageEnd: span.CoverageEnd, MemberBirthDate: span.MemberBirthDate);
            await _claims.UpsertItemAsync(item, new PartitionKey(span.MemberId), NoContent, token).ConfigureAwait(false);
            touched.TryAdd(span.MemberId, 0);
        }).ConfigureAwait(false);

        var batch = file.StagedBatches + 1;
        await WriteMembersAsync(contentHash, file.Attempt, batch, part => ItemIds.Members(batch, part), touched.Keys, cancellationToken).ConfigureAwait(false);

        // Another file still staging holds versions of these claims: if it commits after this one, its members must
        // include this file's (the one that registered second is the only one that knows), so they go into its chunks.
        foreach (var ((otherHash, otherAttempt), members) in forOthers)
        {
            await WriteMembersAsync(otherHash, otherAttempt, batch, part => ItemIds.MembersFrom(contentHash, batch, part), members.Keys, cancellationToken).ConfigureAwait(false);
        }

        var updated = file.WithProgress(progress, now) with { StagedClaims = file.StagedClaims + claims.Count, StagedBatches = batch };
        if (!await TryReplaceAsync(_files, updated, ItemIds.File, new PartitionKey(contentHash), etag, cancellationToken).ConfigureAwait(false))
        {
            throw Changed("staged");
        }
    }

    /// <summary>Marks the file Quarantined (nothing of it ever becomes visible), then deletes what it staged, best effort.</summary>
    public async Task QuarantineAsync(string contentHash, string reason, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(progress);
        var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The claims file has no record: BeginFileAsync comes first.");
        var (file, etag) = read;
        if (file.IsCommitted)
        {
            throw new InvalidOperationException($"The claims file is {file.Status}; a committed file cannot be quarantined.");
        }

        var chunks = await WriteReportAsync(contentHash, rejects, warnings, cancellationToken).ConfigureAwait(false);
        var quarantined = file.WithProgress(progress, now) with
        {
            Status = ClaimsFileStatus.Quarantined, QuarantineReason = reason, Counts = CountsBody.From(counts), ReportChunks = chunks,
        };
        if (!await TryReplaceAsync(_files, quarantined, ItemIds.File, new PartitionKey(contentHash), etag, cancellationToken).ConfigureAwait(false))
        {
            throw Changed("quarantined");
        }

        _finalStates[contentHash] = quarantined.State;
        await DeleteStagedAsync(contentHash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the report, takes the next commit sequence and flips the record to Committed with If-Match:
    /// the one write that makes the file visible. A 412 means another attempt changed the record: nothing is committed.</summary>
    public async Task CommitAsync(string contentHash, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateOnly analyzedAsOf, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(progress);
        var (file, etag) = await ReadStagingFileAsync(contentHash, "committed", cancellationToken).ConfigureAwait(false);
        var chunks = await WriteReportAsync(contentHash, rejects, warnings, cancellationToken).ConfigureAwait(false);
        var sequence = await AddToCounterAsync(ItemIds.CommitSequence, 1, cancellationToken).ConfigureAwait(false);
        var committed = file.WithProgress(progress, now) with
        {
            Status = ClaimsFileStatus.Committed, CommitSequence = sequence, Counts = CountsBody.From(counts), ReportChunks = chunks, AnalyzedAsOf = analyzedAsOf,
        };
        if (!await TryReplaceAsync(_files, committed, ItemIds.File, new PartitionKey(contentHash), etag, cancellationToken).ConfigureAwait(false))
        {
            throw Changed("committed");
        }

        _finalStates[contentHash] = committed.State;
    }

    public async IAsyncEnumerable<MemberClaimsSnapshot> ReadMembersAffectedByAsync(string contentHash, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false);
        if (read is not { Item: { IsCommitted: true } file })
        {
            yield break;
        }

        var chunks = await QueryAsync<MembersItem>(_files,
            new QueryDefinition("SELECT * FROM c WHERE c.contentHash = @contentHash AND c.kind = 'members'").WithParameter("@contentHash", contentHash),
            contentHash, cancellationToken).ConfigureAwait(false);
        var members = chunks.Where(c => c.Attempt == file.Attempt).SelectMany(c => c.Members).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        // Members are read ahead (at most MaxConcurrentWrites at once) and handed out one at a time, in member order.
        var states = new FileStates(this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<Task<MemberClaimsSnapshot>>();
        try
        {
            foreach (var member in members)
            {
                pending.Enqueue(LoadMemberAsync(member, contentHash, states, stop.Token));
                if (pending.Count >= _maxConcurrentWrites)
                {
                    yield return await pending.Dequeue().ConfigureAwait(false);
                }
            }

            while (pending.Count > 0)
            {
                yield return await pending.Dequeue().ConfigureAwait(false);
            }
        }
        finally
        {
            if (pending.Count > 0)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(pending).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    public Task<MemberClaimsSnapshot> GetMemberAsync(string memberId, string? contentHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        return LoadMemberAsync(memberId, contentHash, new FileStates(this), cancellationToken);
    }

    /// <summary>Replaces each member's <c>analysis</c> item (months and gaps in one write) and creates the triggers
    /// (a trigger id that exists already is left as it is).</summary>
    public async Task SaveMemberAnalysesAsync(string contentHash, IReadOnlyList<MemberAnalysis> analyses, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        ArgumentNullException.ThrowIfNull(analyses);
        await Parallel.ForEachAsync(analyses, Parallelism(cancellationToken), async (analysis, token) =>
        {
            var item = new AnalysisItem(ItemIds.Analysis, analysis.MemberId, ItemKinds.Analysis, analysis.Months.Select(MonthBody.From).ToList(), analysis.Gaps);
            await _claims.UpsertItemAsync(item, new PartitionKey(analysis.MemberId), NoContent, token).ConfigureAwait(false);
            foreach (var trigger in analysis.Triggers)
            {
                await TryCreateAsync(_files, new TriggerItem(ItemIds.Trigger(trigger.Id), contentHash, ItemKinds.Trigger, trigger), new PartitionKey(contentHash), token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    public async Task CompleteAsync(string contentHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        for (var round = 0; round < MaxConflictRounds; round++)
        {
            var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false);
            if (read is not { Item.Status: ClaimsFileStatus.Committed } current)
            {
                return;
            }

            var processed = current.Item with { Status = ClaimsFileStatus.Processed, UpdatedAt = now };
            if (await TryReplaceAsync(_files, processed, ItemIds.File, new PartitionKey(contentHash), current.ETag, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw Contention("claims file record");
    }

    public async Task<IReadOnlyList<ClaimsTrigger>> GetTriggersAsync(string contentHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        var items = await QueryAsync<TriggerItem>(_files,
            new QueryDefinition("SELECT * FROM c WHERE c.contentHash = @contentHash AND c.kind = 'trigger'").WithParameter("@contentHash", contentHash),
            contentHash, cancellationToken).ConfigureAwait(false);
        return items.Select(i => i.Trigger)
            .OrderBy(t => t.MemberId, StringComparer.Ordinal).ThenBy(t => t.Kind.ToString(), StringComparer.Ordinal).ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<CareGap>> GetCareGapsAsync(string memberId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        var analysis = await TryReadAsync<AnalysisItem>(_claims, ItemIds.Analysis, memberId, cancellationToken).ConfigureAwait(false);
        return analysis is { Item: var item } ? item.Gaps.OrderBy(g => g.Id, StringComparer.Ordinal).ToList() : [];
    }

    public async Task<IReadOnlyList<MemberMonth>> GetMemberMonthsAsync(string memberId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        var analysis = await TryReadAsync<AnalysisItem>(_claims, ItemIds.Analysis, memberId, cancellationToken).ConfigureAwait(false);
        return analysis is { Item: var item } ? item.Months.Select(m => m.ToMonth(memberId)).OrderBy(m => m.Month).ToList() : [];
    }

    /// <summary>
    /// Stages the versions of one claim id from this batch. (1) They are registered in <c>claim-index</c> (ETag-checked
    /// read-modify-write), which answers every version staged so far. (2) Each version is upserted with its body into
    /// its member's partition. (3) Every partition that holds a version of the claim gets an entry (a marker without
    /// body) for every other version: this file's versions are upserted into the others' partitions, and versions of
    /// other files are created (never overwritten: their own stager's upsert wins) in this batch's partitions. Whichever
    /// of two files registers second writes both directions, so concurrent files cannot miss each other.
    /// Returns the members to re-analyse: the versions' members and the claim's member before this file (as resolved
    /// from committed files) plus members of other files still staging (they may commit first), and those files.
    /// </summary>
    private async Task<StagedClaim> StageClaimAsync(string contentHash, int attempt, List<(Claim Claim, int Seq)> versions, FileStates states, CancellationToken cancellationToken)
    {
        var claimId = versions[0].Claim.ClaimId;
        var own = versions.Select(v => new IndexEntry(contentHash, v.Seq, v.Claim.MemberId, v.Claim.Frequency, attempt)).ToList();
        var registered = await RegisterAsync(claimId, own, firstAttempt: attempt == 1, cancellationToken).ConfigureAwait(false);

        // Entries that can still matter: this attempt's, and other files' current attempts unless quarantined. A file
        // whose record cannot be read (yet) counts as staging: including it costs a few writes, leaving it out could
        // leave a partition without the entry it needs.
        var relevant = new List<(IndexEntry Entry, FileState? State)>();
        foreach (var entry in registered)
        {
            if (entry.FileHash == contentHash)
            {
                if (entry.Attempt == attempt)
                {
                    relevant.Add((entry, null));
                }

                continue;
            }

            var state = await states.GetAsync(entry.FileHash, cancellationToken).ConfigureAwait(false);
            if (state is null || (state.Status != ClaimsFileStatus.Quarantined && state.Attempt == entry.Attempt))
            {
                relevant.Add((entry, state ?? new FileState(ClaimsFileStatus.Staging, entry.Attempt, null)));
            }
        }

        var ownMembers = own.Select(e => e.Member).Distinct(StringComparer.Ordinal).ToList();
        var touched = new HashSet<string>(ownMembers, StringComparer.Ordinal);
        var before = ClaimVersions.Resolve(relevant
            .Where(r => r.State is { IsCommitted: true })
            .Select(r => new VersionStep<IndexEntry>(r.State!.CommitSequence!.Value, r.Entry.Seq, r.Entry.Frequency, r.Entry.Member, r.Entry)));
        if (before is { Member: var previous })
        {
            touched.Add(previous);
        }

        var stagingOthers = new HashSet<(string Hash, int Attempt)>();
        foreach (var (entry, state) in relevant)
        {
            if (state is { Status: ClaimsFileStatus.Staging })
            {
                touched.Add(entry.Member);
                stagingOthers.Add((entry.FileHash, entry.Attempt));
            }
        }

        var holders = relevant.Select(r => r.Entry.Member).Distinct(StringComparer.Ordinal).ToList();
        var written = new HashSet<(string Member, string Id)>();
        foreach (var (claim, seq) in versions)
        {
            var id = ItemIds.ClaimVersion(claimId, contentHash, seq);
            var body = claim.Frequency == ClaimFrequency.Void ? null : ClaimBody.From(claim);
            var item = new VersionItem(id, claim.MemberId, ItemKinds.Claim, contentHash, attempt, claimId, seq, claim.Frequency, claim.MemberId, body);
            await _claims.UpsertItemAsync(item, new PartitionKey(claim.MemberId), NoContent, cancellationToken).ConfigureAwait(false);
            written.Add((claim.MemberId, id));
            foreach (var holder in holders.Where(h => h != claim.MemberId && written.Add((h, id))))
            {
                await _claims.UpsertItemAsync(Marker(holder, claimId, new IndexEntry(contentHash, seq, claim.MemberId, claim.Frequency, attempt)), new PartitionKey(holder), NoContent, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (entry, _) in relevant.Where(r => !own.Any(o => o.Seq == r.Entry.Seq && o.FileHash == r.Entry.FileHash)))
        {
            var id = ItemIds.ClaimVersion(claimId, entry.FileHash, entry.Seq);
            foreach (var member in ownMembers.Where(m => m != entry.Member && written.Add((m, id))))
            {
                var marker = Marker(member, claimId, entry);
                if (entry.FileHash == contentHash)
                {
                    await _claims.UpsertItemAsync(marker, new PartitionKey(member), NoContent, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await TryCreateAsync(_claims, marker, new PartitionKey(member), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return new StagedClaim(touched, ownMembers, stagingOthers);
    }

    private static VersionItem Marker(string holder, string claimId, IndexEntry entry) =>
        new(ItemIds.ClaimVersion(claimId, entry.FileHash, entry.Seq), holder, ItemKinds.Claim, entry.FileHash, entry.Attempt, claimId, entry.Seq, entry.Frequency, entry.Member);

    /// <summary>Adds the versions to the claim's index item (ETag-checked) and answers every version it lists.</summary>
    private async Task<IReadOnlyList<IndexEntry>> RegisterAsync(string claimId, IReadOnlyList<IndexEntry> own, bool firstAttempt, CancellationToken cancellationToken)
    {
        var id = ItemIds.ClaimIndex(claimId);
        var partition = new PartitionKey(claimId);

        // Originals in a file's first attempt are mostly new claims: create without reading first (a 409 reads then).
        var tryCreateFirst = firstAttempt && own.All(e => e.Frequency == ClaimFrequency.Original);
        for (var round = 0; round < MaxConflictRounds; round++)
        {
            if (tryCreateFirst)
            {
                tryCreateFirst = false;
                if (await TryCreateAsync(_index, new IndexItem(id, claimId, own), partition, cancellationToken).ConfigureAwait(false))
                {
                    return own;
                }
            }

            var read = await TryReadAsync<IndexItem>(_index, id, claimId, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                if (await TryCreateAsync(_index, new IndexItem(id, claimId, own), partition, cancellationToken).ConfigureAwait(false))
                {
                    return own;
                }

                continue;
            }

            var (item, etag) = read.Value;
            var merged = item.Versions.Where(v => !own.Any(o => o.FileHash == v.FileHash && o.Seq == v.Seq)).Concat(own).ToList();
            if (own.All(item.Versions.Contains))
            {
                return item.Versions;
            }

            if (await TryReplaceAsync(_index, item with { Versions = merged }, id, partition, etag, cancellationToken).ConfigureAwait(false))
            {
                return merged;
            }
        }

        throw Contention("claim index item");
    }

    /// <summary>One member's current claims, coverage and stored gaps: one single-partition query and one point read,
    /// plus a point read per file the member's versions came from (committed and quarantined files are cached).</summary>
    private async Task<MemberClaimsSnapshot> LoadMemberAsync(string memberId, string? contentHash, FileStates states, CancellationToken cancellationToken)
    {
        var reading = TryReadAsync<AnalysisItem>(_claims, ItemIds.Analysis, memberId, cancellationToken);
        var items = await QueryAsync<VersionItem>(_claims,
            new QueryDefinition("SELECT * FROM c WHERE c.memberId = @memberId AND c.kind IN ('claim', 'coverage')").WithParameter("@memberId", memberId),
            memberId, cancellationToken).ConfigureAwait(false);
        var hashes = items.Select(i => i.FileHash).Distinct(StringComparer.Ordinal).ToList();
        var found = await Task.WhenAll(hashes.Select(h => states.GetAsync(h, cancellationToken))).ConfigureAwait(false);
        var files = hashes.Zip(found).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var analysis = await reading.ConfigureAwait(false);

        var visible = items.Where(i => ClaimVersions.IsVisible(files[i.FileHash], i.Attempt)).ToList();
        var claims = new List<Claim>();
        var fromFile = new HashSet<string>(StringComparer.Ordinal);
        foreach (var versions in visible.Where(i => i.Kind == ItemKinds.Claim && i.ClaimId is not null && i.Frequency is not null && i.Owner is not null).GroupBy(i => i.ClaimId!, StringComparer.Ordinal))
        {
            var state = ClaimVersions.Resolve(versions.Select(v => new VersionStep<VersionItem>(files[v.FileHash]!.CommitSequence!.Value, v.Seq, v.Frequency!.Value, v.Owner!, v)));
            if (state is not { IsVoid: false, Version: var current } || state.Value.Member != memberId)
            {
                continue;
            }

            var body = current.Claim ?? throw new InvalidOperationException($"The current version of a claim in member partition has no body (item {current.Id}).");
            claims.Add(body.ToClaim(versions.Key, current.Frequency!.Value, memberId));
            if (contentHash is not null && current.FileHash == contentHash)
            {
                fromFile.Add(versions.Key);
            }
        }

        var eligibility = visible.Where(i => i.Kind == ItemKinds.Coverage && i.Plan is not null && i.CoverageStart is not null)
            .GroupBy(i => (Plan: i.Plan!, Start: i.CoverageStart!.Value))
            .Select(g => (Latest: g.MaxBy(i => files[i.FileHash]!.CommitSequence!.Value)!,
                // a coverage row re-sent without a birth date keeps the one a file gave before (as the SQLite store does)
                BirthDate: g.Where(i => i.MemberBirthDate is not null).MaxBy(i => files[i.FileHash]!.CommitSequence!.Value)?.MemberBirthDate))
            .Select(c => new EligibilitySpan(memberId, c.Latest.Plan!, c.Latest.CoverageStart!.Value, c.Latest.CoverageEnd) { MemberBirthDate = c.BirthDate })
            .OrderBy(s => s.CoverageStart).ThenBy(s => s.Plan, StringComparer.Ordinal)
            .ToList();
        var gaps = analysis is { Item: var stored } ? stored.Gaps.OrderBy(g => g.Id, StringComparer.Ordinal).ToList() : [];
        return new MemberClaimsSnapshot(memberId, claims.OrderBy(c => c.ClaimId, StringComparer.Ordinal).ToList(), eligibility, gaps, fromFile);
    }

    private async Task WriteMembersAsync(string contentHash, int attempt, int batch, Func<int, string> id, IEnumerable<string> touched, CancellationToken cancellationToken)
    {
        var members = touched.Order(StringComparer.Ordinal).ToList();
        for (var part = 0; part * MembersPerChunk < members.Count; part++)
        {
            var chunk = new MembersItem(id(part + 1), contentHash, ItemKinds.Members, attempt, batch, members.Skip(part * MembersPerChunk).Take(MembersPerChunk).ToList());
            await _files.UpsertItemAsync(chunk, new PartitionKey(contentHash), NoContent, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> WriteReportAsync(string contentHash, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejects);
        ArgumentNullException.ThrowIfNull(warnings);
        var entries = rejects.Select(r => (Reject: true, Entry: r)).Concat(warnings.Select(w => (Reject: false, Entry: w))).ToList();
        var chunks = 0;
        for (var start = 0; start < entries.Count; start += ReportChunkEntries)
        {
            var slice = entries.Skip(start).Take(ReportChunkEntries).ToList();
            var item = new ReportItem(ItemIds.Report(++chunks), contentHash, ItemKinds.Report,
                slice.Where(e => e.Reject).Select(e => e.Entry).ToList(), slice.Where(e => !e.Reject).Select(e => e.Entry).ToList());
            await _files.UpsertItemAsync(item, new PartitionKey(contentHash), NoContent, cancellationToken).ConfigureAwait(false);
        }

        return chunks;
    }

    /// <summary>Adds <paramref name="amount"/> to the counter item <paramref name="key"/> (in its own partition of
    /// <c>claims-files</c>; created on first use) and returns its new value: read, then replace with If-Match on the
    /// ETag read, again on 412 (409 when two writers create it at once), so concurrent writers never get the same values.</summary>
    private async Task<long> AddToCounterAsync(string key, long amount, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxConflictRounds; round++)
        {
            var read = await TryReadAsync<SequenceItem>(_files, key, key, cancellationToken).ConfigureAwait(false);
            if (read is null)
            {
                if (await TryCreateAsync(_files, new SequenceItem(key, key, ItemKinds.Sequence, amount), new PartitionKey(key), cancellationToken).ConfigureAwait(false))
                {
                    return amount;
                }

                continue;
            }

            var next = read.Value.Item.Value + amount;
            if (await TryReplaceAsync(_files, read.Value.Item with { Value = next }, key, new PartitionKey(key), read.Value.ETag, cancellationToken).ConfigureAwait(false))
            {
                return next;
            }
        }

        throw Contention(key + " counter");
    }

    /// <summary>Deletes the versions and coverage a quarantined file staged in the partitions its member chunks name.
    /// Best effort: they are invisible anyway; a failure is logged, never thrown.</summary>
    private async Task DeleteStagedAsync(string contentHash, CancellationToken cancellationToken)
    {
        try
        {
            var chunks = await QueryAsync<MembersItem>(_files,
                new QueryDefinition("SELECT * FROM c WHERE c.contentHash = @contentHash AND c.kind = 'members'").WithParameter("@contentHash", contentHash),
                contentHash, cancellationToken).ConfigureAwait(false);
            var members = chunks.SelectMany(c => c.Members).Distinct(StringComparer.Ordinal).ToList();
            var deleted = 0;
            await Parallel.ForEachAsync(members, Parallelism(cancellationToken), async (member, token) =>
            {
                var staged = await QueryAsync<ItemId>(_claims,
                    new QueryDefinition("SELECT c.id FROM c WHERE c.memberId = @memberId AND c.fileHash = @fileHash").WithParameter("@memberId", member).WithParameter("@fileHash", contentHash),
                    member, token).ConfigureAwait(false);
                foreach (var item in staged)
                {
                    try
                    {
                        await _claims.DeleteItemAsync<VersionItem>(item.Id, new PartitionKey(member), NoContent, token).ConfigureAwait(false);
                        Interlocked.Increment(ref deleted);
                    }
                    catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
                    {
                        // gone already
                    }
                }
            }).ConfigureAwait(false);
            LogQuarantineCleaned(_logger, contentHash[..Math.Min(12, contentHash.Length)], deleted, members.Count);
        }
        catch (CosmosException e)
        {
            LogQuarantineCleanupFailed(_logger, contentHash[..Math.Min(12, contentHash.Length)], (int)e.StatusCode, e);
        }
    }

    private async Task<(FileItem Item, string ETag)> ReadStagingFileAsync(string contentHash, string action, CancellationToken cancellationToken)
    {
        var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false);
        return read is { Item.Status: ClaimsFileStatus.Staging } staging
            ? staging
            : throw new InvalidOperationException($"Only a file in status Staging can be {action}.");
    }

    private Task<(FileItem Item, string ETag)?> ReadFileAsync(string contentHash, CancellationToken cancellationToken) =>
        TryReadAsync<FileItem>(_files, ItemIds.File, contentHash, cancellationToken);

    private async Task<FileState?> LoadStateAsync(string contentHash, CancellationToken cancellationToken)
    {
        if (_finalStates.TryGetValue(contentHash, out var known))
        {
            return known;
        }

        var read = await ReadFileAsync(contentHash, cancellationToken).ConfigureAwait(false);
        if (read is not { Item: var file })
        {
            return null;
        }

        var state = file.State;
        if (state.IsFinal)
        {
            _finalStates[contentHash] = state;
        }

        return state;
    }

    private ParallelOptions Parallelism(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = _maxConcurrentWrites, CancellationToken = cancellationToken };

    private static async Task<(T Item, string ETag)?> TryReadAsync<T>(Container container, string id, string partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken).ConfigureAwait(false);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Creates the item; false when one with its id exists (409).</summary>
    private static async Task<bool> TryCreateAsync<T>(Container container, T item, PartitionKey partitionKey, CancellationToken cancellationToken)
    {
        try
        {
            await container.CreateItemAsync(item, partitionKey, NoContent, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Replaces the item if its ETag is still <paramref name="etag"/>; false on 412 (or 404: it is gone).</summary>
    private static async Task<bool> TryReplaceAsync<T>(Container container, T item, string id, PartitionKey partitionKey, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await container.ReplaceItemAsync(item, id, partitionKey, new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<List<T>> QueryAsync<T>(Container container, QueryDefinition query, string partitionKey, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partitionKey) });
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static InvalidOperationException Changed(string action) =>
        new($"The claims file record changed while the file was being {action} (another attempt at the same content?); this attempt stops here.");

    private static InvalidOperationException Contention(string what) =>
        new($"The {what} kept changing under concurrent writers; giving up after {MaxConflictRounds} rounds.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Claims file {FileHash}: quarantined; {Deleted} staged items deleted from {Members} member partitions.")]
    private static partial void LogQuarantineCleaned(ILogger logger, string fileHash, int deleted, int members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claims file {FileHash}: quarantined; deleting its staged items failed with status {Status} (they stay invisible).")]
    private static partial void LogQuarantineCleanupFailed(ILogger logger, string fileHash, int status, Exception exception);

    /// <summary>What staging one claim id found: members to re-analyse, the batch's own members, and other files still
    /// staging versions of the claim (with their attempts).</summary>
    private sealed record StagedClaim(IReadOnlyCollection<string> Touched, IReadOnlyCollection<string> OwnMembers, IReadOnlyCollection<(string Hash, int Attempt)> StagingOthers);

    /// <summary>The id of an item (query projection).</summary>
    internal sealed record ItemId(string Id);

    /// <summary>File states looked up during one call, shared by its concurrent tasks.</summary>
    private sealed class FileStates(CosmosClaimsStore store)
    {
        private readonly ConcurrentDictionary<string, Lazy<Task<FileState?>>> _states = new(StringComparer.Ordinal);

        public Task<FileState?> GetAsync(string contentHash, CancellationToken cancellationToken) =>
            _states.GetOrAdd(contentHash, hash => new Lazy<Task<FileState?>>(() => store.LoadStateAsync(hash, cancellationToken))).Value;
    }
}
