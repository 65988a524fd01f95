using System.Globalization;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Referrals;

namespace Mets.Workflow.Reports;

/// <summary>
/// Computes the outcome report from the engagements that started in the period and their members' claims. Pure: the
/// same engagements, claims, options and as-of time give the same report (docs/outcomes.md defines every figure).
/// </summary>
public static class OutcomeReportBuilder
{
    public const string Engaged = "utilization.engaged";
    public const string Comparison = "utilization.comparison";
    public const string DifferenceInDifferences = "utilization.did";

    public const string Method =
        "Cohort: engagements whose referral was received from the report's first through its last day, followed up to the as-of time. " +
        "Engaged = the assessment was completed. Comparison group = members referred by a claims trigger whose engagement closed without an assessment (triggered but not engaged). " +
        "Utilization and spend compare the months before the month an engagement started with the months after it (the start month is in neither), counting a member-month only when coverage is on file and the month's claims run-out has passed, and only members with at least one counted month in both periods. " +
        "Pre/post figures describe change, not its cause: members are often referred at a peak of use, which falls back on its own (regression to the mean), so pre/post savings overstate the program's effect. " +
        "The difference-in-differences subtracts the comparison group's change from the engaged group's, which removes trends shared by both groups; it is still not causal (the groups differ in who chooses to engage) and is computed only when both groups are large enough. " +
        "Every count from 1 to the minimum cell count minus one is suppressed, with complementary suppression so a hidden count cannot be recovered from totals; figures made from a hidden count are hidden too.";

    public static OutcomeReport Build(ReportOptions options, DateOnly from, DateOnly to, DateTimeOffset asOf, IReadOnlyList<ReportEngagement> engagements)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engagements);
        var k = options.MinimumCellCount;
        var months = new ReportMonths(DateOnly.FromDateTime(asOf.UtcDateTime), options.ClaimsRunOutMonths, options.PrePostMonths);
        var funnel = new ReportCells();
        var timeliness = new ReportCells();
        var gaps = new ReportCells();
        var utilization = new ReportCells();
        var care = new ReportCells();

        AddFunnel(funnel, engagements, from, to);
        AddTimeliness(timeliness, engagements, asOf);

        var engaged = engagements.Where(e => e.Engaged).ToList();
        var comparison = engagements.Where(e => e.TriggeredNotEngaged).ToList();
        CohortMeasures.AddCareGaps(gaps, "careGaps.engaged", engaged, months);
        CohortMeasures.AddCareGaps(gaps, "careGaps.comparison", comparison, months);

        var engagedUse = CohortMeasures.Utilization(engaged, months);
        var comparisonUse = CohortMeasures.Utilization(comparison, months);
        CohortMeasures.AddUtilization(utilization, Engaged, engagedUse, k);
        CohortMeasures.AddUtilization(utilization, Comparison, comparisonUse, k);

        AddMeasurementBasedCare(care, engaged);

        foreach (var cells in new[] { funnel, timeliness, gaps, utilization, care })
        {
            cells.Suppress(k);
        }

        AddFunnelRates(funnel, engagements);
        AddTimelinessRates(timeliness);
        CohortMeasures.AddCareGapRates(gaps, "careGaps.engaged");
        CohortMeasures.AddCareGapRates(gaps, "careGaps.comparison");
        CohortMeasures.AddUtilizationRates(utilization, Engaged);
        CohortMeasures.AddUtilizationRates(utilization, Comparison);
        var threshold = options.DifferenceInDifferencesMinimumMembers;
        var didComputed = engagedUse.Members >= threshold && comparisonUse.Members >= threshold;
        if (didComputed)
        {
            CohortMeasures.AddDifferenceInDifferences(utilization, Engaged, Comparison, DifferenceInDifferences);
        }

        AddMeasurementBasedCareRates(care);

        var utilizationFigures = utilization.Figures();
        ReportFigure Of(string key) => utilizationFigures.Single(f => f.Key == key);
        var did = new DifferenceInDifferencesStatus(
            didComputed,
            threshold,
            Of($"{Engaged}.members"),
            Of($"{Comparison}.members"),
            didComputed
                ? $"Computed: both groups have at least {threshold} members with both periods."
                : $"Not computed: each group needs at least {threshold} members with both periods (engaged: {Describe(Of($"{Engaged}.members"), k)}, comparison: {Describe(Of($"{Comparison}.members"), k)}).");

        var sections = new List<ReportSection>
        {
            new("funnel", "Referrals and engagement", "Referrals by source (claims triggers by the referral reason they carry), engagements, engaged, active and closed by reason; trend by the month the engagement started.", funnel.Figures()),
            new("timeliness", "Timeliness", "Steps done by their due date; provider responses before the peer-to-peer escalation; reminders and escalations sent.", timeliness.Figures()),
            new("careGaps", "Care gaps reviewed and closed", "Claims care gaps whose window overlaps the index date through the pre/post months after it: engaged members against triggered-but-not-engaged members.", gaps.Figures()),
            new("utilization", "Utilization and spend before and after", "Per 1,000 member-months and per member per month (PMPM), before vs after the month the engagement started. Pre/post is not causal; see the method.", utilizationFigures),
            new("measurementBasedCare", "Measurement-based care", "PHQ-9 and GAD-7: response = a drop of 50 % or more from a baseline of 10 or more, remission = below 5, at the latest review.", care.Figures()),
        };

        var report = new OutcomeReport(from, to, asOf, k, Method,
            new RunOutStatus(options.ClaimsRunOutMonths, ReportMonths.Name(months.CompleteThrough), IncompleteMonths(engaged.Concat(comparison), months)),
            did, sections, []);
        return report with { Targets = Targets(options.Targets, report, from, to) };
    }

    private static string Describe(ReportFigure figure, int minimum) =>
        figure.Suppressed ? $"fewer than {minimum}" : figure.Display;

    private static void AddFunnel(ReportCells cells, IReadOnlyList<ReportEngagement> engagements, DateOnly from, DateOnly to)
    {
        var referrals = engagements.SelectMany(e => e.Case.Referrals).ToList();
        var sources = Enum.GetValues<ReferralSource>();
        cells.Count("funnel.referrals", "Referrals", referrals.Count);
        foreach (var source in sources)
        {
            cells.Count($"funnel.referrals.{CohortMeasures.Camel(source)}", $"Referrals from {Words(source.ToString())}", referrals.Count(r => r.Source == source));
        }

        cells.Sum("funnel.referrals", [.. sources.Select(s => $"funnel.referrals.{CohortMeasures.Camel(s)}")]);
        var claims = referrals.Where(r => r.Source == ReferralSource.ClaimsAnalytics).ToList();
        ReferralReason[] triggerReasons = [ReferralReason.OpenCareGap, ReferralReason.HighBehavioralHealthUtilization, ReferralReason.MedicationNonadherence];
        foreach (var reason in triggerReasons)
        {
            cells.Count($"funnel.referrals.claimsAnalytics.{CohortMeasures.Camel(reason)}", $"Claims trigger: {Words(reason.ToString())}", claims.Count(r => r.Reason == reason));
        }

        cells.Count("funnel.referrals.claimsAnalytics.otherReason", "Claims trigger: other reason", claims.Count(r => !triggerReasons.Contains(r.Reason)));
        cells.Sum("funnel.referrals.claimsAnalytics", [.. triggerReasons.Select(r => $"funnel.referrals.claimsAnalytics.{CohortMeasures.Camel(r)}"), "funnel.referrals.claimsAnalytics.otherReason"]);

        var closed = engagements.Where(e => e.Case.Status == EngagementStatus.Closed).ToList();
        var engaged = engagements.Count(e => e.Engaged);
        cells.Count("funnel.engagements", "Engagements started", engagements.Count);
        cells.Count("funnel.engaged", "Engaged (assessment completed)", engaged);
        cells.Count("funnel.notEngaged", "Not engaged", engagements.Count - engaged);
        cells.Sum("funnel.engagements", "funnel.engaged", "funnel.notEngaged");
        cells.Count("funnel.active", "Active (engaged, open)", engagements.Count(e => e.Engaged && e.Case.Status != EngagementStatus.Closed));
        cells.Count("funnel.closedAfterEngagement", "Closed after engagement", closed.Count(e => e.Engaged));
        cells.Sum("funnel.engaged", "funnel.active", "funnel.closedAfterEngagement");
        cells.Count("funnel.awaitingAssessment", "Open, awaiting the assessment", engagements.Count(e => !e.Engaged && e.Case.Status != EngagementStatus.Closed));
        cells.Count("funnel.closedBeforeEngagement", "Closed without an assessment", closed.Count(e => !e.Engaged));
        cells.Sum("funnel.notEngaged", "funnel.awaitingAssessment", "funnel.closedBeforeEngagement");
        cells.Count("funnel.closed", "Closed", closed.Count);
        cells.Sum("funnel.closed", "funnel.closedAfterEngagement", "funnel.closedBeforeEngagement");
        foreach (var reason in Enum.GetValues<ClosureReason>())
        {
            cells.Count($"funnel.closed.{CohortMeasures.Camel(reason)}", $"Closed: {Words(reason.ToString())}", closed.Count(e => e.Case.Outcome?.Reason == reason));
        }

        cells.Sum("funnel.closed", [.. Enum.GetValues<ClosureReason>().Select(r => $"funnel.closed.{CohortMeasures.Camel(r)}")]);

        var monthKeys = new List<(string Started, string Engaged)>();
        for (var month = ReportMonths.MonthOf(from); month <= to; month = month.AddMonths(1))
        {
            var next = month.AddMonths(1);
            var started = engagements.Where(e => e.IndexDate >= month && e.IndexDate < next).ToList();
            var name = ReportMonths.Name(month);
            cells.Count($"trend.{name}.engagements", $"{name}: engagements started", started.Count);
            cells.Count($"trend.{name}.engaged", $"{name}: engaged", started.Count(e => e.Engaged));
            monthKeys.Add(($"trend.{name}.engagements", $"trend.{name}.engaged"));
        }

        cells.Sum("funnel.engagements", [.. monthKeys.Select(m => m.Started)]);
        cells.Sum("funnel.engaged", [.. monthKeys.Select(m => m.Engaged)]);
    }

    private static void AddFunnelRates(ReportCells cells, IReadOnlyList<ReportEngagement> engagements)
    {
        var days = engagements.Where(e => e.Engaged)
            .Select(e => (decimal)(e.Case.Assessment!.CompletedAt - e.Case.StartedAt).TotalDays)
            .Order()
            .ToList();
        decimal? median = days.Count == 0 ? null
            : days.Count % 2 == 1 ? days[days.Count / 2]
            : (days[(days.Count / 2) - 1] + days[days.Count / 2]) / 2;
        decimal? mean = days.Count == 0 ? null : days.Average();
        cells.Derived("funnel.daysToAssessment.median", "Days from referral to assessment (median)", Round(median), FigureUnit.Days, "funnel.engaged");
        cells.Derived("funnel.daysToAssessment.mean", "Days from referral to assessment (mean)", Round(mean), FigureUnit.Days, "funnel.engaged");
        cells.Ratio("funnel.engagedPercent", "Engaged (% of engagements started)", "funnel.engaged", "funnel.engagements", 100m, FigureUnit.Percent);
    }

    private static void AddTimeliness(ReportCells cells, IReadOnlyList<ReportEngagement> engagements, DateTimeOffset asOf)
    {
        var cases = engagements.Select(e => e.Case).ToList();
        var assessed = cases.Where(c => c.Assessment is not null).ToList();
        var assessedOnTime = assessed.Count(c => c.DueDates.AssessmentDueAt is not { } due || c.Assessment!.CompletedAt <= due);
        cells.Count("timeliness.assessments.completed", "Assessments completed", assessed.Count);
        cells.Count("timeliness.assessments.onTime", "Assessments completed by their due date", assessedOnTime);
        cells.Count("timeliness.assessments.late", "Assessments completed late", assessed.Count - assessedOnTime);
        cells.Sum("timeliness.assessments.completed", "timeliness.assessments.onTime", "timeliness.assessments.late");
        cells.Count("timeliness.assessments.overdueNow", "Assessments overdue now", cases.Count(c =>
            c.Assessment is null && c.Status != EngagementStatus.Closed && c.DueDates.AssessmentDueAt is { } due && due <= asOf));

        CohortMeasures.AddOutreach(cells, "timeliness.providerResponses", [.. cases.SelectMany(c => c.Outreach)]);

        var reviews = cases.SelectMany(ReviewTimeliness).ToList();
        var reviewsOnTime = reviews.Count(r => r);
        cells.Count("timeliness.reviews.completed", "Reviews completed", reviews.Count);
        cells.Count("timeliness.reviews.onTime", "Reviews completed by their due date", reviewsOnTime);
        cells.Count("timeliness.reviews.late", "Reviews completed late", reviews.Count - reviewsOnTime);
        cells.Sum("timeliness.reviews.completed", "timeliness.reviews.onTime", "timeliness.reviews.late");
        cells.Count("timeliness.reviews.overdueNow", "Reviews overdue now", cases.Count(c =>
            c.Status != EngagementStatus.Closed && c.CurrentStep.Step.Step == EngagementStep.Review && c.CurrentStep.DueAt is { } due && due <= asOf));

        var timeline = cases.SelectMany(c => c.Timeline).ToList();
        cells.Count("timeliness.reminders.staff", "Reminders sent to staff", timeline.Count(e => e.Kind == TimelineEntryKind.ReminderSent));
        cells.Count("timeliness.reminders.provider", "Reminders sent to providers", timeline.Count(e => e.Kind == TimelineEntryKind.ProviderReminded));
        var escalations = timeline.Where(e => e.Kind == TimelineEntryKind.EscalatedToSupervisor).ToList();
        var safety = EngagementCase.Code("reason", EscalationReason.SafetyScreen);
        cells.Count("timeliness.escalations.overdue", "Escalations to the supervisor: step overdue", escalations.Count(e => !e.Details.Contains(safety)));
        cells.Count("timeliness.escalations.safetyScreen", "Escalations to the supervisor: safety screen", escalations.Count(e => e.Details.Contains(safety)));
        cells.Count("timeliness.escalations.noProviderResponse", "Escalations to the medical director: no provider response",
            timeline.Count(e => e.Kind == TimelineEntryKind.ProviderEscalatedToMedicalDirector));
    }

    /// <summary>For each completed review: whether it was done by the due date its step had when it was completed.</summary>
    private static IEnumerable<bool> ReviewTimeliness(EngagementCase engagement)
    {
        var due = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var entry in engagement.Timeline)
        {
            var step = entry.Details.FirstOrDefault(d => d.StartsWith("step=", StringComparison.Ordinal));
            if (step is null)
            {
                continue;
            }

            if (entry.Kind == TimelineEntryKind.ReviewDueChanged
                && entry.Details.FirstOrDefault(d => d.StartsWith("due=", StringComparison.Ordinal)) is { } dueCode
                && DateTimeOffset.TryParse(dueCode["due=".Length..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                due[step] = at;
            }
            else if (entry.Kind == TimelineEntryKind.ReviewCompleted)
            {
                yield return !due.TryGetValue(step, out var by) || entry.At <= by;
            }
        }
    }

    private static void AddTimelinessRates(ReportCells cells)
    {
        cells.Ratio("timeliness.assessments.onTimePercent", "Assessments on time (%)", "timeliness.assessments.onTime", "timeliness.assessments.completed", 100m, FigureUnit.Percent);
        CohortMeasures.AddOutreachRates(cells, "timeliness.providerResponses");
        cells.Ratio("timeliness.reviews.onTimePercent", "Reviews on time (%)", "timeliness.reviews.onTime", "timeliness.reviews.completed", 100m, FigureUnit.Percent);
    }

    private static void AddMeasurementBasedCare(ReportCells cells, IReadOnlyList<ReportEngagement> engaged)
    {
        foreach (var (key, name, baseline, later) in new (string, string, Func<EngagementCase, int?>, Func<ScoreObservation, int?>)[]
        {
            ("phq9", "PHQ-9", c => c.Assessment?.Scores.Phq9?.Total, s => s.Phq9Total),
            ("gad7", "GAD-7", c => c.Assessment?.Scores.Gad7?.Total, s => s.Gad7Total),
        })
        {
            var eligible = engaged.Select(e => e.Case).Where(c => baseline(c) is >= OutcomeSnapshot.ResponseBaselineMinimum).ToList();
            var followed = eligible
                .Select(c => (Baseline: baseline(c)!.Value, Latest: c.ScoreHistory.Skip(1).Select(later).LastOrDefault(v => v is not null)))
                .Where(x => x.Latest is not null)
                .ToList();
            var response = followed.Count(x => x.Latest!.Value * 2 <= x.Baseline);
            var remission = followed.Count(x => x.Latest!.Value < OutcomeSnapshot.RemissionBelow);
            var p = $"mbc.{key}";
            cells.Count($"{p}.baselineAtLeast10", $"{name} baseline of 10 or more", eligible.Count);
            cells.Count($"{p}.withFollowUp", $"{name} rescored at a review", followed.Count);
            cells.Count($"{p}.withoutFollowUp", $"{name} not rescored yet", eligible.Count - followed.Count);
            cells.Sum($"{p}.baselineAtLeast10", $"{p}.withFollowUp", $"{p}.withoutFollowUp");
            cells.Count($"{p}.response", $"{name} response (50 % drop or more)", response);
            cells.Count($"{p}.noResponse", $"{name} no response", followed.Count - response);
            cells.Sum($"{p}.withFollowUp", $"{p}.response", $"{p}.noResponse");
            cells.Count($"{p}.remission", $"{name} remission (below 5)", remission);
            cells.Count($"{p}.noRemission", $"{name} no remission", followed.Count - remission);
            cells.Sum($"{p}.withFollowUp", $"{p}.remission", $"{p}.noRemission");
        }
    }

    private static void AddMeasurementBasedCareRates(ReportCells cells)
    {
        foreach (var (key, name) in new[] { ("phq9", "PHQ-9"), ("gad7", "GAD-7") })
        {
            cells.Ratio($"mbc.{key}.responsePercent", $"{name} response (%)", $"mbc.{key}.response", $"mbc.{key}.withFollowUp", 100m, FigureUnit.Percent);
            cells.Ratio($"mbc.{key}.remissionPercent", $"{name} remission (%)", $"mbc.{key}.remission", $"mbc.{key}.withFollowUp", 100m, FigureUnit.Percent);
        }
    }

    private static IReadOnlyList<ReferenceTarget> Targets(ReportTargets targets, OutcomeReport report, DateOnly from, DateOnly to)
    {
        var engaged = report.Find("funnel.engaged")!;
        var days = to.DayNumber - from.DayNumber + 1;
        var annualized = engaged with
        {
            Key = "targets.measured.engagedPerYear",
            Label = $"Engaged in this report's {days} days, scaled to 365 days",
            Value = engaged.Value is { } v ? Math.Round(v * 365m / days, 0, MidpointRounding.AwayFromZero) : null,
        };
        ReportFigure? Negated(string key, string label) => report.Find(key) is { } f
            ? f with { Key = "targets.measured." + key, Label = label, Value = f.Value is { } x ? -x : null }
            : null;
        return
        [
            new("membersEngagedPerYear", "Members engaged and reviewed for open care gaps in a year", targets.MembersEngagedPerYear, FigureUnit.Count,
                "Published: over 10,000 members a year.", annualized),
            new("annualSavings", $"Savings in {targets.SavingsYear.ToString(CultureInfo.InvariantCulture)}", targets.AnnualSavingsDollars, FigureUnit.Dollars,
                "Published: $22 million in 2023. Measured beside it: this cohort's pre/post estimated total savings over its counted post months (not causal, not annual).",
                report.Find($"{Engaged}.estimatedSavings.total") is { } s ? s with { Key = "targets.measured.savings" } : null),
            new("outpatientUtilizationReduction", "Less unnecessary outpatient utilization (%)", targets.OutpatientUtilizationReductionPercent, FigureUnit.Percent,
                "Published: 30 % or more. Measured beside it: the pre/post fall in all BH outpatient visits per 1,000 member-months (claims cannot tell which visits were unnecessary).",
                Negated($"{Engaged}.change.outpatientVisitsPer1000Percent", "Fall in BH outpatient visits per 1,000 member-months, pre/post (%)")),
            new("bhSpendReduction", "Lower BH spend (%)", targets.BhSpendReductionPercent, FigureUnit.Percent,
                "Published: 23 %. Measured beside it: the pre/post fall in BH paid PMPM.",
                Negated($"{Engaged}.change.bhPmpmPercent", "Fall in BH paid PMPM, pre/post (%)")),
        ];
    }

    private static IReadOnlyList<string> IncompleteMonths(IEnumerable<ReportEngagement> members, ReportMonths months) =>
        [.. members.SelectMany(m => months.Pre(m.IndexDate).Concat(months.Post(m.IndexDate)))
            .Where(m => !months.IsComplete(m) && m <= ReportMonths.MonthOf(months.AsOf))
            .Distinct()
            .Order()
            .Select(ReportMonths.Name)];

    private static decimal? Round(decimal? value) => value is { } v ? Math.Round(v, 1, MidpointRounding.AwayFromZero) : null;

    /// <summary>"HighBehavioralHealthUtilization" -> "high behavioral health utilization".</summary>
    internal static string Words(string pascal)
    {
        var words = new System.Text.StringBuilder(pascal.Length + 8);
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }
}
