using System.Collections.Concurrent;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Utilization;

/// <summary>
/// A member's recent claims utilization as the risk tier rule needs it: BH inpatient stays and BH
/// ED visits in the six months before <c>asOf</c> (<see cref="Mets.Domain.Risk.ClaimsLookback"/>), open
/// care gaps, and claims-based medication nonadherence.
/// </summary>
public sealed record RecentUtilization(int BehavioralHealthInpatientStays, int BehavioralHealthEdVisits, int OpenCareGaps, bool MedicationNonadherent)
{
    public static RecentUtilization None { get; } = new(0, 0, 0, false);
}

/// <summary>
/// Port to the claims analytics (Mets.Claims' store will be adapted to it). Until then the workflow
/// ships <see cref="InMemoryMemberUtilization"/>.
/// </summary>
public interface IMemberUtilization
{
    Task<RecentUtilization> GetRecentAsync(MemberId member, DateOnly asOf, CancellationToken cancellationToken = default);
}

/// <summary>In-memory utilization for tests and for running without claims: unknown members have none.</summary>
public sealed class InMemoryMemberUtilization : IMemberUtilization
{
    private readonly ConcurrentDictionary<MemberId, RecentUtilization> _byMember = new();

    public void Set(MemberId member, RecentUtilization utilization) => _byMember[member] = utilization;

    public Task<RecentUtilization> GetRecentAsync(MemberId member, DateOnly asOf, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byMember.TryGetValue(member, out var found) ? found : RecentUtilization.None);
}
