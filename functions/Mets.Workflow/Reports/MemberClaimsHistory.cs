using Mets.Claims.Analytics;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Storage;
using Mets.Domain.Identifiers;
using Mets.Workflow.ClaimsIntake;

namespace Mets.Workflow.Reports;

/// <summary>One member's claims as reports need them: current claims classified, coverage spans and care gaps.</summary>
public sealed record MemberClaims(IReadOnlyList<ClassifiedClaim> Claims, IReadOnlyList<EligibilitySpan> Eligibility, IReadOnlyList<CareGap> Gaps)
{
    public static MemberClaims None { get; } = new([], [], []);

    /// <summary>Whether coverage on file covers any day of <paramref name="month"/> (its first day).</summary>
    public bool EnrolledIn(DateOnly month)
    {
        var last = month.AddMonths(1).AddDays(-1);
        return Eligibility.Any(s => s.CoverageStart <= last && (s.CoverageEnd is null || s.CoverageEnd >= month));
    }

    /// <summary>The member's BH utilization and spend in <paramref name="month"/> (docs/outcomes.md, "Utilization and spend").</summary>
    public MonthUtilization In(DateOnly month)
    {
        var next = month.AddMonths(1);
        bool Within(DateOnly d) => d >= month && d < next;
        int visits = 0, ed = 0, admissions = 0, days = 0;
        decimal bhPaid = 0, totalPaid = 0;
        foreach (var claim in Claims)
        {
            visits += claim.BhVisitDates.Count(Within);
            if (!Within(claim.StartDate))
            {
                continue;
            }

            totalPaid += claim.PaidAmount;
            if (claim.IsBehavioralHealth)
            {
                bhPaid += claim.PaidAmount;
            }

            if (claim.IsBhEmergencyVisit)
            {
                ed++;
            }

            if (claim.IsBhInpatientStay)
            {
                admissions++;
                days += Math.Max(1, claim.EndDate.DayNumber - claim.StartDate.DayNumber);
            }
        }

        return new MonthUtilization(visits, ed, admissions, days, bhPaid, totalPaid);
    }
}

/// <summary>One member-month of BH utilization: outpatient BH visits, BH ED visits, BH admissions and their days, BH and total paid.</summary>
public readonly record struct MonthUtilization(int OutpatientVisits, int EdVisits, int Admissions, int InpatientDays, decimal BhPaid, decimal TotalPaid)
{
    public static MonthUtilization operator +(MonthUtilization a, MonthUtilization b) => new(
        a.OutpatientVisits + b.OutpatientVisits, a.EdVisits + b.EdVisits, a.Admissions + b.Admissions, a.InpatientDays + b.InpatientDays,
        a.BhPaid + b.BhPaid, a.TotalPaid + b.TotalPaid);

    public static MonthUtilization Add(MonthUtilization a, MonthUtilization b) => a + b;
}

/// <summary>Reads a member's claims, coverage and care gaps from the claims store (SQLite locally, Cosmos DB on Azure).</summary>
public sealed class MemberClaimsHistory(IClaimsStore store, ClaimClassifier classifier, ClaimsMemberIds memberIds)
{
    public async Task<MemberClaims> GetAsync(MemberId member, CancellationToken cancellationToken = default)
    {
        var claimsMemberId = memberIds.ToClaimsMemberId(member);
        var snapshot = await store.GetMemberAsync(claimsMemberId, null, cancellationToken).ConfigureAwait(false);
        var gaps = await store.GetCareGapsAsync(claimsMemberId, cancellationToken).ConfigureAwait(false);
        return new MemberClaims([.. snapshot.CurrentClaims.Select(classifier.Classify)], snapshot.Eligibility, gaps);
    }
}
