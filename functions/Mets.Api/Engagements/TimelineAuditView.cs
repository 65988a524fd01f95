using Mets.Domain.Engagements;

namespace Mets.Api.Engagements;

/// <summary>
/// What <c>GET /api/engagements/{id}/audit</c> answers (docs/reliability.md, "Tamper-evident audit"): whether the
/// engagement's timeline verifies against its hash chain and every anchor recorded for it, and if not, the first bad
/// entry and why. Positions and counts only: no entry content.
/// </summary>
/// <param name="EngagementId">The engagement.</param>
/// <param name="Intact">True when the chain and every anchor agree with the timeline.</param>
/// <param name="Entries">Entries in the timeline.</param>
/// <param name="LegacyEntries">Leading entries written before the chain existed (no hash of their own; the first sealed entry covers them).</param>
/// <param name="AnchorsChecked">Anchors compared with the chain.</param>
/// <param name="LatestAnchor">The anchor with the most entries, or null.</param>
/// <param name="UnanchoredEntries">Entries after the latest anchor: covered by the chain only until the next anchor.</param>
/// <param name="Finding">The first problem, or null when intact.</param>
public sealed record TimelineAuditView(
    string EngagementId,
    bool Intact,
    int Entries,
    int LegacyEntries,
    int AnchorsChecked,
    AnchorView? LatestAnchor,
    int UnanchoredEntries,
    FindingView? Finding)
{
    public static TimelineAuditView From(TimelineVerification verification)
    {
        ArgumentNullException.ThrowIfNull(verification);
        return new TimelineAuditView(
            verification.EngagementId.Value,
            verification.Intact,
            verification.Entries,
            verification.LegacyEntries,
            verification.AnchorsChecked,
            verification.LatestAnchor is { } a ? new AnchorView(a.EntryCount, a.HeadHash, a.AnchoredAt) : null,
            verification.UnanchoredEntries,
            verification.Finding is { } f ? new FindingView(f.Kind, f.Position, f.Reason) : null);
    }
}

/// <summary>A recorded chain head: the timeline had <paramref name="EntryCount"/> entries ending in <paramref name="HeadHash"/>.</summary>
public sealed record AnchorView(int EntryCount, string HeadHash, DateTimeOffset AnchoredAt);

/// <summary>The first bad entry (1-based position), what is wrong with it (edited, deleted, inserted, rewritten, broken) and why.</summary>
public sealed record FindingView(TimelineFindingKind Kind, int Position, string Reason);
