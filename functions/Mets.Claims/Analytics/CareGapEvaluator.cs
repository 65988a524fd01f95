namespace Mets.Claims.Analytics;

/// <summary>
/// Evaluates a member's care gaps from the member's current (not superseded, not voided) claims, following
/// the published measure definitions as far as claims and public code sets allow (docs/claims.md lists the
/// sources and what remains simplified): index events, exclusions, minimum ages on the index date and
/// continuous enrollment where coverage is on file. Pure: the same claims, facts and "today" give the same gaps.
/// </summary>
public sealed class CareGapEvaluator(ClaimsAnalyticsOptions options)
{
    private const string AgeUnknown = "age:unknown";
    private readonly ClaimsAnalyticsOptions _options = options;

    /// <summary>Evaluates without a birth date or coverage on file (no age or enrollment rule applied).</summary>
    public IReadOnlyList<CareGap> Evaluate(string memberId, IReadOnlyList<ClassifiedClaim> claims, DateOnly today) =>
        Evaluate(memberId, claims, today, MemberFacts.Unknown);

    public IReadOnlyList<CareGap> Evaluate(string memberId, IReadOnlyList<ClassifiedClaim> claims, DateOnly today, MemberFacts facts)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(facts);
        var gaps = new List<CareGap>();
        var outpatient = new List<ClassifiedClaim>();
        var fills = new List<PharmacyFill>();
        var stays = new List<ClassifiedClaim>();
        var relevant = false;
        foreach (var claim in claims)
        {
            switch (claim.Setting)
            {
                case ClaimSetting.Outpatient:
                    outpatient.Add(claim);
                    break;
                case ClaimSetting.InpatientStay:
                    stays.Add(claim);
                    break;
                case ClaimSetting.PharmacyFill:
                    foreach (var fill in claim.Fills)
                    {
                        fills.Add(fill);
                        relevant |= fill.Class != DrugClass.Other;
                    }

                    break;
            }

            relevant |= claim.AnyDiagnosis != BhDiagnosisFamilies.None;
        }

        // Every measure starts from a BH diagnosis or a tracked drug class: nothing to evaluate without one.
        if (!relevant)
        {
            return gaps;
        }

        var earliestIndex = today.AddDays(-_options.GapLookbackDays);
        stays.Sort((a, b) => a.EndDate.CompareTo(b.EndDate));
        var run = new Run(memberId, today, facts, gaps);

        FollowUpAfterHospitalization(run, stays, outpatient, earliestIndex);
        FollowUpAfterEmergency(run, claims, stays, outpatient, fills, earliestIndex);
        SubstanceUseTreatment(run, claims, fills, earliestIndex);
        AntidepressantManagement(run, claims, fills, earliestIndex);
        AntipsychoticAdherence(run, claims, fills);

        // Two index events of one measure on the same date (e.g. two stays ending the same day) are one
        // gap; it is closed when any of them was followed up.
        if (gaps.Count < 2 || gaps.Select(g => g.Id).Distinct(StringComparer.Ordinal).Count() == gaps.Count)
        {
            return gaps;
        }

        return gaps.GroupBy(g => g.Id, StringComparer.Ordinal)
            .Select(g => g.FirstOrDefault(x => x.Status == CareGapStatus.Closed) ?? g.First())
            .ToList();
    }

    /// <summary>
    /// FUH: an acute inpatient discharge with a principal mental-illness diagnosis or any intentional self-harm
    /// diagnosis, the member 6 or older on the discharge date and enrolled through 30 days after it. A discharge
    /// followed within the 30-day follow-up period (admission on the discharge date through 30 days after) by a
    /// readmission or direct transfer does not count: to an acute stay for mental health, the later discharge
    /// counts instead (it is an index event of its own); to an acute stay for anything else, or to a nonacute
    /// stay, neither counts. A transfer to psychiatric residential treatment is neither. Nonacute stays are never
    /// index events. The follow-up must fall after the discharge date.
    /// </summary>
    private static void FollowUpAfterHospitalization(Run run, List<ClassifiedClaim> stays, List<ClassifiedClaim> outpatient, DateOnly earliest)
    {
        foreach (var stay in stays)
        {
            if (stay.IsNonacuteStay || !IsMentalHealthIndex(stay) || stay.EndDate < earliest)
            {
                continue;
            }

            var discharge = stay.EndDate;
            var readmitted = stays.Any(s => !ReferenceEquals(s, stay) && !s.IsPsychiatricResidential
                && s.StartDate >= discharge && s.StartDate <= discharge.AddDays(MeasureRules.FollowUpEnrollmentDaysAfter) && s.StartDate >= stay.StartDate);
            if (readmitted
                || !MeasureRules.OldEnough(run.Facts, MeasureRules.MentalHealthFollowUpMinimumAge, discharge)
                || !MeasureRules.ContinuouslyEnrolled(run.Facts, discharge, discharge.AddDays(MeasureRules.FollowUpEnrollmentDaysAfter), run.Today))
            {
                continue;
            }

            // A visit on the discharge date does not count.
            var visit = FirstVisit(outpatient, discharge.AddDays(1), discharge.AddDays(30), c =>
                (c.AnyDiagnosis & BhDiagnosisFamilies.MentalIllness) != 0
                || c.LineFlags.Any(f => (f & (BhLineTraits.MentalHealthProvider | BhLineTraits.BhProcedure | BhLineTraits.BhPlaceOfService | BhLineTraits.BhRevenueCode)) != 0));
            var evidence = run.Evidence(stay.EvidenceCodes());
            run.Add(Gap(run.MemberId, CareGapMeasure.FollowUpAfterHospitalization7, discharge, discharge.AddDays(1), discharge.AddDays(7), visit, evidence));
            run.Add(Gap(run.MemberId, CareGapMeasure.FollowUpAfterHospitalization30, discharge, discharge.AddDays(1), discharge.AddDays(30), visit, evidence));
        }
    }

    /// <summary>
    /// FUM (principal mental illness or any intentional self-harm; 6 or older) and FUA (principal SUD or any
    /// overdose; 13 or older): an ED visit not followed by an admission to an acute or nonacute stay (other than
    /// psychiatric residential treatment) on its date through 30 days after, the member enrolled through 30 days
    /// after; of the visits left, only the first in any 31 days. A same-day follow-up counts.
    /// </summary>
    private static void FollowUpAfterEmergency(Run run, IReadOnlyList<ClassifiedClaim> claims, List<ClassifiedClaim> stays, List<ClassifiedClaim> outpatient, List<PharmacyFill> fills, DateOnly earliest)
    {
        var visits = claims.Where(c => c.Setting == ClaimSetting.EmergencyVisit && c.StartDate >= earliest).OrderBy(c => c.StartDate).ToList();
        DateOnly? lastMentalIllness = null;
        DateOnly? lastSubstanceUse = null;
        foreach (var ed in visits)
        {
            var date = ed.StartDate;

            // An ED visit followed by an admission within 30 days is excluded, whatever the admission was for.
            if (stays.Any(s => !s.IsPsychiatricResidential && s.StartDate >= date && s.StartDate <= date.AddDays(30)))
            {
                continue;
            }

            var enrolled = MeasureRules.ContinuouslyEnrolled(run.Facts, date, date.AddDays(MeasureRules.FollowUpEnrollmentDaysAfter), run.Today);
            var evidence = run.Evidence(ed.EvidenceCodes());
            if (IsMentalHealthIndex(ed) && enrolled && MeasureRules.OldEnough(run.Facts, MeasureRules.MentalHealthFollowUpMinimumAge, date)
                && (lastMentalIllness is null || date > lastMentalIllness.Value.AddDays(30)))
            {
                // Only the first eligible ED visit in any 31-day span; a same-day visit counts.
                lastMentalIllness = date;
                var visit = FirstVisit(outpatient, date, date.AddDays(30), c =>
                    (c.AnyDiagnosis & BhDiagnosisFamilies.MentalIllness) != 0 || HasPlaceOfService(c, "52", "53", "56"));
                run.Add(Gap(run.MemberId, CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, date, date, date.AddDays(7), visit, evidence));
                run.Add(Gap(run.MemberId, CareGapMeasure.FollowUpAfterEmergencyMentalIllness30, date, date, date.AddDays(30), visit, evidence));
            }

            if (((ed.PrincipalDiagnosis & BhDiagnosisFamilies.SubstanceUseDisorder) != 0 || (ed.AnyDiagnosis & BhDiagnosisFamilies.Overdose) != 0)
                && enrolled && MeasureRules.OldEnough(run.Facts, MeasureRules.SubstanceUseMinimumAge, date)
                && (lastSubstanceUse is null || date > lastSubstanceUse.Value.AddDays(30)))
            {
                lastSubstanceUse = date;
                var visit = FirstVisit(outpatient, date, date.AddDays(30), c =>
                    (c.AnyDiagnosis & (BhDiagnosisFamilies.SubstanceUseDisorder | BhDiagnosisFamilies.Overdose)) != 0 || c.LineFlags.Any(f => (f & BhLineTraits.SubstanceUseService) != 0));
                var mat = fills.Where(f => f.Class is DrugClass.OpioidUseDisorderMedication or DrugClass.AlcoholUseDisorderMedication && f.FillDate >= date && f.FillDate <= date.AddDays(30))
                    .OrderBy(f => f.FillDate).FirstOrDefault();
                if (mat is not null && (visit is null || mat.FillDate < visit.Value.Date))
                {
                    visit = (mat.FillDate, $"drug:{mat.Drug}");
                }

                run.Add(Gap(run.MemberId, CareGapMeasure.FollowUpAfterEmergencySubstanceUse7, date, date, date.AddDays(7), visit, evidence));
                run.Add(Gap(run.MemberId, CareGapMeasure.FollowUpAfterEmergencySubstanceUse30, date, date, date.AddDays(30), visit, evidence));
            }
        }
    }

    /// <summary>
    /// IET: a new SUD episode (no SUD diagnosis, other than on ED visits, and no SUD medication in the
    /// <see cref="ClaimsAnalyticsOptions.SubstanceUseNegativeHistoryDays"/> before it), the member 13 or older on
    /// the episode date and enrolled from 194 days before through 47 days after it; one episode per day.
    /// </summary>
    private void SubstanceUseTreatment(Run run, IReadOnlyList<ClassifiedClaim> claims, List<PharmacyFill> fills, DateOnly earliest)
    {
        var sudClaims = claims.Where(c => c.Setting != ClaimSetting.PharmacyFill && (c.AnyDiagnosis & BhDiagnosisFamilies.SubstanceUseDisorder) != 0)
            .OrderBy(c => c.StartDate).ToList();
        var mat = fills.Where(f => f.Class is DrugClass.OpioidUseDisorderMedication or DrugClass.AlcoholUseDisorderMedication).ToList();
        var history = _options.SubstanceUseNegativeHistoryDays;
        var episodeDates = new HashSet<DateOnly>();
        foreach (var episode in sudClaims)
        {
            var episodeDate = episode.Setting == ClaimSetting.InpatientStay ? episode.EndDate : episode.StartDate;
            if (episodeDate < earliest || episodeDates.Contains(episodeDate))
            {
                continue;
            }

            // Negative diagnosis history from the admission (stays) or service date; ED visits and lab claims are not history.
            var diagnosed = sudClaims.Any(c => !ReferenceEquals(c, episode) && c.Setting != ClaimSetting.EmergencyVisit && !HasPlaceOfService(c, "81")
                && c.StartDate < episode.StartDate && c.StartDate >= episode.StartDate.AddDays(-history));
            var medicated = mat.Any(f => f.FillDate < episodeDate && f.FillDate >= episodeDate.AddDays(-history));
            if (diagnosed || medicated
                || !MeasureRules.OldEnough(run.Facts, MeasureRules.SubstanceUseMinimumAge, episodeDate)
                || !MeasureRules.ContinuouslyEnrolled(run.Facts, episodeDate.AddDays(-MeasureRules.SubstanceUseEnrollmentDaysBefore), episodeDate.AddDays(MeasureRules.SubstanceUseEnrollmentDaysAfter), run.Today))
            {
                continue;
            }

            episodeDates.Add(episodeDate);
            var initiationEnd = episodeDate.AddDays(_options.InitiationDays - 1);
            (DateOnly Date, string Code)? initiation = episode.Setting == ClaimSetting.InpatientStay
                ? (episodeDate, "inpatient-episode")
                : TreatmentDates(sudClaims, mat, episode, episodeDate, initiationEnd).Select(t => ((DateOnly, string)?)t).FirstOrDefault();
            var evidence = run.Evidence(episode.EvidenceCodes());
            run.Add(Gap(run.MemberId, CareGapMeasure.SubstanceUseTreatmentInitiation, episodeDate, episodeDate, initiationEnd, initiation, evidence));

            var engagementStart = (initiation?.Date ?? initiationEnd).AddDays(1);
            var engagementEnd = (initiation?.Date ?? initiationEnd).AddDays(_options.EngagementDays);
            (DateOnly, string)? engaged = null;
            if (initiation is not null)
            {
                var treatments = TreatmentDates(sudClaims, mat, episode, engagementStart, engagementEnd).ToList();
                var matEvent = treatments.FirstOrDefault(t => t.Code.StartsWith("drug:", StringComparison.Ordinal));
                if (matEvent.Code is not null)
                {
                    engaged = matEvent;
                }
                else if (treatments.Select(t => t.Date).Distinct().Count() >= 2)
                {
                    engaged = treatments.Select(t => t.Date).Distinct().Skip(1).Select(d => ((DateOnly, string)?)(d, "sud-service")).First();
                }
            }

            run.Add(Gap(run.MemberId, CareGapMeasure.SubstanceUseTreatmentEngagement, episodeDate, engagementStart, engagementEnd, engaged, evidence));
        }
    }

    private static IEnumerable<(DateOnly Date, string Code)> TreatmentDates(List<ClassifiedClaim> sudClaims, List<PharmacyFill> mat, ClassifiedClaim episode, DateOnly from, DateOnly to)
    {
        var visits = sudClaims.Where(c => !ReferenceEquals(c, episode) && c.Setting != ClaimSetting.EmergencyVisit && c.StartDate >= from && c.StartDate <= to)
            .Select(c => (c.StartDate, "sud-service"));
        var drugs = mat.Where(f => f.FillDate >= from && f.FillDate <= to).Select(f => (f.FillDate, "drug:" + f.Drug));
        return visits.Concat(drugs).OrderBy(t => t.Item1);
    }

    /// <summary>
    /// AMM: an antidepressant fill after <see cref="ClaimsAnalyticsOptions.AntidepressantNegativeHistoryDays"/>
    /// without one (the index prescription), a major-depression diagnosis within 60 days of it, the member 18
    /// or older on April 30 ending its intake period, enrolled 105 days before through 231 days after with at
    /// most one gap of up to 45 days. Acute phase: 84 covered days in 115; continuation: 180 in 232.
    /// </summary>
    private void AntidepressantManagement(Run run, IReadOnlyList<ClassifiedClaim> claims, List<PharmacyFill> fills, DateOnly earliest)
    {
        var antidepressants = fills.Where(f => f.Class == DrugClass.Antidepressant).OrderBy(f => f.FillDate).ToList();
        DateOnly? previous = null;
        foreach (var fill in antidepressants)
        {
            var negativeHistory = previous is null || fill.FillDate.DayNumber - previous.Value.DayNumber > _options.AntidepressantNegativeHistoryDays;
            previous = fill.FillDate;
            if (!negativeHistory || fill.FillDate < earliest)
            {
                continue;
            }

            var ipsd = fill.FillDate;
            var depression = claims.Any(c => (c.AnyDiagnosis & BhDiagnosisFamilies.MajorDepression) != 0 && c.StartDate >= ipsd.AddDays(-60) && c.StartDate <= ipsd.AddDays(60));
            if (!depression
                || !MeasureRules.OldEnough(run.Facts, MeasureRules.AntidepressantMinimumAge, MeasureRules.AntidepressantAgeDate(ipsd))
                || !MeasureRules.ContinuouslyEnrolled(run.Facts, ipsd.AddDays(-MeasureRules.AntidepressantEnrollmentDaysBefore), ipsd.AddDays(MeasureRules.AntidepressantEnrollmentDaysAfter), run.Today, MeasureRules.MedicationEnrollmentGapDays))
            {
                continue;
            }

            var evidence = run.Evidence(["drug:" + fill.Drug]);
            var acute = ProportionOfDaysCovered.Calculate(antidepressants, ipsd, ipsd.AddDays(114));
            run.Add(CoverageGap(run.MemberId, CareGapMeasure.AntidepressantAcutePhase, ipsd, ipsd.AddDays(114), acute, acute.CoveredDays >= 84, evidence));
            var continuation = ProportionOfDaysCovered.Calculate(antidepressants, ipsd, ipsd.AddDays(231));
            run.Add(CoverageGap(run.MemberId, CareGapMeasure.AntidepressantContinuationPhase, ipsd, ipsd.AddDays(231), continuation, continuation.CoveredDays >= 180, evidence));
        }
    }

    /// <summary>
    /// SAA: in the calendar year of "today" (evaluated through today), a schizophrenia or schizoaffective
    /// diagnosis on an inpatient stay or on two other claims on different dates, two or more antipsychotic fills
    /// on different dates, the member 18 or older on January 1 and enrolled through the year so far with at most
    /// one gap of up to 45 days; PDC (PQA method) from the first fill, adherent at
    /// <see cref="ClaimsAnalyticsOptions.AdherenceThreshold"/>. The first fill must be at least
    /// <see cref="ClaimsAnalyticsOptions.MinimumTreatmentDays"/> before today.
    /// </summary>
    private void AntipsychoticAdherence(Run run, IReadOnlyList<ClassifiedClaim> claims, List<PharmacyFill> fills)
    {
        var today = run.Today;
        var yearStart = new DateOnly(today.Year, 1, 1);
        var inYear = fills.Where(f => f.Class == DrugClass.Antipsychotic && f.FillDate >= yearStart && f.FillDate <= today).OrderBy(f => f.FillDate).ToList();
        if (inYear.Select(f => f.FillDate).Distinct().Count() < 2)
        {
            return;
        }

        var index = inYear[0].FillDate;
        var diagnosed = claims.Where(c => c.Setting != ClaimSetting.PharmacyFill && (c.AnyDiagnosis & BhDiagnosisFamilies.Schizophrenia) != 0 && c.StartDate >= yearStart && c.StartDate <= today).ToList();
        var schizophrenia = diagnosed.Any(c => c.Setting == ClaimSetting.InpatientStay && !c.IsNonacuteStay)
            || diagnosed.Select(c => c.StartDate).Distinct().Count() >= 2;
        if (!schizophrenia
            || today.DayNumber - index.DayNumber + 1 < _options.MinimumTreatmentDays
            || !MeasureRules.OldEnough(run.Facts, MeasureRules.AntipsychoticMinimumAge, yearStart)
            || !MeasureRules.ContinuouslyEnrolled(run.Facts, yearStart, new DateOnly(today.Year, 12, 31), today, MeasureRules.MedicationEnrollmentGapDays))
        {
            return;
        }

        var pdc = ProportionOfDaysCovered.Calculate(inYear, index, today);
        var adherent = pdc.Proportion >= _options.AdherenceThreshold;
        var evidence = run.Evidence(inYear.Select(f => "drug:" + f.Drug).Distinct().ToList());
        run.Add(CoverageGap(run.MemberId, CareGapMeasure.AntipsychoticAdherence, index, new DateOnly(today.Year, 12, 31), pdc, adherent, evidence));
    }

    private static bool IsMentalHealthIndex(ClassifiedClaim claim) =>
        (claim.PrincipalDiagnosis & BhDiagnosisFamilies.MentalIllness) != 0 || (claim.AnyDiagnosis & BhDiagnosisFamilies.SelfHarm) != 0;

    private static bool HasPlaceOfService(ClassifiedClaim claim, params string[] places) =>
        (claim.Claim.PlaceOfService is { } pos && places.Contains(pos))
        || claim.Claim.Lines.Any(l => l.Status != ClaimLineStatus.Denied && l.PlaceOfService is { } p && places.Contains(p));

    private static (DateOnly Date, string Code)? FirstVisit(List<ClassifiedClaim> outpatient, DateOnly from, DateOnly to, Func<ClassifiedClaim, bool> qualifies)
    {
        ClassifiedClaim? bestClaim = null;
        var bestDate = DateOnly.MaxValue;
        foreach (var claim in outpatient)
        {
            foreach (var date in claim.BhVisitDates)
            {
                if (date >= from && date <= to && date < bestDate && qualifies(claim))
                {
                    bestClaim = claim;
                    bestDate = date;
                }
            }
        }

        if (bestClaim is null)
        {
            return null;
        }

        return (bestDate, bestClaim.EvidenceCodes().FirstOrDefault(c => c.StartsWith("proc:", StringComparison.Ordinal)) ?? "bh-visit");
    }

    private static CareGap Gap(string memberId, CareGapMeasure measure, DateOnly index, DateOnly windowStart, DateOnly windowEnd, (DateOnly Date, string Code)? closing, IReadOnlyList<string> indexEvidence)
    {
        var closes = closing is { } c && c.Date >= windowStart && c.Date <= windowEnd;
        var evidence = indexEvidence.ToList();
        if (closes)
        {
            evidence.Add("closed-by:" + closing!.Value.Code);
        }

        return new CareGap(CareGap.MakeId(measure, memberId, index), memberId, measure, index, windowStart, windowEnd,
            closes ? CareGapStatus.Closed : CareGapStatus.Open, closes ? closing!.Value.Date : null, evidence);
    }

    private static CareGap CoverageGap(string memberId, CareGapMeasure measure, DateOnly index, DateOnly windowEnd, DaysCovered coverage, bool met, IReadOnlyList<string> drugs)
    {
        var evidence = drugs.Append(FormattableString.Invariant($"covered-days:{coverage.CoveredDays}/{coverage.PeriodDays}"))
            .Append(FormattableString.Invariant($"pdc:{coverage.Proportion:0.000}")).ToList();
        return new CareGap(CareGap.MakeId(measure, memberId, index), memberId, measure, index, index, windowEnd,
            met ? CareGapStatus.Closed : CareGapStatus.Open, met ? coverage.PeriodEnd : null, evidence);
    }

    /// <summary>One evaluation: the member, the day, the facts, and the gaps found so far.</summary>
    private sealed class Run(string memberId, DateOnly today, MemberFacts facts, List<CareGap> gaps)
    {
        public string MemberId { get; } = memberId;

        public DateOnly Today { get; } = today;

        public MemberFacts Facts { get; } = facts;

        public void Add(CareGap gap) => gaps.Add(gap);

        /// <summary>The index evidence, with <c>age:unknown</c> when no birth date was on file to apply the age rule.</summary>
        public IReadOnlyList<string> Evidence(IReadOnlyList<string> codes) =>
            Facts.BirthDate is null ? [.. codes, AgeUnknown] : codes;
    }
}
