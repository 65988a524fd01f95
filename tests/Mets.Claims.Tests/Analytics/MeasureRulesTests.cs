using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using static Mets.Claims.Tests.Analytics.ClaimFactory;

namespace Mets.Claims.Tests.Analytics;

/// <summary>
/// The published denominator rules of each measure, with the member's dates written out: the minimum age on
/// the date the measure names, readmissions and transfers within the follow-up window, continuous enrollment
/// and its allowed gap, negative history, the SAA diagnosis, and NDC list membership on the fill date.
/// </summary>
public class MeasureRulesTests
{
    private readonly CareGapEvaluator _evaluator = new(new ClaimsAnalyticsOptions());

    private static MemberFacts BornOn(string birthDate, params EligibilitySpan[] coverage) => new(D(birthDate), coverage);

    private static MemberFacts Covered(params EligibilitySpan[] coverage) => new(null, coverage);

    private static EligibilitySpan Span(string from, string? to) => new("M1", "MEDICAID", D(from), to is null ? null : D(to));

    private List<CareGap> Gaps(CareGapMeasure measure, string today, MemberFacts facts, params ClassifiedClaim[] claims) =>
        _evaluator.Evaluate("M1", claims, D(today), facts).Where(g => g.Measure == measure).ToList();

    // ---- age ----

    [Theory]
    [InlineData("2020-03-03", "2026-03-03", 6)] // sixth birthday on the day
    [InlineData("2020-03-04", "2026-03-03", 5)] // one day short
    [InlineData("2008-02-29", "2026-02-28", 17)] // a leap-day birthday turns over on March 1
    [InlineData("2008-02-29", "2026-03-01", 18)]
    public void AgeOn_BirthDateAndDay_IsWholeYears(string birth, string on, int age)
    {
        Assert.Equal(age, MeasureRules.AgeOn(D(birth), D(on)));
    }

    [Theory]
    [InlineData("2020-03-03", true)] // 6 on the discharge date 2026-03-03
    [InlineData("2020-03-04", false)] // 5 on the discharge date: not in FUH
    public void Fuh_MemberSixOrOlderOnTheDischargeDate_IsInTheDenominator(string birth, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.FollowUpAfterHospitalization7, "2026-03-04", BornOn(birth), Stay("S1", "2026-03-01", "2026-03-03", "F332"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2020-03-05", true)] // 6 on the ED visit 2026-03-05
    [InlineData("2020-03-06", false)]
    public void Fum_MemberSixOrOlderOnTheEdVisit_IsInTheDenominator(string birth, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, "2026-03-06", BornOn(birth), Emergency("E1", "2026-03-05", "F411"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2013-03-05", true)] // 13 on the ED visit 2026-03-05
    [InlineData("2013-03-06", false)] // 12
    public void Fua_MemberThirteenOrOlderOnTheEdVisit_IsInTheDenominator(string birth, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.FollowUpAfterEmergencySubstanceUse7, "2026-03-06", BornOn(birth), Emergency("E1", "2026-03-05", "F1120"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2013-01-05", true)] // 13 on the SUD episode date 2026-01-05
    [InlineData("2013-01-06", false)]
    public void Iet_MemberThirteenOrOlderOnTheEpisodeDate_IsInTheDenominator(string birth, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.SubstanceUseTreatmentInitiation, "2026-03-01", BornOn(birth), Visit("V1", "2026-01-05", "F1020", procedure: "H0001"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2026-01-05", "2008-04-30", true)] // index 2026-01-05: intake period ends 2026-04-30, the member is 18 that day
    [InlineData("2026-01-05", "2008-05-01", false)] // 17 on 2026-04-30
    [InlineData("2026-05-10", "2009-04-30", true)] // index 2026-05-10: intake period ends 2027-04-30; 17 at the fill, 18 on that April 30
    public void Amm_MemberEighteenOnAprilThirtyEndingTheIntakePeriod_IsInTheDenominator(string indexFill, string birth, bool counted)
    {
        var index = D(indexFill);
        var claims = new List<ClassifiedClaim> { Visit("V1", index.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "F329", procedure: "99214") };
        for (var i = 0; i < 4; i++)
        {
            claims.Add(Fill($"R{i}", index.AddDays(30 * i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "00049491030", 30));
        }

        var gaps = Gaps(CareGapMeasure.AntidepressantAcutePhase, index.AddDays(130).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), BornOn(birth), [.. claims]);

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2008-01-01", true)] // 18 on January 1 2026 of the measurement year
    [InlineData("2008-01-02", false)] // 17 on January 1, 18 the next day: not in SAA for 2026
    public void Saa_MemberEighteenOnJanuaryFirst_IsInTheDenominator(string birth, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.AntipsychoticAdherence, "2026-04-10", BornOn(birth), Antipsychotic());

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Fact]
    public void Evaluate_NoBirthDateOnFile_KeepsTheEventAndSaysTheAgeIsUnknown()
    {
        var gap = Assert.Single(Gaps(CareGapMeasure.FollowUpAfterHospitalization7, "2026-03-04", MemberFacts.Unknown, Stay("S1", "2026-03-01", "2026-03-03", "F332")));
        var known = Assert.Single(Gaps(CareGapMeasure.FollowUpAfterHospitalization7, "2026-03-04", BornOn("1990-01-01"), Stay("S1", "2026-03-01", "2026-03-03", "F332")));

        Assert.Contains("age:unknown", gap.Evidence);
        Assert.DoesNotContain("age:unknown", known.Evidence);
    }

    [Fact]
    public void MemberFacts_BirthDatesOnClaims_TakesTheMostRecentClaims()
    {
        ClassifiedClaim[] claims = [Visit("V1", "2026-01-10", "F332").Born("1990-01-01"), Visit("V2", "2026-02-10", "F332").Born("1991-01-01"), Visit("V3", "2026-03-10", "F332")];

        Assert.Equal(D("1991-01-01"), MemberFacts.From(claims, []).BirthDate);
    }

    [Fact]
    public void Fuh_BirthDateCarriedByTheClaims_AppliesTheAgeRuleThroughTheAnalyzer()
    {
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        var context = new AnalysisContext("hash1", D("2026-03-04"), false, new HashSet<string>());

        // Born 2021-06-01: 4 on the discharge date 2026-03-03.
        var child = analyzer.Analyze("M1", [Stay("S1", "2026-03-01", "2026-03-03", "F332").Born("2021-06-01")], [], [], context);
        var adult = analyzer.Analyze("M1", [Stay("S1", "2026-03-01", "2026-03-03", "F332").Born("1990-06-01")], [], [], context);

        Assert.DoesNotContain(child.Gaps, g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);
        Assert.Empty(child.Triggers);
        Assert.Contains(adult.Gaps, g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);
    }

    // ---- FUH readmission and direct transfer ----

    [Theory]
    [InlineData("2026-04-02", new[] { "2026-04-06" })] // acute MH readmission on day 30 after the 2026-03-03 discharge: only the later discharge counts
    [InlineData("2026-04-03", new[] { "2026-03-03", "2026-04-06" })] // readmission on day 31: outside the window, both count
    [InlineData("2026-03-03", new[] { "2026-04-06" })] // direct transfer the same day: the later discharge counts
    [InlineData("2026-03-04", new[] { "2026-04-06" })] // direct transfer the next day
    public void Fuh_AcuteMentalHealthReadmissionWithinThirtyDays_CountsTheLaterDischarge(string readmitted, string[] indexDates)
    {
        var gaps = Gaps(CareGapMeasure.FollowUpAfterHospitalization30, "2026-04-07", MemberFacts.Unknown,
            Stay("S1", "2026-03-01", "2026-03-03", "F332"), Stay("S2", readmitted, "2026-04-06", "F200"));

        Assert.Equal(indexDates.Select(D), gaps.Select(g => g.IndexDate).Order());
    }

    [Fact]
    public void Fuh_AcuteReadmissionForAnotherDiagnosis_ExcludesBothDischarges()
    {
        // Discharged 2026-03-03 (depression), readmitted 2026-03-20 for a myocardial infarction (I21.9, medical room and board).
        var gaps = Gaps(CareGapMeasure.FollowUpAfterHospitalization7, "2026-03-26", MemberFacts.Unknown,
            Stay("S1", "2026-03-01", "2026-03-03", "F332"), Stay("S2", "2026-03-20", "2026-03-25", "I219", revenue: "0120"));

        Assert.Empty(gaps);
    }

    [Fact]
    public void Fuh_TransferToANonacuteStay_ExcludesTheDischargeAndTheNonacuteStayIsNoIndex()
    {
        // Discharged 2026-03-03, admitted to a skilled nursing facility (bill type 211) on 2026-03-04 with a depression diagnosis.
        var gaps = Gaps(CareGapMeasure.FollowUpAfterHospitalization7, "2026-03-26", MemberFacts.Unknown,
            Stay("S1", "2026-03-01", "2026-03-03", "F332"), Stay("SNF", "2026-03-04", "2026-03-25", "F332", revenue: "0120", billType: "211"));

        Assert.Empty(gaps);
    }

    [Fact]
    public void Fuh_TransferToPsychiatricResidentialTreatment_KeepsTheDischarge()
    {
        // Discharged 2026-03-03, into psychiatric residential treatment (bill type 861, revenue 1001, POS 56) on 2026-03-04.
        var gaps = Gaps(CareGapMeasure.FollowUpAfterHospitalization7, "2026-03-05", MemberFacts.Unknown,
            Stay("S1", "2026-03-01", "2026-03-03", "F332"), Stay("PRTF", "2026-03-04", "2026-04-30", "F332", revenue: "1001", billType: "861", pos: "56"));

        Assert.Equal([D("2026-03-03")], gaps.Select(g => g.IndexDate));
    }

    [Fact]
    public void Fum_EdVisitFollowedByANonacuteAdmission_IsExcludedButNotByPsychiatricResidential()
    {
        var edThenSnf = Gaps(CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, "2026-03-20", MemberFacts.Unknown,
            Emergency("E1", "2026-03-05", "F411"), Stay("SNF", "2026-03-10", "2026-03-19", "F411", revenue: "0120", billType: "211"));
        var edThenResidential = Gaps(CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, "2026-03-20", MemberFacts.Unknown,
            Emergency("E1", "2026-03-05", "F411"), Stay("PRTF", "2026-03-10", "2026-04-30", "F411", revenue: "1001", billType: "861", pos: "56"));

        Assert.Empty(edThenSnf);
        Assert.Single(edThenResidential);
    }

    [Fact]
    public void Fum_IntentionalSelfHarmInAnyPosition_IsAnIndexEvent()
    {
        // Principal diagnosis a wrist laceration (S61.512A), second diagnosis intentional self-harm (X78.0XXA).
        var gaps = Gaps(CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, "2026-03-06", MemberFacts.Unknown, Emergency("E1", "2026-03-05", "S61512A", "X780XXA"));

        Assert.Single(gaps);
    }

    // ---- continuous enrollment ----

    [Theory]
    [InlineData("2026-03-10", "2026-03-12", "2026-03-20", false)] // one uncovered day, 2026-03-11, inside 2026-03-03..2026-04-02: no gap allowed
    [InlineData("2026-03-10", "2026-03-12", "2026-03-08", true)] // the same lapse, but analysed on 2026-03-08: coverage after today is not known yet
    [InlineData("2026-04-02", "2026-04-03", "2026-04-05", true)] // covered through 2026-04-02, the 30th day after discharge
    [InlineData("2026-04-01", "2026-04-03", "2026-04-05", false)] // lapses on 2026-04-02, the 30th day
    public void Fuh_CoverageFromDischargeThroughThirtyDaysAfter_IsRequiredWithNoGap(string firstSpanEnds, string secondSpanStarts, string today, bool counted)
    {
        var facts = Covered(Span("2026-01-01", firstSpanEnds), Span(secondSpanStarts, null));

        var gaps = Gaps(CareGapMeasure.FollowUpAfterHospitalization30, today, facts, Stay("S1", "2026-03-01", "2026-03-03", "F332"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2025-09-30", "2025-11-14", true)] // IPSD 2026-01-05: period 2025-09-22..2026-08-24; one gap 2025-10-01..2025-11-13 = 44 days
    [InlineData("2025-09-30", "2025-11-15", true)] // 45 days: the one gap allowed
    [InlineData("2025-09-30", "2025-11-16", false)] // 46 days
    public void Amm_OneEnrollmentGapOfUpToFortyFiveDays_IsAllowed(string firstSpanEnds, string secondSpanStarts, bool counted)
    {
        var facts = Covered(Span("2025-01-01", firstSpanEnds), Span(secondSpanStarts, null));

        var gaps = Gaps(CareGapMeasure.AntidepressantAcutePhase, "2026-05-15", facts, Depression("2026-01-05"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Fact]
    public void Amm_TwoShortEnrollmentGaps_AreNotAllowed()
    {
        // Uncovered 2025-10-01..2025-10-10 and 2025-12-01..2025-12-10: two gaps of 10 days.
        var facts = Covered(Span("2025-01-01", "2025-09-30"), Span("2025-10-11", "2025-11-30"), Span("2025-12-11", null));

        Assert.Empty(Gaps(CareGapMeasure.AntidepressantAcutePhase, "2026-05-15", facts, Depression("2026-01-05")));
    }

    [Theory]
    [InlineData("2025-06-25", true)] // episode 2026-01-05: enrolled from 194 days before, 2025-06-25
    [InlineData("2025-06-26", false)] // one day short
    public void Iet_EnrollmentFrom194DaysBeforeTheEpisode_IsRequired(string coverageStarts, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.SubstanceUseTreatmentInitiation, "2026-03-01", Covered(Span(coverageStarts, null)), Visit("V1", "2026-01-05", "F1020", procedure: "H0001"));

        Assert.Equal(counted, gaps.Count == 1);
    }

    [Theory]
    [InlineData("2026-02-15", true)] // uncovered 2026-01-01..2026-02-14: 45 days in the year so far
    [InlineData("2026-02-16", false)] // 46 days
    public void Saa_EnrollmentThroughTheYearWithOneGapOfUpToFortyFiveDays_IsRequired(string coverageStarts, bool counted)
    {
        var gaps = Gaps(CareGapMeasure.AntipsychoticAdherence, "2026-04-10", Covered(Span(coverageStarts, null)), Antipsychotic());

        Assert.Equal(counted, gaps.Count == 1);
    }

    // ---- IET negative history ----

    [Theory]
    [InlineData("2025-09-27", false)] // an SUD visit 100 days before 2026-01-05: not a new episode (194-day history)
    [InlineData("2025-06-24", true)] // 195 days before: a new episode
    public void Iet_SudDiagnosisInThe194DaysBefore_IsNotANewEpisode(string earlierVisit, bool newEpisode)
    {
        var gaps = Gaps(CareGapMeasure.SubstanceUseTreatmentInitiation, "2026-03-01", MemberFacts.Unknown,
            Visit("V0", earlierVisit, "F1020", procedure: "H0001"), Visit("V1", "2026-01-05", "F1020", procedure: "H0001"));

        Assert.Equal(newEpisode, gaps.Any(g => g.IndexDate == D("2026-01-05")));
    }

    [Fact]
    public void Iet_EarlierEdVisitIsNoHistoryButAnEarlierMatFillIs()
    {
        // An SUD ED visit on 2025-12-20 is not diagnosis history for the 2026-01-05 visit; a buprenorphine fill on 2025-12-20 is medication history.
        var afterEd = Gaps(CareGapMeasure.SubstanceUseTreatmentInitiation, "2026-03-01", MemberFacts.Unknown,
            Emergency("E1", "2025-12-20", "F1120"), Visit("V1", "2026-01-05", "F1120", procedure: "H0001"));
        var afterFill = Gaps(CareGapMeasure.SubstanceUseTreatmentInitiation, "2026-03-01", MemberFacts.Unknown,
            Fill("R1", "2025-12-20", "12496120203", 14), Visit("V1", "2026-01-05", "F1120", procedure: "H0001"));

        Assert.Contains(afterEd, g => g.IndexDate == D("2026-01-05"));
        Assert.DoesNotContain(afterFill, g => g.IndexDate == D("2026-01-05"));
    }

    // ---- SAA diagnosis ----

    [Fact]
    public void Saa_WithoutASchizophreniaDiagnosisInTheYear_IsNotEvaluated()
    {
        // The same fills as Antipsychotic(), with bipolar disorder (F31.9) instead of schizophrenia.
        ClassifiedClaim[] fills = [Fill("R1", "2026-01-01", "59148000810", 30), Fill("R2", "2026-02-10", "59148000810", 30)];
        var bipolar = Gaps(CareGapMeasure.AntipsychoticAdherence, "2026-04-10", MemberFacts.Unknown, [.. fills, Visit("V1", "2026-01-02", "F319"), Visit("V2", "2026-02-02", "F319")]);
        var oneVisit = Gaps(CareGapMeasure.AntipsychoticAdherence, "2026-04-10", MemberFacts.Unknown, [.. fills, Visit("V1", "2026-01-02", "F200")]);
        var oneStay = Gaps(CareGapMeasure.AntipsychoticAdherence, "2026-04-10", MemberFacts.Unknown, [.. fills, Stay("S1", "2026-01-20", "2026-01-25", "F250")]);

        Assert.Empty(bipolar);
        Assert.Empty(oneVisit);
        Assert.Single(oneStay);
    }

    // ---- NDC list by date ----

    [Theory]
    [InlineData("1990-12-31", DrugClass.Other)] // sertraline 0049-4910 is listed from 1991 (initial U.S. approval on its label)
    [InlineData("1991-01-01", DrugClass.Antidepressant)]
    [InlineData("2026-01-05", DrugClass.Antidepressant)]
    public void ClassifyDrug_BuiltInList_CountsAProductFromItsListingDate(string dispensed, DrugClass expected)
    {
        Assert.Equal(expected, BhCodeSets.Default.ClassifyDrug("00049491030", D(dispensed)).Class);
    }

    [Fact]
    public void ClassifyDrug_ProductListedUntilADate_IsThatDrugOnlyUntilThen()
    {
        using var codeSets = typeof(BhCodeSets).Assembly.GetManifestResourceStream("Mets.Claims.CodeSets.bh-code-sets.v1.json")!;
        var sets = BhCodeSets.Load(codeSets, TestFiles.Text("""
            { "version": "test-1", "source": "test", "retrieved": "2026-12-02", "products": [
              { "drug": "oldantipsychotic", "class": "antipsychotic", "from": "2020-01-01", "to": "2024-12-31", "ndcProducts": [ "11111-2222" ] } ] }
            """));

        Assert.Equal(("oldantipsychotic", DrugClass.Antipsychotic), sets.ClassifyDrug("11111222201", D("2024-12-31")));
        Assert.Equal(DrugClass.Other, sets.ClassifyDrug("11111222201", D("2025-01-01")).Class);
        Assert.Equal(DrugClass.Other, sets.ClassifyDrug("11111222201", D("2019-12-31")).Class);
        Assert.Equal(("test-1", "test", D("2026-12-02")), (sets.NdcListVersion, sets.NdcListSource, sets.NdcListRetrieved));
    }

    [Fact]
    public void Default_NdcList_NamesItsPublicSourceAndDate()
    {
        Assert.Contains("FDA", BhCodeSets.Default.NdcListSource, StringComparison.Ordinal);
        Assert.Equal(D("2026-12-02"), BhCodeSets.Default.NdcListRetrieved);
        Assert.Equal(("aripiprazole", DrugClass.Antipsychotic), BhCodeSets.Default.ClassifyDrug("59148000810", D("2026-01-01")));
        Assert.Equal(("buprenorphine-naloxone", DrugClass.OpioidUseDisorderMedication), BhCodeSets.Default.ClassifyDrug("12496120203", D("2026-01-01")));
    }

    [Fact]
    public void Load_CodeSetFileWithADrugsSection_IsRefusedNamingTheNdcList()
    {
        var error = Assert.Throws<InvalidDataException>(() => BhCodeSets.Load(TestFiles.Text("""
            { "version": "x", "label": "x", "diagnoses": {}, "placesOfService": {}, "revenueCodes": {}, "procedures": {}, "drugs": { "products": [] } }
            """)));

        Assert.Contains("NdcListPath", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Schizophrenia (two visits, 2026-01-02 and 2026-02-02) and aripiprazole fills of 2026-01-01 and 2026-02-10: an SAA member.</summary>
    private static ClassifiedClaim[] Antipsychotic() =>
        [Visit("V1", "2026-01-02", "F200"), Visit("V2", "2026-02-02", "F200"), Fill("R1", "2026-01-01", "59148000810", 30), Fill("R2", "2026-02-10", "59148000810", 30)];

    /// <summary>A major-depression visit 3 days before the index antidepressant fill, and four 30-day fills from it.</summary>
    private static ClassifiedClaim[] Depression(string indexFill)
    {
        var index = D(indexFill);
        var claims = new List<ClassifiedClaim> { Visit("V1", index.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "F329", procedure: "99214") };
        for (var i = 0; i < 4; i++)
        {
            claims.Add(Fill($"R{i}", index.AddDays(30 * i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "00049491030", 30));
        }

        return [.. claims];
    }
}
