using Mets.Claims.Analytics;
using static Mets.Claims.Tests.Analytics.ClaimFactory;

namespace Mets.Claims.Tests.Analytics;

public class ProportionOfDaysCoveredTests
{
    [Fact]
    public void Calculate_EarlyRefillOfSameDrug_ShiftsToTheDayAfterSupplyEnds()
    {
        // PQA example: supply runs through 03-31, the refill on 03-25 starts on 04-01.
        PharmacyFill[] fills = [new(D("2018-03-02"), 30, "drug-a", DrugClass.Antipsychotic), new(D("2018-03-25"), 30, "drug-a", DrugClass.Antipsychotic)];

        var result = ProportionOfDaysCovered.Calculate(fills, D("2018-03-02"), D("2018-04-30"));

        Assert.Equal((60, 60, 1m), (result.CoveredDays, result.PeriodDays, result.Proportion));
    }

    [Fact]
    public void Calculate_OverlapAcrossDifferentDrugs_IsNotShiftedNorDoubleCounted()
    {
        PharmacyFill[] fills = [new(D("2018-03-02"), 30, "drug-a", DrugClass.Antipsychotic), new(D("2018-03-25"), 30, "drug-b", DrugClass.Antipsychotic)];

        var result = ProportionOfDaysCovered.Calculate(fills, D("2018-03-02"), D("2018-04-30"));

        Assert.Equal(53, result.CoveredDays);
    }

    [Fact]
    public void Calculate_SupplyBeyondPeriodEnd_IsCapped()
    {
        PharmacyFill[] fills = [new(D("2026-12-15"), 90, "drug-a", DrugClass.Antidepressant)];

        var result = ProportionOfDaysCovered.Calculate(fills, D("2026-12-01"), D("2026-12-31"));

        Assert.Equal((17, 31), (result.CoveredDays, result.PeriodDays));
    }

    /// <summary>Two outpatient visits in the year with a schizophrenia diagnosis: the SAA denominator's diagnosis.</summary>
    private static readonly ClassifiedClaim[] Schizophrenia = [Visit("V1", "2026-01-02", "F200"), Visit("V2", "2026-02-02", "F200")];

    [Fact]
    public void Evaluate_PdcJustBelowEightyPercent_IsNonAdherentWithPdcEvidence()
    {
        // 100-day period from the index fill, 79 days covered; SAA needs a schizophrenia diagnosis (two visits on different dates).
        ClassifiedClaim[] claims = [Fill("R1", "2026-01-01", "59148000810", 30), Fill("R2", "2026-02-10", "59148000810", 30), Fill("R3", "2026-03-22", "59148000810", 19), .. Schizophrenia];
        var evaluator = new CareGapEvaluator(new ClaimsAnalyticsOptions());

        var gap = Assert.Single(evaluator.Evaluate("M1", claims, D("2026-04-10")), g => g.Measure == CareGapMeasure.AntipsychoticAdherence);

        Assert.Equal(CareGapStatus.Open, gap.Status);
        Assert.Contains("covered-days:79/100", gap.Evidence);
        Assert.Contains("pdc:0.790", gap.Evidence);
        Assert.Contains("drug:aripiprazole", gap.Evidence);
    }

    [Fact]
    public void Evaluate_PdcAtEightyPercent_IsAdherent()
    {
        ClassifiedClaim[] claims = [Fill("R1", "2026-01-01", "59148000810", 50), Fill("R2", "2026-03-01", "59148000810", 30), .. Schizophrenia];
        var evaluator = new CareGapEvaluator(new ClaimsAnalyticsOptions());

        var gap = Assert.Single(evaluator.Evaluate("M1", claims, D("2026-04-10")), g => g.Measure == CareGapMeasure.AntipsychoticAdherence);

        Assert.Equal(CareGapStatus.Closed, gap.Status);
        Assert.Contains("covered-days:80/100", gap.Evidence);
    }
}
