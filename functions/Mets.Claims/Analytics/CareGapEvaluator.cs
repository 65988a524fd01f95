namespace Mets.Claims.Analytics;

/// <summary>
/// Evaluates a member's care gaps from the member's current (not superseded, not voided) claims.
/// Pure: the same claims and the same "today" give the same gaps.
/// </summary>
public sealed class CareGapEvaluator(ClaimsAnalyticsOptions options)
{
    private readonly ClaimsAnalyticsOptions _options = options;

    public IReadOnlyList<CareGap> Evaluate(string memberId, IReadOnlyList<ClassifiedClaim> claims, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(claims);
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

        FollowUpAfterHospitalization(memberId, stays, outpatient, earliestIndex, gaps);
        FollowUpAfterEmergency(memberId, claims, stays, outpatient, fills, earliestIndex, gaps);
        SubstanceUseTreatment(memberId, claims, fills, earliestIndex, gaps);
        AntidepressantManagement(memberId, claims, fills, earliestIndex, gaps);
        AntipsychoticAdherence(memberId, fills, today, gaps);

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

    private static void FollowUpAfterHospitalization(string memberId, List<ClassifiedClaim> stays, List<ClassifiedClaim> outpatient, DateOnly earliest, List<CareGap> gaps)
    {
        foreach (var stay in stays)
        {
            if ((stay.PrincipalDiagnosis & (BhDiagnosisFamilies.MentalIllness | BhDiagnosisFamilies.SelfHarm)) == 0 || stay.EndDate < earliest)
            {
                continue;
            }

            var discharge = stay.EndDate;

            // Readmission or direct transfer within 30 days: the discharge is not a denominator event.
            if (stays.Any(s => !ReferenceEquals(s, stay) && s.StartDate > discharge.AddDays(-1) && s.StartDate <= discharge.AddDays(30) && s.StartDate >= stay.StartDate))
            {
                continue;
            }

            // A visit on the discharge date does not count.
            var visit = FirstVisit(outpatient, discharge.AddDays(1), discharge.AddDays(30), c =>
                (c.LineFlags.Any(f => (f & (BhLineTraits.MentalHealthProvider | BhLineTraits.BhProcedure | BhLineTraits.BhPlaceOfService | BhLineTraits.BhRevenueCode)) != 0)));
            var evidence = stay.EvidenceCodes();
            gaps.Add(Gap(memberId, CareGapMeasure.FollowUpAfterHospitalization7, discharge, discharge.AddDays(1), discharge.AddDays(7), visit, evidence));
            gaps.Add(Gap(memberId, CareGapMeasure.FollowUpAfterHospitalization30, discharge, discharge.AddDays(1), discharge.AddDays(30), visit, evidence));
        }
    }

    private static void FollowUpAfterEmergency(string memberId, IReadOnlyList<ClassifiedClaim> claims, List<ClassifiedClaim> stays, List<ClassifiedClaim> outpatient, List<PharmacyFill> fills, DateOnly earliest, List<CareGap> gaps)
    {
        var visits = claims.Where(c => c.Setting == ClaimSetting.EmergencyVisit && c.StartDate >= earliest).OrderBy(c => c.StartDate).ToList();
        DateOnly? lastMentalIllness = null;
        DateOnly? lastSubstanceUse = null;
        foreach (var ed in visits)
        {
            var date = ed.StartDate;

            // An ED visit followed by an inpatient admission within 30 days is excluded.
            if (stays.Any(s => s.StartDate >= date && s.StartDate <= date.AddDays(30)))
            {
                continue;
            }

            var evidence = ed.EvidenceCodes();
            if ((ed.PrincipalDiagnosis & (BhDiagnosisFamilies.MentalIllness | BhDiagnosisFamilies.SelfHarm)) != 0 && (lastMentalIllness is null || date > lastMentalIllness.Value.AddDays(30)))
            {
                // Only the first ED visit in any 31-day span; a same-day visit counts.
                lastMentalIllness = date;
                var visit = FirstVisit(outpatient, date, date.AddDays(30), c => (c.AnyDiagnosis & BhDiagnosisFamilies.MentalIllness) != 0);
                gaps.Add(Gap(memberId, CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, date, date, date.AddDays(7), visit, evidence));
                gaps.Add(Gap(memberId, CareGapMeasure.FollowUpAfterEmergencyMentalIllness30, date, date, date.AddDays(30), visit, evidence));
            }

            if (((ed.PrincipalDiagnosis & BhDiagnosisFamilies.SubstanceUseDisorder) != 0 || (ed.AnyDiagnosis & BhDiagnosisFamilies.Overdose) != 0) && (lastSubstanceUse is null || date > lastSubstanceUse.Value.AddDays(30)))
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

                gaps.Add(Gap(memberId, CareGapMeasure.FollowUpAfterEmergencySubstanceUse7, date, date, date.AddDays(7), visit, evidence));
                gaps.Add(Gap(memberId, CareGapMeasure.FollowUpAfterEmergencySubstanceUse30, date, date, date.AddDays(30), visit, evidence));
            }
        }
    }

    private void SubstanceUseTreatment(string memberId, IReadOnlyList<ClassifiedClaim> claims, List<PharmacyFill> fills, DateOnly earliest, List<CareGap> gaps)
    {
        var sudClaims = claims.Where(c => c.Setting != ClaimSetting.PharmacyFill && (c.AnyDiagnosis & BhDiagnosisFamilies.SubstanceUseDisorder) != 0)
            .OrderBy(c => c.StartDate).ToList();
        var mat = fills.Where(f => f.Class is DrugClass.OpioidUseDisorderMedication or DrugClass.AlcoholUseDisorderMedication).ToList();
        DateOnly? lastEpisodeDate = null;
        foreach (var episode in sudClaims)
        {
            var episodeDate = episode.Setting == ClaimSetting.InpatientStay ? episode.EndDate : episode.StartDate;
            var history = sudClaims.Any(c => !ReferenceEquals(c, episode) && c.StartDate < episode.StartDate && c.StartDate >= episode.StartDate.AddDays(-_options.SubstanceUseNegativeHistoryDays));
            if (history || episodeDate < earliest || (lastEpisodeDate is { } last && episodeDate <= last.AddDays(_options.SubstanceUseNegativeHistoryDays)))
            {
                continue;
            }

            lastEpisodeDate = episodeDate;
            var initiationEnd = episodeDate.AddDays(_options.InitiationDays - 1);
            (DateOnly Date, string Code)? initiation = episode.Setting == ClaimSetting.InpatientStay
                ? (episodeDate, "inpatient-episode")
                : TreatmentDates(sudClaims, mat, episode, episodeDate, initiationEnd).Select(t => ((DateOnly, string)?)t).FirstOrDefault();
            var evidence = episode.EvidenceCodes();
            gaps.Add(Gap(memberId, CareGapMeasure.SubstanceUseTreatmentInitiation, episodeDate, episodeDate, initiationEnd, initiation, evidence));

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

            gaps.Add(Gap(memberId, CareGapMeasure.SubstanceUseTreatmentEngagement, episodeDate, engagementStart, engagementEnd, engaged, evidence));
        }
    }

    private static IEnumerable<(DateOnly Date, string Code)> TreatmentDates(List<ClassifiedClaim> sudClaims, List<PharmacyFill> mat, ClassifiedClaim episode, DateOnly from, DateOnly to)
    {
        var visits = sudClaims.Where(c => !ReferenceEquals(c, episode) && c.Setting != ClaimSetting.EmergencyVisit && c.StartDate >= from && c.StartDate <= to)
            .Select(c => (c.StartDate, "sud-service"));
        var drugs = mat.Where(f => f.FillDate >= from && f.FillDate <= to).Select(f => (f.FillDate, "drug:" + f.Drug));
        return visits.Concat(drugs).OrderBy(t => t.Item1);
    }

    private void AntidepressantManagement(string memberId, IReadOnlyList<ClassifiedClaim> claims, List<PharmacyFill> fills, DateOnly earliest, List<CareGap> gaps)
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
            if (!depression)
            {
                continue;
            }

            var evidence = new[] { "drug:" + fill.Drug };
            var acute = ProportionOfDaysCovered.Calculate(antidepressants, ipsd, ipsd.AddDays(114));
            gaps.Add(CoverageGap(memberId, CareGapMeasure.AntidepressantAcutePhase, ipsd, ipsd.AddDays(114), acute, acute.CoveredDays >= 84, evidence));
            var continuation = ProportionOfDaysCovered.Calculate(antidepressants, ipsd, ipsd.AddDays(231));
            gaps.Add(CoverageGap(memberId, CareGapMeasure.AntidepressantContinuationPhase, ipsd, ipsd.AddDays(231), continuation, continuation.CoveredDays >= 180, evidence));
        }
    }

    private void AntipsychoticAdherence(string memberId, List<PharmacyFill> fills, DateOnly today, List<CareGap> gaps)
    {
        // Measurement period: the calendar year of "today", evaluated through today (year-to-date).
        var yearStart = new DateOnly(today.Year, 1, 1);
        var inYear = fills.Where(f => f.Class == DrugClass.Antipsychotic && f.FillDate >= yearStart && f.FillDate <= today).OrderBy(f => f.FillDate).ToList();
        if (inYear.Select(f => f.FillDate).Distinct().Count() < 2)
        {
            return;
        }

        var index = inYear[0].FillDate;
        if (today.DayNumber - index.DayNumber + 1 < _options.MinimumTreatmentDays)
        {
            return;
        }

        var pdc = ProportionOfDaysCovered.Calculate(inYear, index, today);
        var adherent = pdc.Proportion >= _options.AdherenceThreshold;
        var evidence = inYear.Select(f => "drug:" + f.Drug).Distinct().ToList();
        gaps.Add(CoverageGap(memberId, CareGapMeasure.AntipsychoticAdherence, index, new DateOnly(today.Year, 12, 31), pdc, adherent, evidence));
    }

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
}
