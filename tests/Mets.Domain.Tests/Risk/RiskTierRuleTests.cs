using Mets.Domain.Assessments;
using Mets.Domain.Risk;
using Mets.Domain.Tests.Assessments;

namespace Mets.Domain.Tests.Risk;

public class RiskTierRuleTests
{
    private static readonly RiskFactors Nothing = new(null, false, 0, 0, 0, false);

    private static AssessmentScores Scores(int phq9 = 0, int gad7 = 0, AuditC? auditC = null, CssrsRisk cssrs = CssrsRisk.None,
        SocialNeedDomain[]? needs = null, ProgramBarrier[]? barriers = null) =>
        new(new Phq9(InstrumentTests.Spread(phq9, 8, 3).Append(0).ToArray()), new Gad7(InstrumentTests.Spread(gad7, 7, 3)), auditC,
            InstrumentTests.Screener(cssrs), needs, barriers);

    [Fact]
    public void Evaluate_NothingKnown_Low()
    {
        var decision = RiskTierRule.Evaluate(Nothing);

        Assert.Equal(RiskTier.Low, decision.Tier);
        Assert.Empty(decision.Reasons);
    }

    [Fact]
    public void Evaluate_AllBelowThresholds_Low()
    {
        var decision = RiskTierRule.Evaluate(Nothing with
        {
            Scores = Scores(phq9: 9, gad7: 9, auditC: new AuditC([1, 1, 1], AuditCSex.Male), cssrs: CssrsRisk.Low,
                barriers: [ProgramBarrier.MismatchedTreatmentGoals]),
            BehavioralHealthEdVisits = 1,
        });

        Assert.Equal(RiskTier.Low, decision.Tier);
    }

    [Fact]
    public void Evaluate_Phq9Item9Positive_HighForSafety()
    {
        var scores = new AssessmentScores(new Phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]), null, null, null, null, null);

        AssertTier(Nothing with { Scores = scores }, RiskTier.High, RiskReason.SafetyRisk);
    }

    [Theory]
    [InlineData(CssrsRisk.Moderate)]
    [InlineData(CssrsRisk.High)]
    public void Evaluate_CssrsModerateOrHigh_HighForSafety(CssrsRisk cssrs) =>
        AssertTier(Nothing with { Scores = Scores(cssrs: cssrs) }, RiskTier.High, RiskReason.SafetyRisk);

    [Fact]
    public void Evaluate_Phq9Twenty_High() =>
        AssertTier(Nothing with { Scores = Scores(phq9: 20) }, RiskTier.High, RiskReason.Phq9Severe);

    [Fact]
    public void Evaluate_UrgentReferral_High() =>
        AssertTier(Nothing with { UrgentReferral = true }, RiskTier.High, RiskReason.UrgentReferral);

    [Fact]
    public void Evaluate_OneInpatientStay_High() =>
        AssertTier(Nothing with { BehavioralHealthInpatientStays = 1 }, RiskTier.High, RiskReason.BehavioralHealthInpatientStay);

    [Fact]
    public void Evaluate_TwoEdVisits_High() =>
        AssertTier(Nothing with { BehavioralHealthEdVisits = 2 }, RiskTier.High, RiskReason.RepeatedBehavioralHealthEdVisits);

    [Theory]
    [InlineData(10)]
    [InlineData(19)]
    public void Evaluate_Phq9TenToNineteen_Moderate(int phq9) =>
        AssertTier(Nothing with { Scores = Scores(phq9: phq9) }, RiskTier.Moderate, RiskReason.Phq9Moderate);

    [Fact]
    public void Evaluate_Gad7Ten_Moderate() =>
        AssertTier(Nothing with { Scores = Scores(gad7: 10) }, RiskTier.Moderate, RiskReason.Gad7Positive);

    [Fact]
    public void Evaluate_AuditCPositiveFemaleAtThree_Moderate() =>
        AssertTier(Nothing with { Scores = Scores(auditC: new AuditC([1, 1, 1], AuditCSex.Female)) }, RiskTier.Moderate, RiskReason.AuditCPositive);

    [Fact]
    public void Evaluate_AnySocialNeed_Moderate() =>
        AssertTier(Nothing with { Scores = Scores(needs: [SocialNeedDomain.Transportation]) }, RiskTier.Moderate, RiskReason.SocialNeed);

    [Fact]
    public void Evaluate_OpenCareGap_Moderate() =>
        AssertTier(Nothing with { OpenCareGaps = 1 }, RiskTier.Moderate, RiskReason.OpenCareGap);

    [Fact]
    public void Evaluate_NonadherenceBarrier_Moderate() =>
        AssertTier(Nothing with { Scores = Scores(barriers: [ProgramBarrier.MedicationNonadherence]) }, RiskTier.Moderate, RiskReason.MedicationNonadherence);

    [Fact]
    public void Evaluate_NonadherenceInClaims_Moderate() =>
        AssertTier(Nothing with { MedicationNonadherentInClaims = true }, RiskTier.Moderate, RiskReason.MedicationNonadherence);

    [Fact]
    public void Evaluate_HighAndModerateReasons_HighListsBothHighFirst()
    {
        var decision = RiskTierRule.Evaluate(Nothing with { UrgentReferral = true, OpenCareGaps = 2 });

        Assert.Equal(RiskTier.High, decision.Tier);
        Assert.Equal([RiskReason.UrgentReferral, RiskReason.OpenCareGap], decision.Reasons);
    }

    [Fact]
    public void Evaluate_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskTierRule.Evaluate(Nothing with { OpenCareGaps = -1 }));
    }

    [Theory]
    [InlineData("2026-05-23", true)]   // six months before, minus a day: just inside
    [InlineData("2026-05-22", false)]  // exactly six months before: outside
    [InlineData("2026-11-22", true)]
    [InlineData("2026-11-23", false)]  // after the as-of date
    public void ClaimsLookback_SixCalendarMonths(string date, bool inside)
    {
        Assert.Equal(inside, ClaimsLookback.IsWithin(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), new DateOnly(2026, 11, 22)));
    }

    private static void AssertTier(RiskFactors factors, RiskTier tier, RiskReason reason)
    {
        var decision = RiskTierRule.Evaluate(factors);

        Assert.Equal(tier, decision.Tier);
        Assert.Equal([reason], decision.Reasons);
    }
}
