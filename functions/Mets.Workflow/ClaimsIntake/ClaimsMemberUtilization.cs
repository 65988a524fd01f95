using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Domain.Identifiers;
using Mets.Workflow.Utilization;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>The risk tier's view of a member's claims, read from the claims store.</summary>
public sealed class ClaimsMemberUtilization(MemberClaimsQuery claims, ClaimsMemberIds memberIds) : IMemberUtilization
{
    public async Task<RecentUtilization> GetRecentAsync(MemberId member, DateOnly asOf, CancellationToken cancellationToken = default)
    {
        var claimsMemberId = memberIds.ToClaimsMemberId(member);
        var utilization = await claims.GetRecentBhUtilizationAsync(claimsMemberId, cancellationToken);
        var openGaps = await claims.GetOpenCareGapsAsync(claimsMemberId, cancellationToken);
        return new RecentUtilization(
            utilization.BhInpatientStays,
            utilization.BhEmergencyVisits,
            openGaps.Count,
            openGaps.Any(g => g.Measure is CareGapMeasure.AntipsychoticAdherence or CareGapMeasure.AntidepressantAcutePhase or CareGapMeasure.AntidepressantContinuationPhase));
    }
}
