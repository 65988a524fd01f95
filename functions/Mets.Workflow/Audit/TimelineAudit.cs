using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;

namespace Mets.Workflow.Audit;

/// <summary>
/// The verification routine (docs/reliability.md, "Tamper-evident audit"): recomputes an engagement's timeline chain and
/// compares it with the hashes its entries carry and with every anchor recorded for it (<see cref="TimelineChain.Verify"/>).
/// Read-only: it never writes a case or an anchor.
/// </summary>
public sealed class TimelineAudit(ICaseStore cases, IAuditAnchorStore anchors)
{
    /// <summary>The verification of the engagement's timeline, or null when there is no such engagement.</summary>
    public async Task<TimelineVerification?> VerifyAsync(EngagementId engagementId, CancellationToken cancellationToken = default)
    {
        EngagementCase? found;
        try
        {
            found = await cases.GetAsync(engagementId, cancellationToken);
        }
        catch (TimelineIncompleteException incomplete)
        {
            // The store counts entries it no longer holds (Cosmos: timeline items removed).
            var recorded = await anchors.ReadAsync(engagementId, cancellationToken);
            return new TimelineVerification(engagementId, incomplete.Entries, 0, 0, recorded.MaxBy(a => a.EntryCount),
                new TimelineFinding(TimelineFindingKind.Deleted, incomplete.FirstMissingPosition,
                    $"The store counts {incomplete.Entries} entries but holds no entry {incomplete.FirstMissingPosition} ({incomplete.Missing} missing)."));
        }

        return found is null ? null : TimelineChain.Verify(engagementId, found.Timeline, await anchors.ReadAsync(engagementId, cancellationToken));
    }
}
