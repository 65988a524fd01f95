using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Maintenance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Audit;

/// <summary>
/// Anchors an engagement's timeline head after a save (docs/reliability.md, "Tamper-evident audit"): when the save took
/// the timeline past a multiple of <see cref="AuditOptions.AnchorEveryEntries"/> entries, and on every save of a closed
/// engagement (the closure, then the closure-summary notes). A failed anchor write never fails the save's activity (the
/// case is saved already; a retry would find its change applied and anchor nothing): it is logged with the
/// <see cref="WorkflowMetrics.AnchorFailedName"/> metric, and the next due save or the anchor sweep
/// (<see cref="TimelineAnchorSweep"/>) anchors the head.
/// </summary>
public sealed partial class TimelineAnchoring(IAuditAnchorStore anchors, IOptions<AuditOptions> options, TimeProvider clock, WorkflowMetrics metrics, ILogger<TimelineAnchoring> logger)
{
    /// <summary>Whether a save that took the timeline from <paramref name="entriesBefore"/> entries to <paramref name="saved"/>'s anchors its head.</summary>
    public static bool IsDue(int entriesBefore, EngagementCase saved, int anchorEveryEntries)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentOutOfRangeException.ThrowIfLessThan(anchorEveryEntries, 1);
        var after = saved.Timeline.Count;
        return after > entriesBefore && (saved.Status == EngagementStatus.Closed || entriesBefore / anchorEveryEntries < after / anchorEveryEntries);
    }

    /// <summary>The anchor of <paramref name="current"/>'s timeline as it is now.</summary>
    public TimelineAnchor AnchorOf(EngagementCase current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new TimelineAnchor(current.Id, current.Timeline.Count, TimelineChain.Head(current.Id, current.Timeline), clock.GetUtcNow());
    }

    /// <summary>After a save that took the timeline from <paramref name="entriesBefore"/> entries to <paramref name="saved"/>'s: anchors its head when due.</summary>
    public async Task AfterSaveAsync(int entriesBefore, EngagementCase saved, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (!IsDue(entriesBefore, saved, options.Value.AnchorEveryEntries))
        {
            return;
        }

        var anchor = AnchorOf(saved);
        try
        {
            await anchors.AppendAsync(anchor, cancellationToken);
            metrics.AnchorsWritten.Add(1);
            LogAnchored(saved.Id, anchor.EntryCount);
        }
#pragma warning disable CA1031 // any failure of the anchor store is logged and left to the sweep: the save stands.
        catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            metrics.AnchorFailed.Add(1);
            LogAnchorFailed(exception, saved.Id, anchor.EntryCount);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Engagement {EngagementId}: timeline head anchored at {Entries} entries")]
    private partial void LogAnchored(EngagementId engagementId, int entries);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Engagement {EngagementId}: the timeline head at {Entries} entries was not anchored; the anchor sweep will")]
    private partial void LogAnchorFailed(Exception exception, EngagementId engagementId, int entries);
}
