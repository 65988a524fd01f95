using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Audit;

/// <summary>
/// Where timeline chain heads are anchored (port; docs/reliability.md, "Tamper-evident audit"): somewhere the
/// application can add to but not rewrite. Locally an append-only file under the data folder
/// (<see cref="Adapters.AnchorFile.FileAuditAnchorStore"/>); on Azure blobs in a container under a WORM immutability
/// policy (Mets.Azure's BlobAuditAnchorStore).
/// </summary>
public interface IAuditAnchorStore
{
    /// <summary>
    /// Records <paramref name="anchor"/>; nothing recorded before is changed or removed. Recording the same engagement
    /// and entry count again keeps what was recorded first (the file keeps both lines); verification compares every anchor.
    /// </summary>
    Task AppendAsync(TimelineAnchor anchor, CancellationToken cancellationToken = default);

    /// <summary>Every anchor recorded for the engagement, fewest entries first.</summary>
    Task<IReadOnlyList<TimelineAnchor>> ReadAsync(EngagementId engagementId, CancellationToken cancellationToken = default);
}
