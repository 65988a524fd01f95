using Mets.Domain.Identifiers;

namespace Mets.Workflow.Cases;

/// <summary>
/// A case store counts timeline entries it cannot find (the Cosmos store keeps earlier entries as items of their own: one
/// was removed, or is not readable yet). The message names the engagement and positions only.
/// </summary>
public sealed class TimelineIncompleteException : InvalidOperationException
{
    public TimelineIncompleteException()
    {
    }

    public TimelineIncompleteException(string message)
        : base(message)
    {
    }

    public TimelineIncompleteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TimelineIncompleteException(EngagementId engagementId, int entries, int firstMissingPosition, int missing)
        : base($"Engagement {engagementId}: {missing} of its {entries} timeline entries are not readable (the first is entry {firstMissingPosition}); read the case again.")
    {
        EngagementId = engagementId;
        Entries = entries;
        FirstMissingPosition = firstMissingPosition;
        Missing = missing;
    }

    public EngagementId? EngagementId { get; }

    /// <summary>Entries the store counts.</summary>
    public int Entries { get; }

    /// <summary>The first position (1-based) without an entry.</summary>
    public int FirstMissingPosition { get; }

    public int Missing { get; }
}
