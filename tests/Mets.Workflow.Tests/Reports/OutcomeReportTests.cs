using Mets.Workflow.Reports;

namespace Mets.Workflow.Tests.Reports;

/// <summary>
/// The outcome report on the seeded scenario (<see cref="OutcomeScenario"/>), every expected figure worked out by hand
/// from the scenario's engagements and claims (the working is in the comments and in docs/outcomes.md).
/// </summary>
public sealed class OutcomeReportTests : IAsyncLifetime
{
    private OutcomeScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await OutcomeScenario.CreateAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    private async Task<OutcomeReport> ReportAsync(ReportOptions? options = null, TimeProvider? clock = null) =>
        await _scenario.Service(options ?? OutcomeScenario.HandWorked(), clock).BuildAsync(OutcomeScenario.From, OutcomeScenario.To);

    private static void Expect(OutcomeReport report, params (string Key, decimal? Value)[] expected)
    {
        var wrong = expected
            .Select(e => (e.Key, e.Value, Actual: report.Find(e.Key)))
            .Where(e => e.Actual is null || e.Actual.Value != e.Value)
            .Select(e => $"{e.Key}: expected {e.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, got {(e.Actual is null ? "no such figure" : e.Actual.Display)}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task BuildAsync_SeededScenario_FunnelByHand()
    {
        var report = await ReportAsync();

        // E1-E5 started in March/April (E6 in May is outside). Referrals: E1 provider, E2 claims (open care gap) + a
        // provider referral attached, E3 claims (utilization), E4 claims (non-adherence), E5 utilization management.
        Expect(report,
            ("funnel.referrals", 6), ("funnel.referrals.treatingProvider", 2), ("funnel.referrals.primaryCare", 0),
            ("funnel.referrals.utilizationManagement", 1), ("funnel.referrals.claimsAnalytics", 3), ("funnel.referrals.selfOrFamily", 0),
            ("funnel.referrals.claimsAnalytics.openCareGap", 1), ("funnel.referrals.claimsAnalytics.highBehavioralHealthUtilization", 1),
            ("funnel.referrals.claimsAnalytics.medicationNonadherence", 1), ("funnel.referrals.claimsAnalytics.otherReason", 0),
            ("funnel.engagements", 5), ("funnel.engaged", 2), ("funnel.notEngaged", 3), ("funnel.active", 1), ("funnel.closedAfterEngagement", 1),
            ("funnel.awaitingAssessment", 1), ("funnel.closedBeforeEngagement", 2), ("funnel.closed", 3),
            ("funnel.closed.goalsMet", 1), ("funnel.closed.unableToReach", 1), ("funnel.closed.memberDeclined", 1), ("funnel.closed.lostEligibility", 0),
            ("trend.2026-03.engagements", 2), ("trend.2026-03.engaged", 2), ("trend.2026-04.engagements", 3), ("trend.2026-04.engaged", 0),
            // E1 2.5 days (03-10 09:00 -> 03-12 21:00), E2 10 days: median and mean 6.25 -> 6.3; 2 of 5 engaged.
            ("funnel.daysToAssessment.median", 6.3m), ("funnel.daysToAssessment.mean", 6.3m), ("funnel.engagedPercent", 40.0m));
    }

    [Fact]
    public async Task BuildAsync_SeededScenario_TimelinessByHand()
    {
        var report = await ReportAsync();

        // Assessments: E1 on time (due 03-17, done 03-12), E2 late (due 03-27, done 03-30); E5 overdue (due 04-19).
        // Outreach: E1/provider one answered before escalation; E2/provider two answered after it; E2/provider one peer review.
        // Reviews: E1 #1 on time (due 04-12, done 04-10), E2 #1 late (due 04-30, done 05-04); E2 #2 due 06-01 is overdue.
        Expect(report,
            ("timeliness.assessments.completed", 2), ("timeliness.assessments.onTime", 1), ("timeliness.assessments.late", 1),
            ("timeliness.assessments.overdueNow", 1), ("timeliness.assessments.onTimePercent", 50.0m),
            ("timeliness.providerResponses.requests", 3), ("timeliness.providerResponses.answered", 2), ("timeliness.providerResponses.onTime", 1),
            ("timeliness.providerResponses.late", 1), ("timeliness.providerResponses.noResponse", 0), ("timeliness.providerResponses.peerReviews", 1),
            ("timeliness.providerResponses.onTimePercent", 50.0m),
            ("timeliness.reviews.completed", 2), ("timeliness.reviews.onTime", 1), ("timeliness.reviews.late", 1), ("timeliness.reviews.overdueNow", 1),
            ("timeliness.reviews.onTimePercent", 50.0m),
            ("timeliness.reminders.staff", 1), ("timeliness.reminders.provider", 2),
            ("timeliness.escalations.overdue", 1), ("timeliness.escalations.safetyScreen", 0), ("timeliness.escalations.noProviderResponse", 2));
    }

    [Fact]
    public async Task BuildAsync_SeededScenario_CareGapsByHand()
    {
        var report = await ReportAsync();

        // Engaged: M1001's stay discharged 05-14 followed up 05-18 (FUH-7 and FUH-30 closed); M1002's ED visit 04-20
        // never followed up (FUM-7 and FUM-30 open). Earlier gaps end before the index dates: not counted.
        // Comparison: M1004's ED visit 06-01 followed up 06-25 (FUM-30 closed, FUM-7 open); M1003 has none in its window.
        Expect(report,
            ("careGaps.engaged.members", 2),
            ("careGaps.engaged.FUH-7.identified", 1), ("careGaps.engaged.FUH-7.closed", 1), ("careGaps.engaged.FUH-7.closedPercent", 100.0m),
            ("careGaps.engaged.FUH-30.identified", 1), ("careGaps.engaged.FUH-30.closed", 1),
            ("careGaps.engaged.FUM-7.identified", 1), ("careGaps.engaged.FUM-7.closed", 0), ("careGaps.engaged.FUM-7.open", 1), ("careGaps.engaged.FUM-7.closedPercent", 0.0m),
            ("careGaps.engaged.FUM-30.identified", 1), ("careGaps.engaged.FUM-30.closed", 0),
            ("careGaps.engaged.FUA-7.identified", 0), ("careGaps.engaged.FUA-7.closedPercent", null), ("careGaps.engaged.SAA-PDC.identified", 0),
            ("careGaps.comparison.members", 2),
            ("careGaps.comparison.FUM-7.identified", 1), ("careGaps.comparison.FUM-7.closed", 0),
            ("careGaps.comparison.FUM-30.identified", 1), ("careGaps.comparison.FUM-30.closed", 1), ("careGaps.comparison.FUM-30.closedPercent", 100.0m),
            ("careGaps.comparison.FUH-7.identified", 0));
    }

    [Fact]
    public async Task BuildAsync_SeededScenario_UtilizationPrePostByHand()
    {
        var report = await ReportAsync();

        // Engaged (M1001 Dec-Feb / Apr-Jun, M1002 the same): 6 member-months each side.
        // Before: visits 2+1, ED 1+2, admissions 1 (5 days), BH paid 6,100 + 1,900, total 6,180 + 1,900.
        // After: visits 3+1, ED 0+1, admissions 1 (2 days), BH paid 4,300 + 1,000, total 4,380 + 1,000.
        Expect(report,
            ("utilization.engaged.members", 2), ("utilization.engaged.awaitingRunOut", 0), ("utilization.engaged.withoutCoverage", 0),
            ("utilization.engaged.pre.memberMonths", 6), ("utilization.engaged.pre.outpatientVisits", 3), ("utilization.engaged.pre.edVisits", 3),
            ("utilization.engaged.pre.admissions", 1), ("utilization.engaged.pre.inpatientDays", 5),
            ("utilization.engaged.pre.bhPaid", 8000m), ("utilization.engaged.pre.totalPaid", 8080m),
            ("utilization.engaged.post.memberMonths", 6), ("utilization.engaged.post.outpatientVisits", 4), ("utilization.engaged.post.edVisits", 1),
            ("utilization.engaged.post.admissions", 1), ("utilization.engaged.post.inpatientDays", 2),
            ("utilization.engaged.post.bhPaid", 5300m), ("utilization.engaged.post.totalPaid", 5380m),
            ("utilization.engaged.pre.outpatientVisitsPer1000", 500.0m), ("utilization.engaged.post.outpatientVisitsPer1000", 666.7m),
            ("utilization.engaged.pre.edVisitsPer1000", 500.0m), ("utilization.engaged.post.edVisitsPer1000", 166.7m),
            ("utilization.engaged.pre.inpatientDaysPer1000", 833.3m), ("utilization.engaged.post.inpatientDaysPer1000", 333.3m),
            ("utilization.engaged.pre.bhPmpm", 1333.33m), ("utilization.engaged.post.bhPmpm", 883.33m),
            ("utilization.engaged.pre.totalPmpm", 1346.67m), ("utilization.engaged.post.totalPmpm", 896.67m),
            // Changes from the unrounded rates: visits +33.3 %, ED -66.7 %, admissions 0, days -60 %, BH PMPM -33.75 % -> -33.8,
            // total PMPM (5,380 - 8,080) / 8,080 = -33.42 %. Savings: (8,000/6 - 5,300/6) x 6 = 2,700 (both).
            ("utilization.engaged.change.outpatientVisitsPer1000Percent", 33.3m), ("utilization.engaged.change.edVisitsPer1000Percent", -66.7m),
            ("utilization.engaged.change.admissionsPer1000Percent", 0.0m), ("utilization.engaged.change.inpatientDaysPer1000Percent", -60.0m),
            ("utilization.engaged.change.bhPmpmPercent", -33.8m), ("utilization.engaged.change.totalPmpmPercent", -33.4m),
            ("utilization.engaged.estimatedSavings.bh", 2700.00m), ("utilization.engaged.estimatedSavings.total", 2700.00m));

        // Comparison: M1003 Jan-Mar (3) / May only (coverage ends 05-31: June's visit is not counted), M1004 Jan-Mar / May-Jul.
        // Before: visits 1, ED 1, admissions 1 (7 days), paid 1,000 + 6,000. After: visits 1+1, ED 1, paid 100 + 1,000.
        Expect(report,
            ("utilization.comparison.members", 2), ("utilization.comparison.pre.memberMonths", 6), ("utilization.comparison.post.memberMonths", 4),
            ("utilization.comparison.pre.outpatientVisits", 1), ("utilization.comparison.pre.edVisits", 1), ("utilization.comparison.pre.admissions", 1),
            ("utilization.comparison.pre.inpatientDays", 7), ("utilization.comparison.pre.bhPaid", 7000m),
            ("utilization.comparison.post.outpatientVisits", 2), ("utilization.comparison.post.edVisits", 1), ("utilization.comparison.post.admissions", 0),
            ("utilization.comparison.post.bhPaid", 1100m),
            ("utilization.comparison.pre.bhPmpm", 1166.67m), ("utilization.comparison.post.bhPmpm", 275.00m),
            ("utilization.comparison.change.outpatientVisitsPer1000Percent", 200.0m), ("utilization.comparison.change.edVisitsPer1000Percent", 50.0m),
            ("utilization.comparison.change.bhPmpmPercent", -76.4m),
            // (7,000/6 - 1,100/4) x 4 = 3,566.67.
            ("utilization.comparison.estimatedSavings.bh", 3566.67m));
    }

    [Fact]
    public async Task BuildAsync_BothGroupsAtTheThreshold_ComputesDifferenceInDifferencesByHand()
    {
        var report = await ReportAsync();

        // Visits per 1,000: (666.67 - 500) - (500 - 166.67) = -166.7; ED (166.67 - 500) - (250 - 166.67) = -416.7;
        // admissions 0 - (0 - 166.67) = 166.7; days (333.33 - 833.33) - (0 - 1,166.67) = 666.7;
        // BH PMPM (883.33 - 1,333.33) - (275 - 1,166.67) = 441.67; savings -441.67 x 6 = -2,650.
        Assert.True(report.DifferenceInDifferences.Computed);
        Assert.Equal(2, report.DifferenceInDifferences.Threshold);
        Assert.Equal(2m, report.DifferenceInDifferences.EngagedMembers.Value);
        Assert.Equal(2m, report.DifferenceInDifferences.ComparisonMembers.Value);
        Expect(report,
            ("utilization.did.outpatientVisitsPer1000", -166.7m), ("utilization.did.edVisitsPer1000", -416.7m),
            ("utilization.did.admissionsPer1000", 166.7m), ("utilization.did.inpatientDaysPer1000", 666.7m),
            ("utilization.did.bhPmpm", 441.67m), ("utilization.did.totalPmpm", 441.67m),
            ("utilization.did.estimatedSavings.bh", -2650.00m), ("utilization.did.estimatedSavings.total", -2650.00m));
    }

    [Fact]
    public async Task BuildAsync_GroupsBelowTheThreshold_SaysSoAndComputesNoDifferenceInDifferences()
    {
        var report = await ReportAsync(OutcomeScenario.HandWorked(didMinimum: 3));

        Assert.False(report.DifferenceInDifferences.Computed);
        Assert.Equal(3, report.DifferenceInDifferences.Threshold);
        Assert.Contains("Not computed", report.DifferenceInDifferences.Explanation, StringComparison.Ordinal);
        Assert.Contains("at least 3", report.DifferenceInDifferences.Explanation, StringComparison.Ordinal);
        Assert.Null(report.Find("utilization.did.bhPmpm"));
        Assert.Contains("not causal", report.Method, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildAsync_SeededScenario_MeasurementBasedCareByHand()
    {
        var report = await ReportAsync();

        // PHQ-9: E1 16 -> 6 (response: 12 <= 16; no remission: 6 >= 5), E2 12 -> 7 (no response: 14 > 12).
        // GAD-7: E1 12 -> 5 (response, no remission); E2's baseline 8 is below 10.
        Expect(report,
            ("mbc.phq9.baselineAtLeast10", 2), ("mbc.phq9.withFollowUp", 2), ("mbc.phq9.response", 1), ("mbc.phq9.remission", 0),
            ("mbc.phq9.responsePercent", 50.0m), ("mbc.phq9.remissionPercent", 0.0m),
            ("mbc.gad7.baselineAtLeast10", 1), ("mbc.gad7.withFollowUp", 1), ("mbc.gad7.response", 1), ("mbc.gad7.remission", 0),
            ("mbc.gad7.responsePercent", 100.0m));
    }

    [Fact]
    public async Task BuildAsync_AsOfBeforeTheRunOutOfThePostMonths_CountsNoIncompleteMonth()
    {
        // As of 2026-08-15 with 3 months run-out, claims are complete through April 2026: E1/E2's after-months (Apr-Jun)
        // have only April, E3/E4's (May-Jul) none: the comparison group waits for run-out.
        var report = await ReportAsync(clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 8, 15, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal("2026-04", report.RunOut.CompleteThrough);
        Assert.Equal(["2026-05", "2026-06", "2026-07"], report.RunOut.IncompleteMonths); // the windows reach July at the latest
        // Engaged: April only after (2 member-months): M1001 one visit (04-07), M1002 one ED visit (04-20).
        Expect(report,
            ("utilization.engaged.members", 2), ("utilization.engaged.post.memberMonths", 2), ("utilization.engaged.post.outpatientVisits", 1),
            ("utilization.engaged.post.edVisits", 1), ("utilization.engaged.post.bhPaid", 1000m),
            ("utilization.comparison.members", 0), ("utilization.comparison.awaitingRunOut", 2));
    }

    [Fact]
    public async Task BuildAsync_ReferenceTargets_AreLabelledBesideTheMeasuredFigures()
    {
        var report = await ReportAsync();

        Assert.Equal(["membersEngagedPerYear", "annualSavings", "outpatientUtilizationReduction", "bhSpendReduction"], report.Targets.Select(t => t.Key));
        Assert.All(report.Targets, t => Assert.Equal(ReferenceTarget.Kind, t.Labelled));
        Assert.Equal(10_000m, report.Targets[0].Target);
        Assert.Equal(22_000_000m, report.Targets[1].Target);
        Assert.Equal(30m, report.Targets[2].Target);
        Assert.Equal(23m, report.Targets[3].Target);
        // 2 engaged in 61 days, scaled to a year: 2 x 365 / 61 = 11.97 -> 12; outpatient visits rose 33.3 % (a fall of -33.3);
        // BH PMPM fell 33.8 %.
        Assert.Equal(12m, report.Targets[0].Measured!.Value);
        Assert.Equal(2700.00m, report.Targets[1].Measured!.Value);
        Assert.Equal(-33.3m, report.Targets[2].Measured!.Value);
        Assert.Equal(33.8m, report.Targets[3].Measured!.Value);
    }

    [Fact]
    public async Task BuildAsync_DefaultMinimumCellCount_HidesEverySmallCountAndWhatIsMadeOfIt()
    {
        var open = await ReportAsync(OutcomeScenario.HandWorked());
        var report = await ReportAsync(OutcomeScenario.HandWorked(minimumCellCount: 11, didMinimum: 30));

        var figures = report.Sections.SelectMany(s => s.Figures).ToList();
        var openFigures = open.Sections.SelectMany(s => s.Figures).ToDictionary(f => f.Key);
        Assert.Equal(openFigures.Keys.Where(k => !k.StartsWith("utilization.did.", StringComparison.Ordinal)),
            figures.Select(f => f.Key).Where(k => !k.StartsWith("utilization.did.", StringComparison.Ordinal)));
        // Every count from 1 to 10 is hidden; a hidden figure never carries its value.
        Assert.All(figures.Where(f => f.Unit == FigureUnit.Count && openFigures[f.Key].Value is > 0 and < 11), f => Assert.True(f.Suppressed, f.Key));
        Assert.All(figures.Where(f => f.Suppressed), f => Assert.Null(f.Value));
        // Rates, days and amounts made of hidden counts are hidden (the groups have 2 members: all of their utilization).
        Assert.True(report.Find("funnel.daysToAssessment.median")!.Suppressed);
        Assert.True(report.Find("utilization.engaged.pre.bhPaid")!.Suppressed);
        Assert.True(report.Find("utilization.engaged.estimatedSavings.bh")!.Suppressed);
        Assert.True(report.Find("mbc.phq9.responsePercent")!.Suppressed);
        Assert.True(report.DifferenceInDifferences.EngagedMembers.Suppressed);
        Assert.Contains("fewer than 11", report.DifferenceInDifferences.Explanation, StringComparison.Ordinal);
        Assert.True(report.Targets[0].Measured!.Suppressed);
        // Zeros stay.
        Assert.Equal(0m, report.Find("funnel.referrals.primaryCare")!.Value);
    }

    [Fact]
    public async Task Csv_SuppressedFigures_ShowNoValue_AndEveryFigureHasItsRow()
    {
        var report = await ReportAsync(OutcomeScenario.HandWorked(minimumCellCount: 11));

        var csv = ReportCsv.Write(report);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("section,key,label,value,unit,suppressed", lines[0]);
        foreach (var figure in report.Sections.SelectMany(s => s.Figures))
        {
            var row = Assert.Single(lines, l => l.Contains($",{figure.Key},", StringComparison.Ordinal));
            Assert.EndsWith(figure.Suppressed ? ",true" : ",false", row, StringComparison.Ordinal);
            if (figure.Suppressed)
            {
                Assert.Contains($",,{CohortMeasures.Camel(figure.Unit)},true", row, StringComparison.Ordinal);
            }
        }

        Assert.Contains(lines, l => l.StartsWith("targets,targets.annualSavings,", StringComparison.Ordinal) && l.Contains(ReferenceTarget.Kind, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_JsonAndCsv_CarryNoMemberData()
    {
        var report = await ReportAsync();
        var json = System.Text.Json.JsonSerializer.Serialize(report);
        var csv = ReportCsv.Write(report);

        // Member numbers, payer-qualified ids, the birth date, diagnosis codes and provider names of the scenario.
        string[] sentinels = ["M1001", "M1002", "M1003", "M1004", "M1005", "PLAN:M10", "1980-01-01", "F33", "F20", "F32", "J06", "Provider 1", "clinic.example", "REF-E", "claims-e"];
        Assert.All(sentinels, s => Assert.DoesNotContain(s, json, StringComparison.OrdinalIgnoreCase));
        Assert.All(sentinels, s => Assert.DoesNotContain(s, csv, StringComparison.OrdinalIgnoreCase));
    }
}
