using Mets.Domain.Assessments;

namespace Mets.Domain.Risk;

/// <summary>
/// The METS risk tier rule.
/// High: safety risk, PHQ-9 20 or more, an urgent referral, or claims show a BH inpatient stay or
/// two or more BH ED visits in the last six months.
/// Moderate: PHQ-9 10-19, GAD-7 10 or more, a positive AUDIT-C, any social need, any open care gap,
/// or medication nonadherence (assessment barrier or claims).
/// Low otherwise.
/// </summary>
public static class RiskTierRule
{
    public const int Phq9HighThreshold = 20;
    public const int Phq9ModerateThreshold = 10;
    public const int Gad7ModerateThreshold = 10;
    public const int EdVisitsHighThreshold = 2;

    public static RiskTierDecision Evaluate(RiskFactors factors)
    {
        ArgumentNullException.ThrowIfNull(factors);
        if (factors.BehavioralHealthInpatientStays < 0 || factors.BehavioralHealthEdVisits < 0 || factors.OpenCareGaps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factors), "Claims counts and open care gaps cannot be negative.");
        }

        var scores = factors.Scores;
        var high = new List<RiskReason>();
        if (scores?.HasSafetyRisk == true)
        {
            high.Add(RiskReason.SafetyRisk);
        }

        if (scores?.Phq9 is { Total: >= Phq9HighThreshold })
        {
            high.Add(RiskReason.Phq9Severe);
        }

        if (factors.UrgentReferral)
        {
            high.Add(RiskReason.UrgentReferral);
        }

        if (factors.BehavioralHealthInpatientStays > 0)
        {
            high.Add(RiskReason.BehavioralHealthInpatientStay);
        }

        if (factors.BehavioralHealthEdVisits >= EdVisitsHighThreshold)
        {
            high.Add(RiskReason.RepeatedBehavioralHealthEdVisits);
        }

        var moderate = new List<RiskReason>();
        if (scores?.Phq9 is { Total: >= Phq9ModerateThreshold and < Phq9HighThreshold })
        {
            moderate.Add(RiskReason.Phq9Moderate);
        }

        if (scores?.Gad7 is { Total: >= Gad7ModerateThreshold })
        {
            moderate.Add(RiskReason.Gad7Positive);
        }

        if (scores?.AuditC is { IsPositive: true })
        {
            moderate.Add(RiskReason.AuditCPositive);
        }

        if (scores is { SocialNeeds.Count: > 0 })
        {
            moderate.Add(RiskReason.SocialNeed);
        }

        if (factors.OpenCareGaps > 0)
        {
            moderate.Add(RiskReason.OpenCareGap);
        }

        if (factors.MedicationNonadherentInClaims || scores?.Barriers.Contains(ProgramBarrier.MedicationNonadherence) == true)
        {
            moderate.Add(RiskReason.MedicationNonadherence);
        }

        var tier = high.Count > 0 ? RiskTier.High : moderate.Count > 0 ? RiskTier.Moderate : RiskTier.Low;
        return new RiskTierDecision(tier, [.. high, .. moderate]);
    }
}
