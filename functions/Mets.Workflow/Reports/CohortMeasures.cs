using System.Globalization;
using System.Text.Json;
using Mets.Claims.Analytics;
using Mets.Domain.Engagements;
using Mets.Domain.Referrals;
using Mets.Workflow.ClaimsIntake;

namespace Mets.Workflow.Reports;

/// <summary>An engagement with its member's claims (empty when the member was not looked up).</summary>
public sealed record ReportEngagement(EngagementCase Case, MemberClaims Claims)
{
    /// <summary>Engaged: the assessment was completed.</summary>
    public bool Engaged => Case.Assessment is not null;

    /// <summary>Triggered but not engaged: referred by claims analytics, closed without an assessment.</summary>
    public bool TriggeredNotEngaged =>
        Case.Assessment is null && Case.Status == EngagementStatus.Closed && Case.Referrals.Any(r => r.Source == ReferralSource.ClaimsAnalytics);

    /// <summary>The index date of the pre/post comparison and the care-gap window: the day the engagement started (its referral was received).</summary>
    public DateOnly IndexDate => DateOnly.FromDateTime(Case.StartedAt.UtcDateTime);
}

/// <summary>Months, claims run-out and the pre/post windows (docs/outcomes.md).</summary>
public sealed class ReportMonths(DateOnly asOf, int runOutMonths, int prePostMonths)
{
    public DateOnly AsOf { get; } = asOf;

    public int RunOutMonths { get; } = runOutMonths;

    public int PrePostMonths { get; } = prePostMonths;

    /// <summary>The first day of the month of <paramref name="date"/>.</summary>
    public static DateOnly MonthOf(DateOnly date) => new(date.Year, date.Month, 1);

    /// <summary>yyyy-MM.</summary>
    public static string Name(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>A month's claims count once its run-out has passed: from the first day of the month <c>1 + run-out</c> months later.</summary>
    public bool IsComplete(DateOnly month) => AsOf >= month.AddMonths(1 + RunOutMonths);

    /// <summary>The last month whose run-out has passed on the as-of date.</summary>
    public DateOnly CompleteThrough => MonthOf(AsOf).AddMonths(-1 - RunOutMonths);

    /// <summary>The <see cref="PrePostMonths"/> months before the index month.</summary>
    public IEnumerable<DateOnly> Pre(DateOnly indexDate) =>
        Enumerable.Range(1, PrePostMonths).Select(i => MonthOf(indexDate).AddMonths(-i)).Reverse();

    /// <summary>The <see cref="PrePostMonths"/> months after the index month (the index month itself is in neither window).</summary>
    public IEnumerable<DateOnly> Post(DateOnly indexDate) =>
        Enumerable.Range(1, PrePostMonths).Select(i => MonthOf(indexDate).AddMonths(i));

    /// <summary>The care-gap window: the index date through <see cref="PrePostMonths"/> months later, at most the as-of date.</summary>
    public (DateOnly From, DateOnly To) GapWindow(DateOnly indexDate)
    {
        var to = indexDate.AddMonths(PrePostMonths);
        return (indexDate, to < AsOf ? to : AsOf);
    }
}

/// <summary>One group's utilization over its pre and post windows.</summary>
public sealed record GroupUtilization(int Members, int PreMemberMonths, MonthUtilization Pre, int PostMemberMonths, MonthUtilization Post, int AwaitingRunOut, int WithoutCoverage);

/// <summary>
/// The measures the outcome report and the provider scorecard share, each adding its figures (and the additive
/// relations among its counts) to a <see cref="ReportCells"/> under a key prefix.
/// </summary>
public static class CohortMeasures
{
    /// <summary>The care-gap measures in report order, by the codes the engagement model uses.</summary>
    public static IReadOnlyList<CareGapMeasure> Measures { get; } = Enum.GetValues<CareGapMeasure>();

    private static readonly (string Key, string Label, Func<MonthUtilization, decimal> Of)[] Rates =
    [
        ("outpatientVisits", "BH outpatient visits", u => u.OutpatientVisits),
        ("edVisits", "BH ED visits", u => u.EdVisits),
        ("admissions", "BH inpatient admissions", u => u.Admissions),
        ("inpatientDays", "BH inpatient days", u => u.InpatientDays),
    ];

    /// <summary>camelCase of an enum member's name (the API's JSON spelling).</summary>
    public static string Camel<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Sums the pre/post utilization of <paramref name="members"/>: only members with at least one counted month in both windows.</summary>
    public static GroupUtilization Utilization(IEnumerable<ReportEngagement> members, ReportMonths months)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(months);
        int included = 0, preMonths = 0, postMonths = 0, awaiting = 0, withoutCoverage = 0;
        MonthUtilization pre = default, post = default;
        foreach (var member in members)
        {
            var claims = member.Claims;
            if (claims.Eligibility.Count == 0)
            {
                withoutCoverage++;
                continue;
            }

            var counted = (Pre: months.Pre(member.IndexDate).Where(m => claims.EnrolledIn(m) && months.IsComplete(m)).ToList(),
                Post: months.Post(member.IndexDate).Where(m => claims.EnrolledIn(m) && months.IsComplete(m)).ToList());
            if (counted.Pre.Count == 0 || counted.Post.Count == 0)
            {
                if (months.Post(member.IndexDate).Any(m => !months.IsComplete(m)))
                {
                    awaiting++;
                }

                continue;
            }

            included++;
            preMonths += counted.Pre.Count;
            postMonths += counted.Post.Count;
            pre = counted.Pre.Aggregate(pre, (sum, m) => sum + claims.In(m));
            post = counted.Post.Aggregate(post, (sum, m) => sum + claims.In(m));
        }

        return new GroupUtilization(included, preMonths, pre, postMonths, post, awaiting, withoutCoverage);
    }

    /// <summary>
    /// Adds a group's utilization figures under <paramref name="prefix"/>: members, member-months, counts and paid per
    /// period, rates per 1,000 member-months, PMPM, percent change and the pre/post estimated savings. A group under the
    /// minimum cell count shows no figure of its utilization at all.
    /// </summary>
    public static void AddUtilization(ReportCells cells, string prefix, GroupUtilization group, int minimumCellCount)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(group);
        var hidden = group.Members > 0 && group.Members < minimumCellCount;
        cells.Count($"{prefix}.members", "Members with both periods", group.Members);
        cells.Count($"{prefix}.awaitingRunOut", "Members whose post months are still in claims run-out", group.AwaitingRunOut);
        cells.Count($"{prefix}.withoutCoverage", "Members without coverage on file", group.WithoutCoverage);
        foreach (var (period, memberMonths, use) in new[] { ("pre", group.PreMemberMonths, group.Pre), ("post", group.PostMemberMonths, group.Post) })
        {
            var p = $"{prefix}.{period}";
            cells.Count($"{p}.memberMonths", "Member-months", memberMonths, hidden);
            foreach (var (key, label, of) in Rates)
            {
                cells.Count($"{p}.{key}", label, (long)of(use), hidden);
            }

            cells.Figure($"{p}.bhPaid", "BH paid", use.BhPaid, FigureUnit.Dollars, hidden);
            cells.Figure($"{p}.totalPaid", "Total paid", use.TotalPaid, FigureUnit.Dollars, hidden);
        }
    }

    /// <summary>Adds the derived utilization figures (after suppression): rates, PMPM, percent changes, estimated savings.</summary>
    public static void AddUtilizationRates(ReportCells cells, string prefix)
    {
        ArgumentNullException.ThrowIfNull(cells);
        foreach (var period in new[] { "pre", "post" })
        {
            var p = $"{prefix}.{period}";
            foreach (var (key, label, _) in Rates)
            {
                cells.Ratio($"{p}.{key}Per1000", label + " per 1,000 member-months", $"{p}.{key}", $"{p}.memberMonths", 1000m, FigureUnit.Per1000MemberMonths);
            }

            cells.Ratio($"{p}.bhPmpm", "BH paid PMPM", $"{p}.bhPaid", $"{p}.memberMonths", 1m, FigureUnit.Dollars, 2);
            cells.Ratio($"{p}.totalPmpm", "Total paid PMPM", $"{p}.totalPaid", $"{p}.memberMonths", 1m, FigureUnit.Dollars, 2);
        }

        foreach (var (key, label, scale, amount) in Measured)
        {
            var pre = Rate(cells, $"{prefix}.pre", amount, scale);
            var post = Rate(cells, $"{prefix}.post", amount, scale);
            decimal? change = pre is { } a && a != 0 && post is { } b ? Math.Round((b - a) / a * 100m, 1, MidpointRounding.AwayFromZero) : null;
            cells.Derived($"{prefix}.change.{key}Percent", label + ": change after vs before (%)", change, FigureUnit.Percent,
                $"{prefix}.pre.{amount}", $"{prefix}.post.{amount}", $"{prefix}.pre.memberMonths", $"{prefix}.post.memberMonths");
        }

        foreach (var (kind, label) in new[] { ("bh", "BH"), ("total", "Total") })
        {
            var pre = Rate(cells, $"{prefix}.pre", kind + "Paid", 1m);
            var post = Rate(cells, $"{prefix}.post", kind + "Paid", 1m);
            var postMonths = cells.Raw($"{prefix}.post.memberMonths");
            decimal? savings = pre is { } a && post is { } b && postMonths is { } m ? Math.Round((a - b) * m, 2, MidpointRounding.AwayFromZero) : null;
            cells.Derived($"{prefix}.estimatedSavings.{kind}", $"{label} estimated savings, pre/post (PMPM before - after) x post member-months",
                savings, FigureUnit.Dollars, $"{prefix}.pre.{kind}Paid", $"{prefix}.post.{kind}Paid", $"{prefix}.pre.memberMonths", $"{prefix}.post.memberMonths");
        }
    }

    /// <summary>The unrounded rate of <paramref name="amount"/> per member-month x <paramref name="scale"/> in one period (null without member-months).</summary>
    private static decimal? Rate(ReportCells cells, string period, string amount, decimal scale) =>
        cells.Raw($"{period}.memberMonths") is { } months && months != 0 && cells.Raw($"{period}.{amount}") is { } value ? value / months * scale : null;

    /// <summary>The rates the changes and the difference-in-differences are computed for: key, label, scale, the amount they divide.</summary>
    private static readonly (string Key, string Label, decimal Scale, string Amount)[] Measured =
    [
        .. Rates.Select(r => (r.Key + "Per1000", r.Label + " per 1,000 member-months", 1000m, r.Key)),
        ("bhPmpm", "BH paid PMPM", 1m, "bhPaid"),
        ("totalPmpm", "Total paid PMPM", 1m, "totalPaid"),
    ];

    /// <summary>
    /// Adds the difference-in-differences of the rates and PMPM (engaged change minus comparison change) and the
    /// savings it implies (minus the PMPM difference x the engaged group's post member-months).
    /// </summary>
    public static void AddDifferenceInDifferences(ReportCells cells, string engaged, string comparison, string prefix)
    {
        ArgumentNullException.ThrowIfNull(cells);
        foreach (var (key, label, scale, amount) in Measured)
        {
            string[] inputs = [$"{engaged}.pre.{amount}", $"{engaged}.post.{amount}", $"{comparison}.pre.{amount}", $"{comparison}.post.{amount}",
                $"{engaged}.pre.memberMonths", $"{engaged}.post.memberMonths", $"{comparison}.pre.memberMonths", $"{comparison}.post.memberMonths"];
            var rates = new[] { Rate(cells, $"{engaged}.pre", amount, scale), Rate(cells, $"{engaged}.post", amount, scale), Rate(cells, $"{comparison}.pre", amount, scale), Rate(cells, $"{comparison}.post", amount, scale) };
            decimal? did = rates.All(v => v is not null) ? (rates[1] - rates[0]) - (rates[3] - rates[2]) : null;
            var unit = scale == 1m ? FigureUnit.Dollars : FigureUnit.Per1000MemberMonths;
            cells.Derived($"{prefix}.{key}", label + ": difference-in-differences", did is { } d ? Math.Round(d, unit == FigureUnit.Dollars ? 2 : 1, MidpointRounding.AwayFromZero) : null, unit, inputs);
            if (unit == FigureUnit.Dollars && did is { } pmpm && cells.Raw($"{engaged}.post.memberMonths") is { } months)
            {
                var kind = amount == "bhPaid" ? "bh" : "total";
                cells.Derived($"{prefix}.estimatedSavings.{kind}", (kind == "bh" ? "BH" : "Total") + " estimated savings, difference-in-differences (minus the PMPM difference x engaged post member-months)",
                    Math.Round(-pmpm * months, 2, MidpointRounding.AwayFromZero), FigureUnit.Dollars, inputs);
            }
        }
    }

    /// <summary>
    /// Adds, per care-gap measure, the gaps of <paramref name="members"/> whose window overlaps each member's care-gap
    /// window (<see cref="ReportMonths.GapWindow"/>): identified = closed + open, with the relation recorded.
    /// </summary>
    public static void AddCareGaps(ReportCells cells, string prefix, IReadOnlyCollection<ReportEngagement> members, ReportMonths months)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(months);
        cells.Count($"{prefix}.members", "Members", members.Count);
        var gaps = members.SelectMany(m =>
        {
            var (from, to) = months.GapWindow(m.IndexDate);
            return m.Claims.Gaps.Where(g => g.IndexDate <= to && g.WindowEnd >= from);
        }).ToList();
        foreach (var measure in Measures)
        {
            var code = ClaimsTriggerRouter.MeasureCode(measure);
            var of = gaps.Where(g => g.Measure == measure).ToList();
            var closed = of.Count(g => g.Status == CareGapStatus.Closed);
            cells.Count($"{prefix}.{code}.identified", $"{code} gaps", of.Count);
            cells.Count($"{prefix}.{code}.closed", $"{code} gaps closed", closed);
            cells.Count($"{prefix}.{code}.open", $"{code} gaps open", of.Count - closed);
            cells.Sum($"{prefix}.{code}.identified", $"{prefix}.{code}.closed", $"{prefix}.{code}.open");
        }
    }

    /// <summary>Adds the closure rate per measure (after suppression).</summary>
    public static void AddCareGapRates(ReportCells cells, string prefix)
    {
        ArgumentNullException.ThrowIfNull(cells);
        foreach (var code in Measures.Select(ClaimsTriggerRouter.MeasureCode))
        {
            cells.Ratio($"{prefix}.{code}.closedPercent", $"{code} gaps closed (%)", $"{prefix}.{code}.closed", $"{prefix}.{code}.identified", 100m, FigureUnit.Percent);
        }
    }

    /// <summary>
    /// Adds provider outreach figures: answered = on time + late (on time: answered before the outreach was escalated to
    /// a peer-to-peer review), no response, peer-to-peer reviews recorded.
    /// </summary>
    public static void AddOutreach(ReportCells cells, string prefix, IReadOnlyCollection<ProviderOutreach> outreach)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(outreach);
        var answered = outreach.Where(o => o.Response is not null).ToList();
        var onTime = answered.Count(o => o.EscalatedAt is null);
        cells.Count($"{prefix}.requests", "Outreach requests emailed", outreach.Count(o => o.FirstEmailAt is not null));
        cells.Count($"{prefix}.answered", "Provider responses", answered.Count);
        cells.Count($"{prefix}.onTime", "Provider responses on time (before peer-to-peer escalation)", onTime);
        cells.Count($"{prefix}.late", "Provider responses after escalation", answered.Count - onTime);
        cells.Sum($"{prefix}.answered", $"{prefix}.onTime", $"{prefix}.late");
        cells.Count($"{prefix}.noResponse", "Outreach ended without response", outreach.Count(o => o.Status == ProviderOutreachStatus.NoResponse));
        cells.Count($"{prefix}.peerReviews", "Peer-to-peer reviews recorded", outreach.Count(o => o.PeerReview is not null));
    }

    /// <summary>The on-time share of provider responses (after suppression).</summary>
    public static void AddOutreachRates(ReportCells cells, string prefix)
    {
        ArgumentNullException.ThrowIfNull(cells);
        cells.Ratio($"{prefix}.onTimePercent", "Provider responses on time (%)", $"{prefix}.onTime", $"{prefix}.answered", 100m, FigureUnit.Percent);
    }
}
