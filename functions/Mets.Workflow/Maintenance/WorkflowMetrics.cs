using System.Diagnostics.Metrics;

namespace Mets.Workflow.Maintenance;

/// <summary>
/// The workflow's metrics (meter <see cref="MeterName"/>): counts only, never member data. From the host's
/// <see cref="IMeterFactory"/> when it has one (every .NET host does), else a meter of its own.
/// </summary>
public sealed class WorkflowMetrics : IDisposable
{
    public const string MeterName = "Mets.Workflow";

    /// <summary>Engagements the repair sweep restarted.</summary>
    public const string RepairRestartedName = "mets.workflow.repair.restarted";

    /// <summary>Engagements the repair sweep gave up on (the attempt cap was reached at one step).</summary>
    public const string RepairGaveUpName = "mets.workflow.repair.gave_up";

    /// <summary>Orchestration instances whose history the purge removed.</summary>
    public const string HistoryPurgedName = "mets.workflow.history.purged_instances";

    /// <summary>Timeline heads anchored (docs/reliability.md, "Tamper-evident audit").</summary>
    public const string AnchorsWrittenName = "mets.audit.anchors.written";

    /// <summary>Anchor writes that failed after a save (the anchor sweep writes them later).</summary>
    public const string AnchorFailedName = "mets.audit.anchors.failed";

    /// <summary>Timelines the anchor sweep found tampered with (not anchored; verify them with GET /api/engagements/{id}/audit).</summary>
    public const string TimelineTamperedName = "mets.audit.timelines.tampered";

    private readonly Meter? _ownMeter;

    public WorkflowMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(MeterName) ?? (_ownMeter = new Meter(MeterName));
        RepairRestarted = meter.CreateCounter<long>(RepairRestartedName, "{engagement}", "Engagements whose missing, failed or terminated instance the repair sweep restarted.");
        RepairGaveUp = meter.CreateCounter<long>(RepairGaveUpName, "{engagement}", "Engagements the repair sweep gave up on after the configured number of attempts at one step.");
        HistoryPurged = meter.CreateCounter<long>(HistoryPurgedName, "{instance}", "Orchestration instances of long-closed engagements whose history was purged.");
        AnchorsWritten = meter.CreateCounter<long>(AnchorsWrittenName, "{anchor}", "Timeline chain heads anchored in the audit anchor store.");
        AnchorFailed = meter.CreateCounter<long>(AnchorFailedName, "{anchor}", "Timeline chain heads that could not be anchored after a save (the anchor sweep anchors them later).");
        TimelineTampered = meter.CreateCounter<long>(TimelineTamperedName, "{engagement}", "Engagement timelines the anchor sweep found edited, deleted, inserted or rewritten.");
    }

    public Counter<long> RepairRestarted { get; }

    public Counter<long> RepairGaveUp { get; }

    public Counter<long> HistoryPurged { get; }

    public Counter<long> AnchorsWritten { get; }

    public Counter<long> AnchorFailed { get; }

    public Counter<long> TimelineTampered { get; }

    public void Dispose() => _ownMeter?.Dispose();
}
