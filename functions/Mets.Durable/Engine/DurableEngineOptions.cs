using System.ComponentModel.DataAnnotations;

namespace Mets.Durable.Engine;

/// <summary>Settings of the embedded engine.</summary>
public sealed class DurableEngineOptions
{
    public const string SectionName = "Mets:Durable";

    /// <summary>Activities run at most this many at a time.</summary>
    [Range(1, 256)]
    public int MaxConcurrentActivities { get; set; } = 8;

    /// <summary>
    /// Running orchestrations kept in memory between episodes (their code suspended at its awaits), so the next episode
    /// applies only its new events instead of replaying the history; least recently used first out beyond this many.
    /// Zero: every episode replays. The history stays the only durable state: after a restart, an eviction or a failed
    /// commit the orchestration replays as before. Local host setting <c>Mets:Durable:OrchestrationsKeptInMemory</c>.
    /// </summary>
    [Range(0, 1_000_000)]
    public int OrchestrationsKeptInMemory { get; set; } = 1_000;

    /// <summary>How long a loop of the engine (dispatcher, activities, timers) waits after a failed store call before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryAfterStoreFailure { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Instances fetched per dispatcher round.</summary>
    [Range(1, 10_000)]
    public int OrchestrationBatchSize { get; set; } = 64;

    /// <summary>Pending activities fetched per store call; they start as activity slots free.</summary>
    [Range(1, 10_000)]
    public int ActivityFetchBatchSize { get; set; } = 64;

    /// <summary>
    /// While the host serves foreground calls (<see cref="ForegroundWork"/>), the orchestration dispatcher waits this long
    /// between rounds (less when the foreground goes idle) and activities run one at a time. Zero turns the yielding off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan ForegroundPause { get; set; } = TimeSpan.FromMilliseconds(20);
}
