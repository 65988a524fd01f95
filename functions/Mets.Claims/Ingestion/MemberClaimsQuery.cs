using Mets.Claims.Analytics;
using Mets.Claims.Storage;

namespace Mets.Claims.Ingestion;

/// <summary>Reads for the workflow: a member's open care gaps and recent BH utilization (BH inpatient
/// stays and BH ED visits in the last ~6 months, for the risk-tier rule).</summary>
public sealed class MemberClaimsQuery(IClaimsStore store, ClaimClassifier classifier, MemberAnalyzer analyzer, TimeProvider time)
{
    /// <summary>Gaps that are open (closing windows still running and missed ones), with evidence.</summary>
    public async Task<IReadOnlyList<CareGap>> GetOpenCareGapsAsync(string memberId, CancellationToken cancellationToken)
    {
        var gaps = await store.GetCareGapsAsync(memberId, cancellationToken);
        return gaps.Where(g => g.Status == CareGapStatus.Open).OrderBy(g => g.WindowEnd).ToList();
    }

    /// <summary>BH inpatient stays, BH ED visits and outpatient BH visit days over the configured
    /// look-back (183 days by default) ending today.</summary>
    public async Task<MemberBhUtilization> GetRecentBhUtilizationAsync(string memberId, CancellationToken cancellationToken)
    {
        var snapshot = await store.GetMemberAsync(memberId, null, cancellationToken);
        var classified = snapshot.CurrentClaims.Select(classifier.Classify).ToList();
        return analyzer.Utilization(memberId, classified, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
    }

    public Task<IReadOnlyList<MemberMonth>> GetMemberMonthsAsync(string memberId, CancellationToken cancellationToken) =>
        store.GetMemberMonthsAsync(memberId, cancellationToken);
}
