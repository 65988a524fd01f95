using Mets.Claims.Analytics;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Reports.Feedback;

/// <summary>
/// Individualized provider feedback: one treating provider's METS members (a count only), those members' utilization
/// and spend before and after, their care gaps closed, the provider's outreach response timeliness and peer-to-peer
/// reviews, and where the provider stands among the plan's other providers (docs/outcomes.md). Aggregate figures
/// only, suppressed under the minimum cell count like the outcome report.
/// </summary>
public sealed record ProviderScorecard(string Npi, DateOnly From, DateOnly To, DateTimeOffset AsOf, int MinimumCellCount, string Method, RunOutStatus RunOut, IReadOnlyList<ReportSection> Sections)
{
    public ReportFigure? Find(string key) => Sections.SelectMany(s => s.Figures).FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.Ordinal));
}

/// <summary>Computes a provider's scorecard from the engagements that started in the period (pure).</summary>
public static class ProviderScorecardBuilder
{
    public const string Method =
        "The provider's METS members are the engagements that started in the period with the provider among their treating providers. " +
        "Utilization and care gaps are those of the members who engaged, computed as in the outcome report (pre/post is not causal). " +
        "A response is on time when it came before the outreach was escalated to a peer-to-peer review. " +
        "A percentile is the share of the plan's other providers, among those with at least the minimum cell count of responses (or care gaps), whose figure is lower. " +
        "Counts from 1 to the minimum cell count minus one are suppressed, with complementary suppression.";

    public static ProviderScorecard Build(ReportOptions options, Npi npi, DateOnly from, DateOnly to, DateTimeOffset asOf, IReadOnlyList<ReportEngagement> engagements)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engagements);
        var k = options.MinimumCellCount;
        var months = new ReportMonths(DateOnly.FromDateTime(asOf.UtcDateTime), options.ClaimsRunOutMonths, options.PrePostMonths);
        var mine = engagements.Where(e => Treats(e.Case, npi)).ToList();
        var engaged = mine.Where(e => e.Engaged).ToList();

        var members = new ReportCells();
        members.Count("scorecard.members", "Your METS members (engagements started)", mine.Count);
        members.Count("scorecard.engaged", "Engaged (assessment completed)", engaged.Count);
        members.Count("scorecard.notEngaged", "Not engaged", mine.Count - engaged.Count);
        members.Sum("scorecard.members", "scorecard.engaged", "scorecard.notEngaged");

        var utilization = new ReportCells();
        var use = CohortMeasures.Utilization(engaged, months);
        CohortMeasures.AddUtilization(utilization, "scorecard.utilization", use, k);

        var gaps = new ReportCells();
        CohortMeasures.AddCareGaps(gaps, "scorecard.careGaps", engaged, months);
        var (identified, closed) = GapTotals(engaged, months);
        gaps.Count("scorecard.careGaps.all.identified", "All care gaps", identified);
        gaps.Count("scorecard.careGaps.all.closed", "All care gaps closed", closed);
        gaps.Count("scorecard.careGaps.all.open", "All care gaps open", identified - closed);
        gaps.Sum("scorecard.careGaps.all.identified", "scorecard.careGaps.all.closed", "scorecard.careGaps.all.open");

        var outreach = new ReportCells();
        CohortMeasures.AddOutreach(outreach, "scorecard.outreach", [.. engagements.SelectMany(e => e.Case.Outreach).Where(o => o.Npi == npi)]);
        var plan = engagements.SelectMany(e => e.Case.Outreach).ToList();
        CohortMeasures.AddOutreach(outreach, "scorecard.plan.outreach", plan);
        var (planIdentified, planClosed) = GapTotals(engagements.Where(e => e.Engaged), months);
        outreach.Count("scorecard.plan.careGaps.identified", "Plan: care gaps of engaged members", planIdentified);
        outreach.Count("scorecard.plan.careGaps.closed", "Plan: care gaps closed", planClosed);

        foreach (var cells in new[] { members, utilization, gaps, outreach })
        {
            cells.Suppress(k);
        }

        members.Ratio("scorecard.engagedPercent", "Engaged (%)", "scorecard.engaged", "scorecard.members", 100m, FigureUnit.Percent);
        CohortMeasures.AddUtilizationRates(utilization, "scorecard.utilization");
        CohortMeasures.AddCareGapRates(gaps, "scorecard.careGaps");
        gaps.Ratio("scorecard.careGaps.all.closedPercent", "All care gaps closed (%)", "scorecard.careGaps.all.closed", "scorecard.careGaps.all.identified", 100m, FigureUnit.Percent);
        CohortMeasures.AddOutreachRates(outreach, "scorecard.outreach");
        CohortMeasures.AddOutreachRates(outreach, "scorecard.plan.outreach");
        outreach.Ratio("scorecard.plan.careGaps.closedPercent", "Plan: care gaps closed (%)", "scorecard.plan.careGaps.closed", "scorecard.plan.careGaps.identified", 100m, FigureUnit.Percent);

        // Percentiles among the plan's other providers with enough responses (care gaps) to have a shown share.
        var providers = engagements.SelectMany(e => e.Case.TreatingProviders.Select(p => p.Npi).Concat(e.Case.Outreach.Select(o => o.Npi))).Distinct().Where(p => p != npi).ToList();
        var others = providers.Select(p =>
        {
            var answered = engagements.SelectMany(e => e.Case.Outreach).Where(o => o.Npi == p && o.Response is not null).ToList();
            var (gi, gc) = GapTotals(engagements.Where(e => e.Engaged && Treats(e.Case, p)), months);
            return (Answered: answered.Count, OnTime: answered.Count(o => o.EscalatedAt is null), Gaps: gi, Closed: gc);
        }).ToList();
        var myAnswered = outreach.Raw("scorecard.outreach.answered") ?? 0;
        var myOnTime = outreach.Raw("scorecard.outreach.onTime") ?? 0;
        outreach.Derived("scorecard.comparison.onTimePercentile", "Response on time: percentile among the plan's providers",
            Percentile(myAnswered, myOnTime, others.Select(o => (o.Answered, o.OnTime)), k), FigureUnit.Percentile, "scorecard.outreach.answered", "scorecard.outreach.onTime");
        outreach.Figure("scorecard.comparison.onTimeProviders", "Other providers compared (response on time)", others.Count(o => o.Answered >= k), FigureUnit.Count);
        gaps.Derived("scorecard.comparison.gapClosurePercentile", "Care gaps closed: percentile among the plan's providers",
            Percentile(identified, closed, others.Select(o => (o.Gaps, o.Closed)), k), FigureUnit.Percentile, "scorecard.careGaps.all.identified", "scorecard.careGaps.all.closed");
        gaps.Figure("scorecard.comparison.gapClosureProviders", "Other providers compared (care gaps closed)", others.Count(o => o.Gaps >= k), FigureUnit.Count);

        return new ProviderScorecard(npi.Value, from, to, asOf, k, Method,
            new RunOutStatus(options.ClaimsRunOutMonths, ReportMonths.Name(months.CompleteThrough), []),
            [
                new("members", "Your METS members", "Counts only: no member is named.", members.Figures()),
                new("outreach", "Response to METS outreach", "Your answers to METS collaboration requests; the plan's figures beside them.", outreach.Figures()),
                new("careGaps", "Care gaps of your engaged members", "Claims care gaps in the months after each engagement started.", gaps.Figures()),
                new("utilization", "Utilization and spend of your engaged members", "Before vs after the month the engagement started; not causal.", utilization.Figures()),
            ]);
    }

    private static bool Treats(EngagementCase engagement, Npi npi) =>
        engagement.TreatingProviders.Any(p => p.Npi == npi) || engagement.Outreach.Any(o => o.Npi == npi);

    private static (int Identified, int Closed) GapTotals(IEnumerable<ReportEngagement> members, ReportMonths months)
    {
        var gaps = members.SelectMany(m =>
        {
            var (from, to) = months.GapWindow(m.IndexDate);
            return m.Claims.Gaps.Where(g => g.IndexDate <= to && g.WindowEnd >= from);
        }).ToList();
        return (gaps.Count, gaps.Count(g => g.Status == CareGapStatus.Closed));
    }

    /// <summary>The share (0-100) of the other providers with a denominator of at least <paramref name="minimum"/> whose rate is lower; null without any.</summary>
    private static decimal? Percentile(decimal denominator, decimal numerator, IEnumerable<(int Denominator, int Numerator)> others, int minimum)
    {
        if (denominator == 0)
        {
            return null;
        }

        var rate = numerator / denominator;
        var comparable = others.Where(o => o.Denominator >= minimum && o.Denominator > 0).Select(o => (decimal)o.Numerator / o.Denominator).ToList();
        return comparable.Count == 0 ? null : Math.Round(100m * comparable.Count(r => r < rate) / comparable.Count, 0, MidpointRounding.AwayFromZero);
    }
}

/// <summary>The provider scorecard use case (<c>GET /api/reports/providers/{npi}</c> and the signed feedback link).</summary>
public sealed class ProviderScorecardService(OutcomeReportService reports, IOptions<ReportOptions> options, TimeProvider time)
{
    public async Task<ProviderScorecard> BuildAsync(Npi npi, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var engagements = await reports.LoadAsync(from, to, cancellationToken).ConfigureAwait(false);
        return ProviderScorecardBuilder.Build(options.Value, npi, from, to, time.GetUtcNow(), engagements);
    }
}
