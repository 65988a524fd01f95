using System.Globalization;
using Mets.Claims.Reading.Csv;

namespace Mets.Claims.Analytics;

/// <summary>One member-month of utilization. Amounts are decimal.</summary>
public sealed record MemberMonth(
    string MemberId,
    DateOnly Month,
    bool Enrolled,
    int BhInpatientStays,
    int BhEmergencyVisits,
    int OutpatientBhVisits,
    decimal BhPaid,
    decimal TotalPaid,
    int AntipsychoticFills,
    int AntidepressantFills,
    int SubstanceUseMedicationFills,
    int OtherFills);

/// <summary>Recent BH utilization of a member (for the risk-tier rule).</summary>
public sealed record MemberBhUtilization(string MemberId, DateOnly From, DateOnly To, int BhInpatientStays, int BhEmergencyVisits, int OutpatientBhVisitDays);

/// <summary>Everything the analytics derive for one member.</summary>
public sealed record MemberAnalysis(string MemberId, IReadOnlyList<MemberMonth> Months, IReadOnlyList<CareGap> Gaps, IReadOnlyList<ClaimsTrigger> Triggers);

/// <summary>Inputs that locate an analysis: the file that caused it and whether the member is engaged.</summary>
public sealed record AnalysisContext(string FileHash, DateOnly Today, bool MemberEngaged, IReadOnlySet<string> ClaimIdsInFile);

/// <summary>Derives member-months, care gaps and triggers from a member's current claims.</summary>
public sealed class MemberAnalyzer(ClaimsAnalyticsOptions options)
{
    private readonly ClaimsAnalyticsOptions _options = options;
    private readonly CareGapEvaluator _gaps = new(options);

    public MemberAnalysis Analyze(string memberId, IReadOnlyList<ClassifiedClaim> claims, IReadOnlyList<EligibilitySpan> eligibility, IReadOnlyList<CareGap> previousGaps, AnalysisContext context)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(eligibility);
        ArgumentNullException.ThrowIfNull(previousGaps);
        ArgumentNullException.ThrowIfNull(context);
        var months = Aggregate(memberId, claims, eligibility, context.Today);

        // With eligibility on file, a gap counts only when the member was enrolled from the index date
        // through the end of its window (or today, if earlier). Without eligibility data nothing is filtered.
        var gaps = _gaps.Evaluate(memberId, claims, context.Today)
            .Where(g => eligibility.Count == 0 || IsContinuouslyEnrolled(eligibility, g.IndexDate, g.WindowEnd < context.Today ? g.WindowEnd : context.Today))
            .ToList();
        var triggers = Triggers(memberId, claims, eligibility, gaps, previousGaps, context);
        return new MemberAnalysis(memberId, months, gaps, triggers);
    }

    /// <summary>True when coverage spans (which may touch or overlap) cover every day from
    /// <paramref name="from"/> through <paramref name="to"/>.</summary>
    public static bool IsContinuouslyEnrolled(IReadOnlyList<EligibilitySpan> eligibility, DateOnly from, DateOnly to)
    {
        ArgumentNullException.ThrowIfNull(eligibility);
        var covered = from;
        foreach (var span in eligibility.OrderBy(s => s.CoverageStart))
        {
            if (span.CoverageStart > covered)
            {
                break;
            }

            if (span.CoverageEnd is null)
            {
                return true;
            }

            if (span.CoverageEnd.Value >= covered)
            {
                covered = span.CoverageEnd.Value.AddDays(1);
            }

            if (covered > to)
            {
                return true;
            }
        }

        return covered > to;
    }

    public MemberBhUtilization Utilization(string memberId, IReadOnlyList<ClassifiedClaim> claims, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var from = today.AddDays(-_options.UtilizationLookbackDays);
        if (!claims.Any(c => c.IsBehavioralHealth || c.BhVisitDates.Count > 0))
        {
            return new MemberBhUtilization(memberId, from, today, 0, 0, 0);
        }

        return new MemberBhUtilization(
            memberId, from, today,
            claims.Count(c => c.IsBhInpatientStay && c.EndDate >= from && c.EndDate <= today),
            claims.Count(c => c.IsBhEmergencyVisit && c.StartDate >= from && c.StartDate <= today),
            claims.SelectMany(c => c.BhVisitDates).Where(d => d >= from && d <= today).Distinct().Count());
    }

    public static IReadOnlyList<MemberMonth> Aggregate(string memberId, IReadOnlyList<ClassifiedClaim> claims, IReadOnlyList<EligibilitySpan> eligibility, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(eligibility);
        var months = new Dictionary<DateOnly, Accumulator>();
        Accumulator At(DateOnly date)
        {
            var month = new DateOnly(date.Year, date.Month, 1);
            if (!months.TryGetValue(month, out var accumulator))
            {
                months[month] = accumulator = new Accumulator();
            }

            return accumulator;
        }

        foreach (var claim in claims)
        {
            var month = At(claim.StartDate);
            month.TotalPaid += claim.PaidAmount;
            if (claim.IsBehavioralHealth)
            {
                month.BhPaid += claim.PaidAmount;
            }

            if (claim.IsBhInpatientStay)
            {
                At(claim.EndDate).BhInpatientStays++;
            }

            if (claim.IsBhEmergencyVisit)
            {
                month.BhEmergencyVisits++;
            }

            foreach (var visit in claim.BhVisitDates)
            {
                At(visit).OutpatientBhVisits++;
            }

            foreach (var fill in claim.Fills)
            {
                var fillMonth = At(fill.FillDate);
                switch (fill.Class)
                {
                    case DrugClass.Antipsychotic:
                        fillMonth.AntipsychoticFills++;
                        break;
                    case DrugClass.Antidepressant:
                        fillMonth.AntidepressantFills++;
                        break;
                    case DrugClass.OpioidUseDisorderMedication or DrugClass.AlcoholUseDisorderMedication:
                        fillMonth.SubstanceUseMedicationFills++;
                        break;
                    default:
                        fillMonth.OtherFills++;
                        break;
                }
            }
        }

        var lastMonth = new DateOnly(today.Year, today.Month, 1);
        foreach (var span in eligibility)
        {
            var end = span.CoverageEnd is { } e && e < today ? e : today;
            for (var m = new DateOnly(span.CoverageStart.Year, span.CoverageStart.Month, 1); m <= end && m <= lastMonth; m = m.AddMonths(1))
            {
                At(m).Enrolled = true;
            }
        }

        return months.OrderBy(kv => kv.Key).Select(kv => new MemberMonth(
            memberId, kv.Key, kv.Value.Enrolled, kv.Value.BhInpatientStays, kv.Value.BhEmergencyVisits, kv.Value.OutpatientBhVisits,
            kv.Value.BhPaid, kv.Value.TotalPaid, kv.Value.AntipsychoticFills, kv.Value.AntidepressantFills, kv.Value.SubstanceUseMedicationFills, kv.Value.OtherFills)).ToList();
    }

    private List<ClaimsTrigger> Triggers(string memberId, IReadOnlyList<ClassifiedClaim> claims, IReadOnlyList<EligibilitySpan> eligibility, IReadOnlyList<CareGap> gaps, IReadOnlyList<CareGap> previousGaps, AnalysisContext context)
    {
        var triggers = new List<ClaimsTrigger>();
        var today = context.Today;
        void Add(ClaimsTriggerKind kind, DateOnly eventDate, DateOnly? windowEnd, IReadOnlyList<string> evidence, string evidenceKey) =>
            triggers.Add(new ClaimsTrigger(ClaimsTrigger.MakeId(context.FileHash, memberId, kind, evidenceKey), memberId, kind, eventDate, windowEnd, evidence));

        foreach (var gap in gaps.Where(g => g.IsActionable(today)))
        {
            var kind = gap.Measure switch
            {
                CareGapMeasure.FollowUpAfterHospitalization7 => ClaimsTriggerKind.FollowUpAfterHospitalizationDue,
                CareGapMeasure.FollowUpAfterEmergencyMentalIllness7 => ClaimsTriggerKind.FollowUpAfterEmergencyVisitDue,
                _ => (ClaimsTriggerKind?)null,
            };
            if (kind is { } k)
            {
                Add(k, gap.IndexDate, gap.WindowEnd, gap.Evidence, Key(gap.Measure, gap.IndexDate));
            }
        }

        var utilization = Utilization(memberId, claims, today);
        if (utilization.BhInpatientStays >= _options.RepeatedInpatientStays)
        {
            var last = claims.Where(c => c.IsBhInpatientStay && c.EndDate >= utilization.From && c.EndDate <= today).Max(c => c.EndDate);
            Add(ClaimsTriggerKind.RepeatedBhInpatientStays, last, null, [Count("bh-inpatient-stays", utilization.BhInpatientStays)], Key("stays", last, utilization.BhInpatientStays));
        }

        if (utilization.BhEmergencyVisits >= _options.FrequentEmergencyVisits)
        {
            var last = claims.Where(c => c.IsBhEmergencyVisit && c.StartDate >= utilization.From && c.StartDate <= today).Max(c => c.StartDate);
            Add(ClaimsTriggerKind.FrequentBhEmergencyVisits, last, null, [Count("bh-ed-visits", utilization.BhEmergencyVisits)], Key("ed", last, utilization.BhEmergencyVisits));
        }

        if (utilization.OutpatientBhVisitDays >= _options.HighOutpatientVisits)
        {
            var last = claims.SelectMany(c => c.BhVisitDates).Where(d => d >= utilization.From && d <= today).Max();
            Add(ClaimsTriggerKind.HighOutpatientBhUtilization, last, null, [Count("outpatient-bh-visit-days", utilization.OutpatientBhVisitDays)], Key("outpatient", last, utilization.OutpatientBhVisitDays));
        }

        foreach (var gap in gaps.Where(g => g.Measure == CareGapMeasure.AntipsychoticAdherence && g.Status == CareGapStatus.Open))
        {
            Add(ClaimsTriggerKind.LowAntipsychoticAdherence, gap.IndexDate, gap.WindowEnd, gap.Evidence, Key(gap.Measure, gap.IndexDate) + string.Join(',', gap.Evidence));
        }

        if (!context.MemberEngaged)
        {
            return triggers;
        }

        var recent = today.AddDays(-_options.RecentEventDays);
        foreach (var claim in claims.Where(c => context.ClaimIdsInFile.Contains(c.Claim.ClaimId)))
        {
            if (claim.IsBhInpatientStay && claim.EndDate >= recent)
            {
                Add(ClaimsTriggerKind.BhDischarge, claim.EndDate, null, claim.EvidenceCodes(), Key("discharge", claim.EndDate) + claim.Claim.ClaimId);
            }

            if (claim.IsBhEmergencyVisit && claim.StartDate >= recent)
            {
                Add(ClaimsTriggerKind.BhEmergencyVisit, claim.StartDate, null, claim.EvidenceCodes(), Key("ed-visit", claim.StartDate) + claim.Claim.ClaimId);
            }
        }

        var before = previousGaps.ToDictionary(g => g.Id, StringComparer.Ordinal);
        foreach (var gap in gaps)
        {
            var evidence = gap.Evidence.Prepend("measure:" + gap.Measure).ToList();
            if (gap.Status == CareGapStatus.Open && gap.WindowEnd >= today && !before.ContainsKey(gap.Id))
            {
                Add(ClaimsTriggerKind.CareGapOpened, gap.IndexDate, gap.WindowEnd, evidence, Key(gap.Measure, gap.IndexDate));
            }
            else if (gap.Status == CareGapStatus.Closed && (!before.TryGetValue(gap.Id, out var previous) || previous.Status == CareGapStatus.Open))
            {
                Add(ClaimsTriggerKind.CareGapClosed, gap.ClosedOn ?? gap.IndexDate, gap.WindowEnd, evidence, Key(gap.Measure, gap.IndexDate));
            }
        }

        if (eligibility.Count > 0 && !eligibility.Any(s => s.Covers(today)))
        {
            var lastEnd = eligibility.Max(s => s.CoverageEnd ?? today);
            if (lastEnd < today)
            {
                Add(ClaimsTriggerKind.EligibilityLost, lastEnd, null, ["eligibility-ended"], Key("eligibility", lastEnd));
            }
        }

        return triggers;
    }

    private static string Count(string name, int count) => name + ":" + count.ToString(CultureInfo.InvariantCulture);

    private static string Key(object what, DateOnly date, int count = 0) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}|{date:yyyyMMdd}|{count}");

    private sealed class Accumulator
    {
        public bool Enrolled { get; set; }

        public int BhInpatientStays { get; set; }

        public int BhEmergencyVisits { get; set; }

        public int OutpatientBhVisits { get; set; }

        public decimal BhPaid { get; set; }

        public decimal TotalPaid { get; set; }

        public int AntipsychoticFills { get; set; }

        public int AntidepressantFills { get; set; }

        public int SubstanceUseMedicationFills { get; set; }

        public int OtherFills { get; set; }
    }
}
