using Mets.Domain.Engagements;

namespace Mets.Workflow.Reports;

/// <summary>
/// Every engagement, open or closed, for reporting (port). The SQLite case store implements it with one query of its
/// cases table; the Cosmos DB case store with a read of its cases container (docs/cosmos.md, "Outcome reporting
/// reads"). Off the hot path: reports run rarely.
/// </summary>
public interface IEngagementHistory
{
    /// <summary>
    /// The engagements that started (their first referral was received) from <paramref name="from"/> up to, not
    /// including, <paramref name="toExclusive"/>, with their timelines, in engagement id order.
    /// </summary>
    Task<IReadOnlyList<EngagementCase>> ListStartedAsync(DateTimeOffset from, DateTimeOffset toExclusive, CancellationToken cancellationToken = default);
}
