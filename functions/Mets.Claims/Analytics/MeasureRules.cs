using Mets.Claims.Reading.Csv;

namespace Mets.Claims.Analytics;

/// <summary>
/// What the measures need to know about a member besides the claims: the date of birth (from the eligibility
/// file or the claims, when a file carries it) and the coverage spans on file. Either may be unknown: without a birth date the
/// age rules are not applied (the gap says <c>age:unknown</c>), without eligibility the continuous-enrollment
/// rules are not applied.
/// </summary>
public sealed record MemberFacts(DateOnly? BirthDate, IReadOnlyList<EligibilitySpan> Eligibility)
{
    public static MemberFacts Unknown { get; } = new(null, []);

    /// <summary>
    /// The member's birth date with the coverage spans: the one of the plan's enrollment record when an eligibility
    /// file gave one (the latest coverage span that carries it: HEDIS ages come from enrollment data), else the one
    /// of the member's most recent claim that carries one (X12 DMG, a CSV birth-date column).
    /// </summary>
    public static MemberFacts From(IReadOnlyList<ClassifiedClaim> claims, IReadOnlyList<EligibilitySpan> eligibility)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(eligibility);
        var enrolled = eligibility.Where(s => s.MemberBirthDate is not null).MaxBy(s => s.CoverageStart);
        if (enrolled is not null)
        {
            return new MemberFacts(enrolled.MemberBirthDate, eligibility);
        }

        DateOnly? birth = null;
        var latest = DateOnly.MinValue;
        foreach (var claim in claims)
        {
            if (claim.MemberBirthDate is { } b && claim.EndDate >= latest)
            {
                birth = b;
                latest = claim.EndDate;
            }
        }

        return new MemberFacts(birth, eligibility);
    }
}

/// <summary>
/// The published denominator rules the care-gap measures apply (HEDIS MY2025 / CMS Core Set definitions,
/// docs/claims.md): minimum ages with the date they are measured on, and continuous-enrollment periods with
/// their allowed gaps.
/// </summary>
public static class MeasureRules
{
    /// <summary>FUH and FUM: 6 years and older on the discharge / ED visit date.</summary>
    public const int MentalHealthFollowUpMinimumAge = 6;

    /// <summary>FUA and IET: 13 years and older on the ED visit / SUD episode date.</summary>
    public const int SubstanceUseMinimumAge = 13;

    /// <summary>AMM: 18 years and older on April 30 that ends the intake period of the index prescription.</summary>
    public const int AntidepressantMinimumAge = 18;

    /// <summary>SAA: 18 years and older on January 1 of the measurement year.</summary>
    public const int AntipsychoticMinimumAge = 18;

    /// <summary>FUH, FUM, FUA: enrolled from the index date through 30 days after, no gap.</summary>
    public const int FollowUpEnrollmentDaysAfter = 30;

    /// <summary>IET: enrolled 194 days before the SUD episode date through 47 days after, no gap.</summary>
    public const int SubstanceUseEnrollmentDaysBefore = 194;

    public const int SubstanceUseEnrollmentDaysAfter = 47;

    /// <summary>AMM: enrolled 105 days before the index prescription through 231 days after, one gap of up to 45 days.</summary>
    public const int AntidepressantEnrollmentDaysBefore = 105;

    public const int AntidepressantEnrollmentDaysAfter = 231;

    /// <summary>AMM and SAA: the one enrollment gap allowed, in days.</summary>
    public const int MedicationEnrollmentGapDays = 45;

    /// <summary>Whole years of age on <paramref name="on"/> (a February 29 birthday turns over on March 1 in other years).</summary>
    public static int AgeOn(DateOnly birthDate, DateOnly on)
    {
        var age = on.Year - birthDate.Year;
        return on.Month < birthDate.Month || (on.Month == birthDate.Month && on.Day < birthDate.Day) ? age - 1 : age;
    }

    /// <summary>True when the member is at least <paramref name="minimumAge"/> on <paramref name="on"/>, or the birth date is unknown.</summary>
    public static bool OldEnough(MemberFacts facts, int minimumAge, DateOnly on)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.BirthDate is not { } birth || AgeOn(birth, on) >= minimumAge;
    }

    /// <summary>April 30 that ends the AMM intake period (May 1 - April 30) holding <paramref name="indexDate"/>.</summary>
    public static DateOnly AntidepressantAgeDate(DateOnly indexDate) =>
        new(indexDate.Month <= 4 ? indexDate.Year : indexDate.Year + 1, 4, 30);

    /// <summary>
    /// True when the coverage spans leave at most one uncovered run of at most <paramref name="allowedGapDays"/>
    /// days between <paramref name="from"/> and <paramref name="to"/>, or no coverage is on file. Days after
    /// <paramref name="knownThrough"/> (the analysis date) are not known yet and not checked.
    /// </summary>
    public static bool ContinuouslyEnrolled(MemberFacts facts, DateOnly from, DateOnly to, DateOnly knownThrough, int allowedGapDays = 0)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Eligibility.Count == 0)
        {
            return true;
        }

        var end = to < knownThrough ? to : knownThrough;
        if (end < from)
        {
            return true;
        }

        var gaps = 0;
        var gapDays = 0;
        var next = from;
        foreach (var span in facts.Eligibility.OrderBy(s => s.CoverageStart))
        {
            if (span.CoverageEnd is { } spanEnd && spanEnd < next)
            {
                continue;
            }

            if (span.CoverageStart > end)
            {
                break;
            }

            if (span.CoverageStart > next)
            {
                gaps++;
                gapDays = Math.Max(gapDays, span.CoverageStart.DayNumber - next.DayNumber);
            }

            if (span.CoverageEnd is not { } coveredTo || coveredTo >= end)
            {
                next = end.AddDays(1);
                break;
            }

            next = coveredTo.AddDays(1) > next ? coveredTo.AddDays(1) : next;
        }

        if (next <= end)
        {
            gaps++;
            gapDays = Math.Max(gapDays, end.DayNumber - next.DayNumber + 1);
        }

        return gaps == 0 || (gaps == 1 && gapDays <= allowedGapDays);
    }
}
