using Mets.Claims.Acknowledgments;
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

/// <summary>The result of <see cref="ClaimsFileIngestor.IngestAsync"/>. <see cref="Acknowledgment"/> answers an X12
/// file (TA1 or 999; null for CSV files and for a file whose first ISA could not be found); write it beside the
/// processed or quarantined file as <c>{file}{Acknowledgment.FileExtension}</c>.</summary>
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
    IReadOnlyList<ClaimsTrigger> Triggers,
    ClaimsAcknowledgment? Acknowledgment = null)
{
    /// <summary>Claims applied to the store: 0 for a quarantined file (its <see cref="ClaimsFileCounts.ClaimsAccepted"/>
    /// counts the claims that passed their own edits, but nothing of the file is applied).</summary>
    public int ClaimsApplied => StoredStatus is ClaimsFileStatus.Committed or ClaimsFileStatus.Processed ? Counts.ClaimsAccepted : 0;
}
