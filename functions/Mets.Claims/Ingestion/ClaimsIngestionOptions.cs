using System.ComponentModel.DataAnnotations;

namespace Mets.Claims.Ingestion;

/// <summary>Settings of claims file ingest (section "Claims:Ingestion").</summary>
public sealed class ClaimsIngestionOptions
{
    public const string SectionName = "Claims:Ingestion";

    /// <summary>A file whose rejected-claim share exceeds this is quarantined whole (0..1).</summary>
    [Range(typeof(decimal), "0", "1")]
    public decimal MaxRejectedClaimShare { get; set; } = 0.10m;

    /// <summary>Valid claims staged per transaction.</summary>
    [Range(1, 100_000)]
    public int StageBatchSize { get; set; } = 2_000;

    /// <summary>Progress goes to the log and the file's status record at least every this many rows.</summary>
    [Range(1, 10_000_000)]
    public int ProgressEveryRows { get; set; } = 100_000;

    /// <summary>Reject and warning entries kept in the report (the counts keep counting past it).</summary>
    [Range(1, 1_000_000)]
    public int MaxReportEntries { get; set; } = 1_000;

    /// <summary>Member analyses written per transaction.</summary>
    [Range(1, 100_000)]
    public int AnalysisBatchSize { get; set; } = 500;
}

/// <summary>Settings of the SQLite claims store (section "Claims:Store").</summary>
public sealed class ClaimsStoreOptions
{
    public const string SectionName = "Claims:Store";

    /// <summary>Path of the SQLite database file.</summary>
    [Required]
    public string DatabasePath { get; set; } = string.Empty;
}
