using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Maintenance;

/// <summary>What one anchor sweep did: open engagements looked at, heads anchored, timelines found tampered with, failures.</summary>
public sealed record AnchorSweepResult(int OpenEngagements, int Anchored, int Tampered, int Failed);

/// <summary>
/// The periodic anchor sweep (docs/reliability.md, "Tamper-evident audit"; the function app's daily timer, the local
/// host at start and every <see cref="AuditOptions.AnchorSweepInterval"/>): every open engagement whose timeline has
/// entries after its latest anchor is verified against its anchors and, when intact, its head is anchored, so no open
/// engagement's entries stay unanchored longer than one sweep interval (saves anchor every
/// <see cref="AuditOptions.AnchorEveryEntries"/> entries and at closure). A timeline that does not verify is not
/// anchored (that would cover the change): an error log (engagement id, finding kind and position only) and the
/// <see cref="WorkflowMetrics.TimelineTamperedName"/> metric. Closed engagements are not swept: their heads are anchored
/// by the saves at closure.
/// </summary>
public sealed partial class TimelineAnchorSweep(
    ICaseStore store,
    IAuditAnchorStore anchors,
    TimelineAnchoring anchoring,
    WorkflowMetrics metrics,
    ILogger<TimelineAnchorSweep> logger)
{
    public async Task<AnchorSweepResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var open = await store.ListOpenAsync(null, cancellationToken);
        int anchored = 0, tampered = 0, failed = 0;
        foreach (var listed in open)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var found = await store.GetAsync(listed.Id, cancellationToken);
                if (found is null)
                {
                    continue;
                }

                var recorded = await anchors.ReadAsync(found.Id, cancellationToken);
                var verification = TimelineChain.Verify(found.Id, found.Timeline, recorded);
                if (verification.Finding is { } finding)
                {
                    metrics.TimelineTampered.Add(1);
                    LogTampered(found.Id, finding.Kind, finding.Position);
                    tampered++;
                }
                else if (verification.UnanchoredEntries > 0)
                {
                    await anchors.AppendAsync(anchoring.AnchorOf(found), cancellationToken);
                    metrics.AnchorsWritten.Add(1);
                    anchored++;
                }
            }
            catch (TimelineIncompleteException)
            {
                metrics.TimelineTampered.Add(1);
                LogIncomplete(listed.Id);
                tampered++;
            }
#pragma warning disable CA1031 // one engagement that cannot be read or anchored does not stop the sweep; it is logged and counted.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogFailed(exception, listed.Id);
                failed++;
            }
        }

        LogSwept(open.Count, anchored, tampered, failed);
        return new AnchorSweepResult(open.Count, anchored, tampered, failed);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Engagement {EngagementId}: its timeline does not verify ({Finding} at entry {Position}); not anchored. See GET /api/engagements/{EngagementId}/audit")]
    private partial void LogTampered(EngagementId engagementId, TimelineFindingKind finding, int position);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Engagement {EngagementId}: its store counts timeline entries it does not hold; not anchored. See GET /api/engagements/{EngagementId}/audit")]
    private partial void LogIncomplete(EngagementId engagementId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Engagement {EngagementId}: the anchor sweep could not anchor its timeline")]
    private partial void LogFailed(Exception exception, EngagementId engagementId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Anchor sweep: {Open} open engagements, {Anchored} anchored, {Tampered} not verifying, {Failed} failed")]
    private partial void LogSwept(int open, int anchored, int tampered, int failed);
}
