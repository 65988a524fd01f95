using System.Text.Json;
using Mets.Claims;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>
/// The report an inbox writes beside a claims file it moves to quarantine (<c>{name}.report.json</c>): one shape for
/// the local folder inbox and the blob inbox. It carries the content hash, counts, reason and reject entries (which
/// never hold values from the file), never the file's name or content.
/// </summary>
public static class ClaimsFileReports
{
    /// <summary>How reports are written: web defaults (camelCase names), indented.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>True when the file goes to quarantine: refused whole now, or earlier (the same content sent again).</summary>
    public static bool IsQuarantined(ClaimsFileResult file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Outcome == ClaimsFileOutcome.Quarantined || file.StoredStatus == ClaimsFileStatus.Quarantined;
    }

    /// <summary>The report of a file refused whole.</summary>
    public static QuarantinedClaimsFileReport Quarantined(ClaimsFileResult file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new(file.ContentHash, file.QuarantineReason, file.ClaimsApplied, file.Counts, file.Rejects, file.Warnings, file.Acknowledgment?.ToString());
    }

    /// <summary>The report of a file whose processing failed: the exception's type only (its message may hold values).</summary>
    public static ClaimsProcessingFailedReport Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new("Processing failed (" + exception.GetType().Name + "); see the host log.");
    }
}

/// <summary>A file refused whole: <see cref="ClaimsApplied"/> is 0 (nothing of it reached the store), the counts say how
/// many claims passed their own edits; <see cref="Acknowledgment"/> sums up the TA1/999 written beside it (kind, code,
/// control number), null for a file without one.</summary>
public sealed record QuarantinedClaimsFileReport(
    string Id,
    string? Reason,
    int ClaimsApplied,
    ClaimsFileCounts Counts,
    IReadOnlyList<RejectEntry> Rejects,
    IReadOnlyList<RejectEntry> Warnings,
    string? Acknowledgment);

/// <summary>A file whose processing failed (moved to quarantine so that one bad file does not stop the inbox).</summary>
public sealed record ClaimsProcessingFailedReport(string Error);
