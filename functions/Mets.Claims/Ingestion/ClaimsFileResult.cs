using Mets.Claims.Storage;

namespace Mets.Claims.Ingestion;

/// <summary>How an ingest ended.</summary>
public enum ClaimsFileOutcome
{
    /// <summary>Read, valid claims committed, analytics run.</summary>
    Processed,

    /// <summary>The same content was ingested before; nothing was done again. The result repeats the
    /// first run's counts, report and triggers (trigger ids are the same, so consumers can de-duplicate).</summary>
    Duplicate,

    /// <summary>Broken structure or too many rejected claims: nothing applied.</summary>
    Quarantined,
}

/// <summary>The result of <see cref="ClaimsFileIngestor.IngestAsync"/>.</summary>
public sealed record ClaimsFileResult(
    string ContentHash,
    string FileName,
    ClaimsFileKind Kind,
    ClaimsFileOutcome Outcome,
    ClaimsFileStatus StoredStatus,
    string? QuarantineReason,
    ClaimsFileCounts Counts,
    IReadOnlyList<RejectEntry> Rejects,
    IReadOnlyList<RejectEntry> Warnings,
    IReadOnlyList<ClaimsTrigger> Triggers);
