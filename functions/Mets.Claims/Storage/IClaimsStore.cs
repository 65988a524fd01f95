using Mets.Claims.Acknowledgments;
using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;

namespace Mets.Claims.Storage;

/// <summary>What a claims file contains.</summary>
public enum ClaimsFileKind
{
    ClaimsCsv,
    EligibilityCsv,
    X12Claims,

    /// <summary>Neither X12 nor a METS claims or eligibility CSV by its content: quarantined unread.</summary>
    Unknown,
}

/// <summary>Where a file is in its ingest: staging (being read), committed (claims applied, analytics
/// pending), processed (done) or quarantined (nothing applied).</summary>
public enum ClaimsFileStatus
{
    Staging,
    Committed,
    Processed,
    Quarantined,
}

/// <summary>Progress of a long file: rows (CSV rows or X12 segments), bytes and percent of the file.</summary>
public sealed record ClaimsFileProgress(long Rows, long Bytes, long? TotalBytes)
{
    public static ClaimsFileProgress None { get; } = new(0, 0, null);

    public decimal? Percent => TotalBytes is > 0 ? Math.Round(100m * Bytes / TotalBytes.Value, 1) : null;
}

/// <summary>Counts of a file. For eligibility files a "claim" is a coverage row.</summary>
public sealed record ClaimsFileCounts(int ClaimsRead, int ClaimsAccepted, int ClaimsRejected, long LinesRead, long LinesAccepted, int Warnings)
{
    public static ClaimsFileCounts Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public decimal RejectedShare => ClaimsRead == 0 ? 0 : (decimal)ClaimsRejected / ClaimsRead;
}

/// <summary>The status record of one file, keyed by the SHA-256 of its content. <see cref="Acknowledgment"/> is
/// the TA1/999 answering an X12 file (null for CSV files, and from stores that do not keep acknowledgments:
/// see <see cref="IClaimsAcknowledgmentStore"/>).</summary>
public sealed record ClaimsFileRecord(
    string ContentHash,
    string FileName,
    ClaimsFileKind Kind,
    ClaimsFileStatus Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset UpdatedAt,
    ClaimsFileProgress Progress,
    ClaimsFileCounts Counts,
    string? QuarantineReason,
    DateOnly? AnalyzedAsOf,
    IReadOnlyList<RejectEntry> Rejects,
    IReadOnlyList<RejectEntry> Warnings,
    ClaimsAcknowledgment? Acknowledgment = null)
{
    /// <summary>Claims applied to the store: the accepted claims of a committed or processed file, 0 for any
    /// other (a quarantined file applies nothing, whatever its claims' own edits said).</summary>
    public int ClaimsApplied => Status is ClaimsFileStatus.Committed or ClaimsFileStatus.Processed ? Counts.ClaimsAccepted : 0;
}

/// <summary>What the analytics need about one member: current claims (superseded and voided versions
/// excluded), coverage spans, the gaps stored before this run, and which claims the file brought.</summary>
public sealed record MemberClaimsSnapshot(
    string MemberId,
    IReadOnlyList<Claim> CurrentClaims,
    IReadOnlyList<EligibilitySpan> Eligibility,
    IReadOnlyList<CareGap> PreviousGaps,
    IReadOnlySet<string> ClaimIdsFromFile);

/// <summary>
/// Keeps the acknowledgment (TA1 or 999) of an X12 file with the file's record, and hands out the control
/// numbers acknowledgments are sent under. A claims store that implements it shows the acknowledgment in
/// <see cref="ClaimsFileRecord.Acknowledgment"/>, and a retried or duplicate file gets the acknowledgment of its
/// first run (same control numbers); with a store that does not, the ingestor still returns an acknowledgment in
/// its result, numbered from the content hash (see docs/claims.md, "Acknowledgments").
/// </summary>
public interface IClaimsAcknowledgmentStore
{
    /// <summary>Reserves <paramref name="count"/> consecutive interchange/group control numbers (1 to 999,999,999,
    /// wrapping) and returns the first.</summary>
    Task<long> ReserveAcknowledgmentNumbersAsync(int count, CancellationToken cancellationToken);

    /// <summary>Stores the file's acknowledgment, replacing one stored before. <see cref="IClaimsStore.BeginFileAsync"/>
    /// does not clear it: a retry after a crash finds it and sends the same acknowledgment again.</summary>
    Task SaveAcknowledgmentAsync(string contentHash, ClaimsAcknowledgment acknowledgment, CancellationToken cancellationToken);
}

/// <summary>
/// The claims store port: file status records, staged-then-committed claims keyed by the file's
/// content hash, claim versions and tombstones, eligibility, member-month aggregates, care gaps and
/// trigger records. SQLite here (<see cref="Sqlite.SqliteClaimsStore"/>); Cosmos DB in Azure
/// (Mets.Azure's CosmosClaimsStore, docs/cosmos.md), where "one transaction per file" is kept by making the
/// commit a single write that flips the file record: nothing staged is visible before it.
/// </summary>
public interface IClaimsStore
{
    Task<ClaimsFileRecord?> GetFileAsync(string contentHash, CancellationToken cancellationToken);

    /// <summary>Creates the file's record in status Staging, or resets an unfinished one, discarding
    /// anything staged by an earlier (crashed) attempt.</summary>
    Task BeginFileAsync(string contentHash, string fileName, ClaimsFileKind kind, long? totalBytes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stages a batch of valid claims or coverage spans (not visible to readers) and records progress.</summary>
    Task StageAsync(string contentHash, IReadOnlyList<Claim> claims, IReadOnlyList<EligibilitySpan> eligibility, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks the file quarantined with its reason and report; staged data is discarded.</summary>
    Task QuarantineAsync(string contentHash, string reason, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Applies everything staged in one transaction (new versions, supersedes, tombstones,
    /// eligibility) and moves the file to Committed.</summary>
    Task CommitAsync(string contentHash, ClaimsFileCounts counts, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, ClaimsFileProgress progress, DateOnly analyzedAsOf, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Streams, in member order, a snapshot of every member whose claims or coverage the
    /// committed file touched (including the previous member of a replaced or voided claim). One
    /// member is materialized at a time.</summary>
    IAsyncEnumerable<MemberClaimsSnapshot> ReadMembersAffectedByAsync(string contentHash, CancellationToken cancellationToken);

    Task<MemberClaimsSnapshot> GetMemberAsync(string memberId, string? contentHash, CancellationToken cancellationToken);

    /// <summary>Replaces each member's month aggregates and gaps; records the triggers under the file (a trigger
    /// id already recorded for this file is a no-op; the same id revealed by another file is recorded under that
    /// file too, since an id names the trigger, not the file).</summary>
    Task SaveMemberAnalysesAsync(string contentHash, IReadOnlyList<MemberAnalysis> analyses, CancellationToken cancellationToken);

    Task CompleteAsync(string contentHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<ClaimsTrigger>> GetTriggersAsync(string contentHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<CareGap>> GetCareGapsAsync(string memberId, CancellationToken cancellationToken);

    Task<IReadOnlyList<MemberMonth>> GetMemberMonthsAsync(string memberId, CancellationToken cancellationToken);
}
