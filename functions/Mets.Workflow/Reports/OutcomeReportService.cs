using Mets.Domain.Identifiers;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Reports;

/// <summary>
/// The outcome report use case (<c>GET /api/reports/outcomes?from=&amp;to=</c>): reads the engagements that started in
/// the period from the case store (<see cref="IEngagementHistory"/>) and their members' claims from the claims store
/// (<see cref="MemberClaimsHistory"/>), then computes the report (<see cref="OutcomeReportBuilder"/>) as of now.
/// </summary>
public sealed class OutcomeReportService(IEngagementHistory history, MemberClaimsHistory claims, IOptions<ReportOptions> options, TimeProvider time)
{
    /// <summary>Problems with a requested period, each as (field, message) naming no value.</summary>
    public IReadOnlyList<(string Field, string Message)> ValidatePeriod(DateOnly from, DateOnly to)
    {
        var errors = new List<(string, string)>();
        if (to < from)
        {
            errors.Add(("to", "must be on or after from."));
        }
        else if (to.DayNumber - from.DayNumber + 1 > options.Value.MaximumPeriodDays)
        {
            errors.Add(("to", $"the period may cover at most {options.Value.MaximumPeriodDays} days."));
        }

        return errors;
    }

    public async Task<OutcomeReport> BuildAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var engagements = await LoadAsync(from, to, cancellationToken).ConfigureAwait(false);
        return OutcomeReportBuilder.Build(options.Value, from, to, time.GetUtcNow(), engagements);
    }

    /// <summary>The engagements that started from <paramref name="from"/> through <paramref name="to"/>, with the claims of the members the report compares.</summary>
    internal async Task<IReadOnlyList<ReportEngagement>> LoadAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var cases = await history.ListStartedAsync(start, end, cancellationToken).ConfigureAwait(false);
        var byMember = new Dictionary<MemberId, MemberClaims>();
        var engagements = new List<ReportEngagement>(cases.Count);
        foreach (var engagement in cases)
        {
            var entry = new ReportEngagement(engagement, MemberClaims.None);
            if (entry.Engaged || entry.TriggeredNotEngaged)
            {
                if (!byMember.TryGetValue(engagement.MemberId, out var memberClaims))
                {
                    memberClaims = await claims.GetAsync(engagement.MemberId, cancellationToken).ConfigureAwait(false);
                    byMember[engagement.MemberId] = memberClaims;
                }

                entry = entry with { Claims = memberClaims };
            }

            engagements.Add(entry);
        }

        return engagements;
    }
}
