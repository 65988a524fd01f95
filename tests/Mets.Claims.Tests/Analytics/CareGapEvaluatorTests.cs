using Mets.Claims.Analytics;
using static Mets.Claims.Tests.Analytics.ClaimFactory;

namespace Mets.Claims.Tests.Analytics;

public class CareGapEvaluatorTests
{
    private readonly CareGapEvaluator _evaluator = new(new ClaimsAnalyticsOptions());

    private CareGap Gap(CareGapMeasure measure, DateOnly today, params ClassifiedClaim[] claims) =>
        Assert.Single(_evaluator.Evaluate("M1", claims, today), g => g.Measure == measure);

    [Fact]
    public void Fuh_VisitOnDischargeDate_DoesNotCloseTheGap()
    {
        var gap = Gap(CareGapMeasure.FollowUpAfterHospitalization7, D("2026-03-04"), Stay("S1", "2026-03-01", "2026-03-03", "F321"), Visit("V1", "2026-03-03", "F321"));

        Assert.Equal(CareGapStatus.Open, gap.Status);
        Assert.Equal((D("2026-03-04"), D("2026-03-10")), (gap.WindowStart, gap.WindowEnd));
        Assert.True(gap.IsActionable(D("2026-03-04")));
        Assert.Contains("icd10:F321", gap.Evidence);
    }

    [Fact]
    public void Fuh_VisitOnDaySevenAndDayTwenty_ClosesSevenAndThirtyDayGaps()
    {
        var stay = Stay("S1", "2026-03-01", "2026-03-03", "F200");

        var onDay7 = Gap(CareGapMeasure.FollowUpAfterHospitalization7, D("2026-04-30"), stay, Visit("V1", "2026-03-10", "F200"));
        var onDay20 = _evaluator.Evaluate("M1", [stay, Visit("V2", "2026-03-23", "F200")], D("2026-04-30"));

        Assert.Equal((CareGapStatus.Closed, D("2026-03-10")), (onDay7.Status, onDay7.ClosedOn));
        Assert.Equal(CareGapStatus.Open, onDay20.Single(g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7).Status);
        Assert.Equal(CareGapStatus.Closed, onDay20.Single(g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization30).Status);
    }

    [Fact]
    public void Fuh_ReadmissionWithinThirtyDays_ExcludesTheFirstDischarge()
    {
        var gaps = _evaluator.Evaluate("M1", [Stay("S1", "2026-03-01", "2026-03-03", "F200"), Stay("S2", "2026-03-10", "2026-03-15", "F200")], D("2026-03-16"));

        Assert.Equal([D("2026-03-15"), D("2026-03-15")], gaps.Where(g => g.Measure is CareGapMeasure.FollowUpAfterHospitalization7 or CareGapMeasure.FollowUpAfterHospitalization30).Select(g => g.IndexDate));
    }

    [Fact]
    public void Fuh_TwoStaysEndingTheSameDay_GiveOneGapPerMeasure()
    {
        var gaps = _evaluator.Evaluate("M1", [Stay("S1", "2026-03-01", "2026-03-03", "F200"), Stay("S2", "2026-03-02", "2026-03-03", "F332")], D("2026-03-04"));

        Assert.Single(gaps, g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);
        Assert.Equal(gaps.Count, gaps.Select(g => g.Id).Distinct().Count());
    }

    [Fact]
    public void Fuh_NonBehavioralStay_IsNotADenominatorEvent()
    {
        Assert.DoesNotContain(_evaluator.Evaluate("M1", [Stay("S1", "2026-03-01", "2026-03-03", "I219", revenue: "0120")], D("2026-03-04")),
            g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);
    }

    [Fact]
    public void Fum_SameDayVisitWithMentalHealthDiagnosis_ClosesTheGap()
    {
        var gap = Gap(CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, D("2026-03-20"), Emergency("E1", "2026-03-05", "F411"), Visit("V1", "2026-03-05", "F411", procedure: "99213", taxonomy: null));

        Assert.Equal((CareGapStatus.Closed, D("2026-03-05")), (gap.Status, gap.ClosedOn));
    }

    [Fact]
    public void Fum_OnlyTheFirstEdVisitInThirtyOneDays_Counts()
    {
        var gaps = _evaluator.Evaluate("M1", [Emergency("E1", "2026-03-01", "F411"), Emergency("E2", "2026-03-20", "F411"), Emergency("E3", "2026-04-05", "F411")], D("2026-04-06"));

        Assert.Equal([D("2026-03-01"), D("2026-04-05")], gaps.Where(g => g.Measure == CareGapMeasure.FollowUpAfterEmergencyMentalIllness7).Select(g => g.IndexDate));
    }

    [Fact]
    public void Fua_OverdoseEdVisitFollowedByMatFill_ClosesTheGap()
    {
        var gap = Gap(CareGapMeasure.FollowUpAfterEmergencySubstanceUse7, D("2026-03-20"), Emergency("E1", "2026-03-05", "T401X1A"), Fill("R1", "2026-03-09", "12496120203", 14));

        Assert.Equal((CareGapStatus.Closed, D("2026-03-09")), (gap.Status, gap.ClosedOn));
        Assert.Contains("closed-by:drug:buprenorphine-naloxone", gap.Evidence);
    }

    [Fact]
    public void Fua_AccidentalPoisoningWithAdverseEffectCharacter_IsNotAnOverdose()
    {
        Assert.DoesNotContain(_evaluator.Evaluate("M1", [Emergency("E1", "2026-03-05", "T401X5A")], D("2026-03-06")),
            g => g.Measure == CareGapMeasure.FollowUpAfterEmergencySubstanceUse7);
    }

    [Fact]
    public void Iet_NewEpisodeWithInitiationAndTwoMoreServices_IsInitiatedAndEngaged()
    {
        var claims = new[]
        {
            Visit("V1", "2026-01-05", "F1120", procedure: "H0001"),
            Visit("V2", "2026-01-12", "F1120", procedure: "H0004"),
            Visit("V3", "2026-01-20", "F1120", procedure: "H0004"),
            Visit("V4", "2026-02-01", "F1120", procedure: "H0004"),
        };

        var gaps = _evaluator.Evaluate("M1", claims, D("2026-03-01"));

        var initiation = gaps.Single(g => g.Measure == CareGapMeasure.SubstanceUseTreatmentInitiation);
        Assert.Equal((D("2026-01-05"), CareGapStatus.Closed, D("2026-01-12")), (initiation.IndexDate, initiation.Status, initiation.ClosedOn));
        var engagement = gaps.Single(g => g.Measure == CareGapMeasure.SubstanceUseTreatmentEngagement);
        Assert.Equal((CareGapStatus.Closed, D("2026-02-01")), (engagement.Status, engagement.ClosedOn));
    }

    [Fact]
    public void Iet_NoTreatmentWithinFourteenDays_LeavesInitiationOpen()
    {
        var gaps = _evaluator.Evaluate("M1", [Visit("V1", "2026-01-05", "F1020", procedure: "99213"), Visit("V2", "2026-01-25", "F1020", procedure: "H0004")], D("2026-03-01"));

        Assert.Equal(CareGapStatus.Open, gaps.Single(g => g.Measure == CareGapMeasure.SubstanceUseTreatmentInitiation).Status);
        Assert.Equal(CareGapStatus.Open, gaps.Single(g => g.Measure == CareGapMeasure.SubstanceUseTreatmentEngagement).Status);
    }

    [Fact]
    public void Amm_ContinuousTherapy_ClosesAcuteButNotYetContinuation()
    {
        var claims = new List<ClassifiedClaim> { Visit("V1", "2026-01-02", "F329", procedure: "99214") };
        for (var i = 0; i < 4; i++)
        {
            claims.Add(Fill($"R{i}", D("2026-01-05").AddDays(30 * i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "00049491030", 30));
        }

        var gaps = _evaluator.Evaluate("M1", claims, D("2026-05-15"));

        var acute = gaps.Single(g => g.Measure == CareGapMeasure.AntidepressantAcutePhase);
        Assert.Equal((D("2026-01-05"), CareGapStatus.Closed), (acute.IndexDate, acute.Status));
        Assert.Contains("covered-days:115/115", acute.Evidence);
        var continuation = gaps.Single(g => g.Measure == CareGapMeasure.AntidepressantContinuationPhase);
        Assert.Equal(CareGapStatus.Open, continuation.Status);
        Assert.Contains("covered-days:120/232", continuation.Evidence);
    }

    [Fact]
    public void Amm_WithoutDepressionDiagnosis_IsNotEvaluated()
    {
        Assert.DoesNotContain(_evaluator.Evaluate("M1", [Fill("R1", "2026-01-05", "00049491030", 30)], D("2026-05-15")), g => g.Measure == CareGapMeasure.AntidepressantAcutePhase);
    }
}
