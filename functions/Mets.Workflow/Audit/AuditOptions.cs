using System.ComponentModel.DataAnnotations;

namespace Mets.Workflow.Audit;

/// <summary>When timeline heads are anchored (docs/reliability.md, "Tamper-evident audit"), bound from <see cref="SectionName"/>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Mets:Audit";

    /// <summary>
    /// A save anchors the timeline's head when it takes the timeline past a multiple of this many entries (and every save
    /// of a closed engagement does). 1 anchors every save that adds entries.
    /// </summary>
    [Range(1, 1000, ErrorMessage = SectionName + ":AnchorEveryEntries must be between {1} and {2}.")]
    public int AnchorEveryEntries { get; set; } = 10;

    /// <summary>
    /// How often the local host's anchor sweep (<see cref="Maintenance.TimelineAnchorSweep"/>) runs after the one at start;
    /// the function app runs it on its timer's schedule instead (<c>Mets:Audit:AnchorSweepSchedule</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = SectionName + ":AnchorSweepInterval must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan AnchorSweepInterval { get; set; } = TimeSpan.FromDays(1);
}
