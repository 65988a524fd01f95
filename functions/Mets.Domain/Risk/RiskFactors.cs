using Mets.Domain.Assessments;

namespace Mets.Domain.Risk;

/// <summary>
/// Everything the risk tier rule looks at.
/// </summary>
/// <param name="Scores">The latest assessment scores, if any.</param>
/// <param name="UrgentReferral">Any referral on the engagement was urgent.</param>
/// <param name="BehavioralHealthInpatientStays">BH inpatient stays in claims in the six months before evaluation (see <see cref="ClaimsLookback"/>).</param>
/// <param name="BehavioralHealthEdVisits">BH emergency-department visits in claims in the same six months.</param>
/// <param name="OpenCareGaps">Care gaps currently open for the member.</param>
/// <param name="MedicationNonadherentInClaims">Claims show nonadherence (e.g. PDC below 80%); the assessment barrier counts too.</param>
public sealed record RiskFactors(
    AssessmentScores? Scores,
    bool UrgentReferral,
    int BehavioralHealthInpatientStays,
    int BehavioralHealthEdVisits,
    int OpenCareGaps,
    bool MedicationNonadherentInClaims);

/// <summary>The tier and every reason that applied (high reasons first).</summary>
public sealed record RiskTierDecision(RiskTier Tier, IReadOnlyList<RiskReason> Reasons);

/// <summary>The six-month claims look-back used by the risk tier rule.</summary>
public static class ClaimsLookback
{
    public const int Months = 6;

    /// <summary>True when <paramref name="serviceDate"/> falls after <paramref name="asOf"/> minus six calendar months and on or before <paramref name="asOf"/>.</summary>
    public static bool IsWithin(DateOnly serviceDate, DateOnly asOf) =>
        serviceDate <= asOf && serviceDate > asOf.AddMonths(-Months);

    public static int CountWithin(IEnumerable<DateOnly> serviceDates, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(serviceDates);
        return serviceDates.Count(d => IsWithin(d, asOf));
    }
}
