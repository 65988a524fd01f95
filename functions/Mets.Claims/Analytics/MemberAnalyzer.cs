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

/// <summary>Inputs that locate an analysis: the file that caused it (which claims it brought; never part of a
/// trigger's identity), the day it runs "as of" and whether the member is engaged.</summary>
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

        // Age (from the claims' birth date) and continuous enrollment (from the coverage on file) are applied
        // per measure, each with its own periods and allowed gap.
        var gaps = _gaps.Evaluate(memberId, claims, context.Today, MemberFacts.From(claims, eligibility)).ToList();
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
        // Every key names the index event (what it is and its date), never the file: the same trigger revealed
        // by two files has one id (ClaimsTrigger.MakeId).
        var triggers = new List<ClaimsTrigger>();
        var today = context.Today;
        void Add(ClaimsTriggerKind kind, DateOnly eventDate, DateOnly? windowEnd, IReadOnlyList<string> evidence, string indexEventKey) =>
            triggers.Add(new ClaimsTrigger(ClaimsTrigger.MakeId(memberId, kind, indexEventKey), memberId, kind, eventDate, windowEnd, evidence));

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

        // Utilization triggers: the index event is the start of the current qualifying episode (the event that
        // brought the count within the look-back to the threshold, the count staying there since), so later
        // stays, visits or a moving look-back do not make a new trigger while the episode lasts.
        var utilization = Utilization(memberId, claims, today);
        if (utilization.BhInpatientStays >= _options.RepeatedInpatientStays
            && ThresholdEpisodeStart(claims.Where(c => c.IsBhInpatientStay).Select(c => c.EndDate), _options.RepeatedInpatientStays, today) is { } stays)
        {
            Add(ClaimsTriggerKind.RepeatedBhInpatientStays, stays, null, [Count("bh-inpatient-stays", utilization.BhInpatientStays)], Key("stays-episode", stays));
        }

        if (utilization.BhEmergencyVisits >= _options.FrequentEmergencyVisits
            && ThresholdEpisodeStart(claims.Where(c => c.IsBhEmergencyVisit).Select(c => c.StartDate), _options.FrequentEmergencyVisits, today) is { } visits)
        {
            Add(ClaimsTriggerKind.FrequentBhEmergencyVisits, visits, null, [Count("bh-ed-visits", utilization.BhEmergencyVisits)], Key("ed-episode", visits));
        }

        if (utilization.OutpatientBhVisitDays >= _options.HighOutpatientVisits
            && ThresholdEpisodeStart(claims.SelectMany(c => c.BhVisitDates).Distinct(), _options.HighOutpatientVisits, today) is { } outpatient)
        {
            Add(ClaimsTriggerKind.HighOutpatientBhUtilization, outpatient, null, [Count("outpatient-bh-visit-days", utilization.OutpatientBhVisitDays)], Key("outpatient-episode", outpatient));
        }

        foreach (var gap in gaps.Where(g => g.Measure == CareGapMeasure.AntipsychoticAdherence && g.Status == CareGapStatus.Open))
        {
            // One per treatment period (its first fill): a PDC that moves with each file is the same trigger.
            Add(ClaimsTriggerKind.LowAntipsychoticAdherence, gap.IndexDate, gap.WindowEnd, gap.Evidence, Key(gap.Measure, gap.IndexDate));
        }

        if (!context.MemberEngaged)
        {
            return triggers;
        }

        var recent = today.AddDays(-_options.RecentEventDays);
        foreach (var claim in claims.Where(c => context.ClaimIdsInFile.Contains(c.Claim.ClaimId)))
        {
            // The event is the discharge (the ED visit) on its date, whichever claim or file reports it.
            if (claim.IsBhInpatientStay && claim.EndDate >= recent)
            {
                Add(ClaimsTriggerKind.BhDischarge, claim.EndDate, null, claim.EvidenceCodes(), Key("discharge", claim.EndDate));
            }

            if (claim.IsBhEmergencyVisit && claim.StartDate >= recent)
            {
                Add(ClaimsTriggerKind.BhEmergencyVisit, claim.StartDate, null, claim.EvidenceCodes(), Key("ed-visit", claim.StartDate));
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
                Add(ClaimsTriggerKind.EligibilityLost, lastEnd, null, ["eligibility-ended"], Key("eligibility-ended", lastEnd));
            }
        }

        return triggers;
    }

    /// <summary>
    /// The start of the threshold episode running on <paramref name="today"/>, or null when the count of events
    /// within the utilization look-back (the <paramref name="threshold"/>) is not met today. An episode starts on
    /// the event that brings the count within the look-back to the threshold and lasts while the count stays
    /// there; the count only falls between events, so it is checked on the day before each later event and today.
    /// </summary>
    internal DateOnly? ThresholdEpisodeStart(IEnumerable<DateOnly> eventDates, int threshold, DateOnly today)
    {
        var dates = eventDates.Where(d => d <= today).Order().ToList();
        int CountOn(DateOnly day)
        {
            var from = day.AddDays(-_options.UtilizationLookbackDays);
            return dates.Count(d => d >= from && d <= day);
        }

        DateOnly? start = null;
        for (var i = 0; i < dates.Count; i++)
        {
            var day = dates[i];
            if (i + 1 < dates.Count && dates[i + 1] == day)
            {
                continue; // count the day once all of its events are in
            }

            start ??= CountOn(day) >= threshold ? day : null;
            var beforeNext = i + 1 < dates.Count ? dates[i + 1].AddDays(-1) : today;
            if (start is not null && CountOn(beforeNext) < threshold)
            {
                start = null;
            }
        }

        return start;
    }

    private static string Count(string name, int count) => name + ":" + count.ToString(CultureInfo.InvariantCulture);

    private static string Key(object what, DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}|{date:yyyyMMdd}");

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
