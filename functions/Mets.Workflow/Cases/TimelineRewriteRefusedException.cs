using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Cases;

/// <summary>
/// A case store refused a save that would change, remove or reorder timeline entries it holds, or append an entry that
/// is not sealed into the chain (<see cref="TimelineChain.CheckAppend"/>): the timeline is append-only. Nothing was
/// written. The message names the engagement and positions only.
/// </summary>
public sealed class TimelineRewriteRefusedException : InvalidOperationException
{
    public TimelineRewriteRefusedException()
    {
    }

    public TimelineRewriteRefusedException(string message)
        : base(message)
    {
    }

    public TimelineRewriteRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TimelineRewriteRefusedException(EngagementId engagementId, TimelineFinding finding)
        : base($"Engagement {engagementId}: the save was refused, the timeline is append-only ({finding?.Kind} at entry {finding?.Position}). {finding?.Reason}")
    {
        EngagementId = engagementId;
        Finding = finding;
    }

    public EngagementId? EngagementId { get; }

    public TimelineFinding? Finding { get; }

    /// <summary>
    /// Throws when <paramref name="updated"/> does not only append to the stored timeline (<paramref name="storedCount"/>
    /// entries, head <paramref name="storedHead"/>). <paramref name="verified"/>: the timeline of a case this process saved
    /// (found intact by that save), whose entries need not be hashed again when <paramref name="updated"/> starts with them
    /// (<see cref="TimelineChain.CheckAppend(Mets.Domain.Identifiers.EngagementId, int, string, IReadOnlyList{TimelineEntry}, IReadOnlyList{TimelineEntry})"/>).
    /// </summary>
    public static void ThrowUnlessAppendOnly(EngagementCase updated, int storedCount, string storedHead, IReadOnlyList<TimelineEntry>? verified = null)
    {
        ArgumentNullException.ThrowIfNull(updated);
        if (TimelineChain.CheckAppend(updated.Id, storedCount, storedHead, updated.Timeline, verified) is { } finding)
        {
            throw new TimelineRewriteRefusedException(updated.Id, finding);
        }
    }
}
