using System.ComponentModel.DataAnnotations;

namespace Mets.Durable.Engine;

/// <summary>Settings of the embedded engine.</summary>
public sealed class DurableEngineOptions
{
    public const string SectionName = "Mets:Durable";

    /// <summary>Activities run at most this many at a time.</summary>
    [Range(1, 256)]
    public int MaxConcurrentActivities { get; set; } = 8;

    /// <summary>Instances fetched per dispatcher round.</summary>
    [Range(1, 10_000)]
    public int OrchestrationBatchSize { get; set; } = 64;

    /// <summary>Pending activities fetched per store call; they start as activity slots free.</summary>
    [Range(1, 10_000)]
    public int ActivityFetchBatchSize { get; set; } = 64;
}
