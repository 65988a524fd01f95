using Mets.Workflow.Reports;
using Mets.Workflow.Reports.Feedback;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Tests.Reports;

/// <summary>Provider scorecards on the seeded scenario, expected figures worked out by hand.</summary>
public sealed class ProviderScorecardTests : IAsyncLifetime
{
    private OutcomeScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await OutcomeScenario.CreateAsync();

    public async Task DisposeAsync() => await _scenario.DisposeAsync();

    private Task<ProviderScorecard> ScorecardAsync(Mets.Domain.Identifiers.Npi npi, ReportOptions options)
    {
        var service = new ProviderScorecardService(_scenario.Service(options), Options.Create(options), _scenario.Clock);
        return service.BuildAsync(npi, OutcomeScenario.From, OutcomeScenario.To);
    }

    private static void Expect(ProviderScorecard card, params (string Key, decimal? Value)[] expected)
    {
        var wrong = expected.Where(e => card.Find(e.Key)?.Value != e.Value || card.Find(e.Key) is null)
            .Select(e => $"{e.Key}: expected {e.Value}, got {card.Find(e.Key)?.Display ?? "no such figure"}").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task BuildAsync_ProviderOne_ByHand()
    {
        var card = await ScorecardAsync(OutcomeScenario.ProviderOne, OutcomeScenario.HandWorked());

        // Provider one treats E1 and E2 (attached referral); E6 (May) is outside the period. Outreach: E1 answered before
        // escalation, E2 escalated to a peer-to-peer review. The plan: 3 requests, 2 answers, 1 on time.
        // Care gaps of E1/E2: FUH-7 and FUH-30 closed, FUM-7 and FUM-30 open. The only other provider (two) answered late
        // and closed none of E2's 2 gaps: provider one is above all of them (100th percentile) on both.
        Expect(card,
            ("scorecard.members", 2), ("scorecard.engaged", 2), ("scorecard.notEngaged", 0), ("scorecard.engagedPercent", 100.0m),
            ("scorecard.outreach.requests", 2), ("scorecard.outreach.answered", 1), ("scorecard.outreach.onTime", 1), ("scorecard.outreach.late", 0),
            ("scorecard.outreach.peerReviews", 1), ("scorecard.outreach.onTimePercent", 100.0m),
            ("scorecard.plan.outreach.requests", 3), ("scorecard.plan.outreach.answered", 2), ("scorecard.plan.outreach.onTimePercent", 50.0m),
            ("scorecard.careGaps.all.identified", 4), ("scorecard.careGaps.all.closed", 2), ("scorecard.careGaps.all.closedPercent", 50.0m),
            ("scorecard.careGaps.FUH-7.closed", 1), ("scorecard.careGaps.FUM-7.open", 1),
            ("scorecard.plan.careGaps.identified", 4), ("scorecard.plan.careGaps.closedPercent", 50.0m),
            ("scorecard.utilization.members", 2), ("scorecard.utilization.pre.bhPaid", 8000m), ("scorecard.utilization.post.bhPaid", 5300m),
            ("scorecard.utilization.change.bhPmpmPercent", -33.8m),
            ("scorecard.comparison.onTimePercentile", 100m), ("scorecard.comparison.onTimeProviders", 1),
            ("scorecard.comparison.gapClosurePercentile", 100m), ("scorecard.comparison.gapClosureProviders", 1));
    }

    [Fact]
    public async Task BuildAsync_ProviderTwo_ByHand()
    {
        var card = await ScorecardAsync(OutcomeScenario.ProviderTwo, OutcomeScenario.HandWorked());

        // Provider two: E2 only; answered after the escalation. Provider one (the only other) did better on both.
        Expect(card,
            ("scorecard.members", 1), ("scorecard.outreach.answered", 1), ("scorecard.outreach.onTime", 0), ("scorecard.outreach.onTimePercent", 0.0m),
            ("scorecard.careGaps.all.identified", 2), ("scorecard.careGaps.all.closed", 0),
            ("scorecard.comparison.onTimePercentile", 0m), ("scorecard.comparison.gapClosurePercentile", 0m));
    }

    [Fact]
    public async Task BuildAsync_DefaultMinimumCellCount_HidesTheSmallCountsAndThePercentiles()
    {
        var card = await ScorecardAsync(OutcomeScenario.ProviderOne, OutcomeScenario.HandWorked(minimumCellCount: 11));

        Assert.True(card.Find("scorecard.members")!.Suppressed);
        Assert.True(card.Find("scorecard.outreach.onTimePercent")!.Suppressed);
        Assert.True(card.Find("scorecard.comparison.onTimePercentile")!.Suppressed);
        Assert.True(card.Find("scorecard.utilization.pre.bhPaid")!.Suppressed);
        Assert.All(card.Sections.SelectMany(s => s.Figures).Where(f => f.Suppressed), f => Assert.Null(f.Value));
        // No other provider has 11 answers: none is compared.
        Assert.Equal(0m, card.Find("scorecard.comparison.onTimeProviders")!.Value);
    }
}
