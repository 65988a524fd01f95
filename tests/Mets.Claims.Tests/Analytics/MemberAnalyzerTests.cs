using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using static Mets.Claims.Tests.Analytics.ClaimFactory;

namespace Mets.Claims.Tests.Analytics;

public class MemberAnalyzerTests
{
    private static readonly AnalysisContext NotEngaged = new("hash1", D("2026-03-06"), false, new HashSet<string>());

    [Fact]
    public void Analyze_OpenFuh7WithinWindow_RaisesATriggerWhoseIdIsTheIndexEventNotTheFile()
    {
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        ClassifiedClaim[] claims = [Stay("S1", "2026-03-01", "2026-03-03", "F332")];

        var first = analyzer.Analyze("M1", claims, [], [], NotEngaged);
        var second = analyzer.Analyze("M1", claims, [], [], NotEngaged);
        var otherFile = analyzer.Analyze("M1", claims, [], [], NotEngaged with { FileHash = "hash2" });

        var trigger = Assert.Single(first.Triggers);
        Assert.Equal((ClaimsTriggerKind.FollowUpAfterHospitalizationDue, D("2026-03-03"), D("2026-03-10")), (trigger.Kind, trigger.EventDate, trigger.WindowEnd));
        Assert.Equal(trigger.Id, Assert.Single(second.Triggers).Id);
        // The identity is the member, the kind and the index event (the discharge of 2026-03-03), never the file.
        Assert.Equal(trigger.Id, Assert.Single(otherFile.Triggers).Id);
        Assert.Equal(ClaimsTrigger.MakeId("M1", ClaimsTriggerKind.FollowUpAfterHospitalizationDue, "FollowUpAfterHospitalization7|20260303"), trigger.Id);
        Assert.Equal(32, trigger.Id.Length);
    }

    [Fact]
    public void Analyze_UtilizationAboveThresholds_RaisesUtilizationTriggers()
    {
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions { HighOutpatientVisits = 3 });
        ClassifiedClaim[] claims =
        [
            Stay("S1", "2025-12-01", "2025-12-05", "F332"), Stay("S2", "2026-01-20", "2026-01-24", "F332"),
            Emergency("E1", "2026-02-01", "F411"), Emergency("E2", "2026-02-10", "F411"), Emergency("E3", "2026-02-20", "F1120"),
            Visit("V1", "2026-02-02", "F411"), Visit("V2", "2026-02-03", "F411"), Visit("V3", "2026-02-04", "F411"),
        ];

        var kinds = analyzer.Analyze("M1", claims, [], [], NotEngaged with { Today = D("2026-04-01") }).Triggers.Select(t => t.Kind).ToList();

        Assert.Contains(ClaimsTriggerKind.RepeatedBhInpatientStays, kinds);
        Assert.Contains(ClaimsTriggerKind.FrequentBhEmergencyVisits, kinds);
        Assert.Contains(ClaimsTriggerKind.HighOutpatientBhUtilization, kinds);
    }

    [Fact]
    public void Analyze_LaterStaysWhileTheRepeatedStaysEpisodeLasts_KeepOneTriggerId()
    {
        // Look-back 183 days, threshold 2. Stays discharged 2026-01-05 and 2026-03-01 start the episode on 2026-03-01;
        // a third stay discharged 2026-06-20 arrives while two stays are still within the look-back (2026-01-05 leaves it
        // on 2026-07-08): the same episode, the same trigger.
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        ClassifiedClaim[] two = [Stay("S1", "2026-01-01", "2026-01-05", "F332"), Stay("S2", "2026-02-25", "2026-03-01", "F332")];

        var march = Single(analyzer.Analyze("M1", two, [], [], NotEngaged with { Today = D("2026-03-10") }), ClaimsTriggerKind.RepeatedBhInpatientStays);
        var june = Single(analyzer.Analyze("M1", [.. two, Stay("S3", "2026-06-15", "2026-06-20", "F332")], [], [], NotEngaged with { Today = D("2026-06-25") }), ClaimsTriggerKind.RepeatedBhInpatientStays);

        Assert.Equal((D("2026-03-01"), "bh-inpatient-stays:2"), (march.EventDate, march.EvidenceCodes[0]));
        Assert.Equal((march.Id, D("2026-03-01"), "bh-inpatient-stays:3"), (june.Id, june.EventDate, june.EvidenceCodes[0]));
    }

    [Fact]
    public void Analyze_RepeatedStaysAfterTheEpisodeEnded_AreANewTrigger()
    {
        // Stays discharged 2026-01-05 and 2026-03-01 (episode from 2026-03-01). On 2026-07-08 the first leaves the
        // 183-day look-back: one stay left, the episode ends. Stays discharged 2026-08-10 and 2026-08-20 start another.
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        ClassifiedClaim[] first = [Stay("S1", "2026-01-01", "2026-01-05", "F332"), Stay("S2", "2026-02-25", "2026-03-01", "F332")];

        var earlier = Single(analyzer.Analyze("M1", first, [], [], NotEngaged with { Today = D("2026-03-10") }), ClaimsTriggerKind.RepeatedBhInpatientStays);
        var gone = analyzer.Analyze("M1", first, [], [], NotEngaged with { Today = D("2026-07-08") });
        var later = Single(analyzer.Analyze("M1", [.. first, Stay("S3", "2026-08-05", "2026-08-10", "F332"), Stay("S4", "2026-08-15", "2026-08-20", "F332")], [], [],
            NotEngaged with { Today = D("2026-08-25") }), ClaimsTriggerKind.RepeatedBhInpatientStays);

        Assert.DoesNotContain(gone.Triggers, t => t.Kind == ClaimsTriggerKind.RepeatedBhInpatientStays);
        Assert.Equal(D("2026-08-10"), later.EventDate);
        Assert.NotEqual(earlier.Id, later.Id);
    }

    [Fact]
    public void Analyze_LowAdherenceWhosePdcMovesBetweenFiles_KeepsOneTriggerId()
    {
        // Schizophrenia (visits 2026-01-02, 2026-02-02); aripiprazole filled 2026-01-01 and 2026-02-10 (30 days each).
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        ClassifiedClaim[] claims = [Visit("V1", "2026-01-02", "F200"), Visit("V2", "2026-02-02", "F200"), Fill("R1", "2026-01-01", "59148000810", 30), Fill("R2", "2026-02-10", "59148000810", 30)];

        var april = Single(analyzer.Analyze("M1", claims, [], [], NotEngaged with { Today = D("2026-04-10") }), ClaimsTriggerKind.LowAntipsychoticAdherence);
        var may = Single(analyzer.Analyze("M1", claims, [], [], NotEngaged with { FileHash = "hash2", Today = D("2026-05-10") }), ClaimsTriggerKind.LowAntipsychoticAdherence);

        Assert.NotEqual(april.EvidenceCodes, may.EvidenceCodes); // the PDC went down
        Assert.Equal(april.Id, may.Id);
    }

    [Fact]
    public void Analyze_SameDischargeInAnotherClaimAndFile_IsTheSameEngagedMemberEvent()
    {
        // The 2026-03-03 discharge, first as claim S1, then resubmitted under another claim number in another file.
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        var first = analyzer.Analyze("M1", [Stay("S1", "2026-03-01", "2026-03-03", "F332")], [], [],
            new AnalysisContext("hash1", D("2026-03-04"), true, new HashSet<string> { "S1" }));
        var again = analyzer.Analyze("M1", [Stay("S1-RESUBMITTED", "2026-03-01", "2026-03-03", "F332")], [], [],
            new AnalysisContext("hash2", D("2026-03-05"), true, new HashSet<string> { "S1-RESUBMITTED" }));

        Assert.Equal(Single(first, ClaimsTriggerKind.BhDischarge).Id, Single(again, ClaimsTriggerKind.BhDischarge).Id);
    }

    private static ClaimsTrigger Single(MemberAnalysis analysis, ClaimsTriggerKind kind) => Assert.Single(analysis.Triggers, t => t.Kind == kind);

    [Fact]
    public void Analyze_EngagedMember_GetsDischargeAndGapOpenedThenGapClosed()
    {
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        var stay = Stay("S1", "2026-03-01", "2026-03-03", "F332");
        var engaged = new AnalysisContext("hash1", D("2026-03-04"), true, new HashSet<string> { "S1" });

        var first = analyzer.Analyze("M1", [stay], [], [], engaged);
        var second = analyzer.Analyze("M1", [stay, Visit("V1", "2026-03-05", "F332")], [], first.Gaps, engaged with { FileHash = "hash2", Today = D("2026-03-06"), ClaimIdsInFile = new HashSet<string> { "V1" } });

        Assert.Contains(first.Triggers, t => t.Kind == ClaimsTriggerKind.BhDischarge);
        Assert.Equal(2, first.Triggers.Count(t => t.Kind == ClaimsTriggerKind.CareGapOpened));
        Assert.Equal(2, second.Triggers.Count(t => t.Kind == ClaimsTriggerKind.CareGapClosed));
        Assert.DoesNotContain(second.Triggers, t => t.Kind is ClaimsTriggerKind.BhDischarge or ClaimsTriggerKind.CareGapOpened);
    }

    [Fact]
    public void Analyze_CoverageEndingInsideTheWindow_DropsTheGap()
    {
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        ClassifiedClaim[] claims = [Stay("S1", "2026-03-01", "2026-03-03", "F332")];
        EligibilitySpan[] lapsed = [new("M1", "P", D("2026-01-01"), D("2026-03-04"))];
        EligibilitySpan[] covered = [new("M1", "P", D("2026-01-01"), D("2026-01-31")), new("M1", "P", D("2026-02-01"), null)];

        Assert.Empty(analyzer.Analyze("M1", claims, lapsed, [], NotEngaged with { Today = D("2026-03-20") }).Gaps);
        Assert.Equal(2, analyzer.Analyze("M1", claims, covered, [], NotEngaged with { Today = D("2026-03-20") }).Gaps.Count);
    }

    [Theory]
    [InlineData("2026-01-10", "2026-02-10", true)]
    [InlineData("2026-01-10", "2026-03-05", false)]
    [InlineData("2025-12-31", "2026-01-10", false)]
    public void IsContinuouslyEnrolled_AdjacentSpans_CountAsContinuous(string from, string to, bool expected)
    {
        EligibilitySpan[] spans = [new("M1", "P", D("2026-01-01"), D("2026-01-31")), new("M1", "P", D("2026-02-01"), D("2026-02-28"))];

        Assert.Equal(expected, MemberAnalyzer.IsContinuouslyEnrolled(spans, D(from), D(to)));
    }

    [Fact]
    public void Aggregate_ClaimsAndEligibility_GiveMemberMonths()
    {
        ClassifiedClaim[] claims = [Stay("S1", "2026-01-30", "2026-02-02", "F332"), Visit("V1", "2026-02-10", "F332"), Fill("R1", "2026-02-11", "59148000810", 30), Visit("V2", "2026-02-12", "J069", procedure: "99213", taxonomy: null)];
        EligibilitySpan[] eligibility = [new("M1", "P", D("2025-12-15"), null)];

        var months = MemberAnalyzer.Aggregate("M1", claims, eligibility, D("2026-03-05"));

        Assert.Equal([D("2025-12-01"), D("2026-01-01"), D("2026-02-01"), D("2026-03-01")], months.Select(m => m.Month));
        Assert.All(months, m => Assert.True(m.Enrolled));
        var february = months[2];
        Assert.Equal((1, 1, 1), (february.BhInpatientStays, february.OutpatientBhVisits, february.AntipsychoticFills));
        Assert.Equal((100m, 210m), (february.BhPaid, february.TotalPaid));
        Assert.Equal(100m, months[1].BhPaid);
    }
}
