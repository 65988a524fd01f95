using System.Globalization;
using System.Text;

namespace Mets.Workload.Simulator;

/// <summary>Writes a <see cref="WorkloadResult"/> as a table (stdout) and as CSV.</summary>
public static class WorkloadReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The CSV's header: week, the week's first day, clinician, then one column per <see cref="Measure"/>.</summary>
    public static string CsvHeader { get; } = "week,week_start,clinician," + string.Join(",", Enum.GetValues<Measure>().Select(ColumnName));

    /// <summary>
    /// One line per week and clinician, then per clinician a line with week "total", then "total,,total" for everyone.
    /// </summary>
    public static void WriteCsv(WorkloadResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        var tally = result.Tally;
        var measures = Enum.GetValues<Measure>();
        writer.WriteLine(CsvHeader);
        for (var week = 1; week <= tally.Weeks; week++)
        {
            var start = result.Scenario.YearStart.AddDays((week - 1) * 7).ToString("yyyy-MM-dd", Invariant);
            for (var c = 0; c < tally.Clinicians; c++)
            {
                writer.WriteLine($"{week},{start},{result.Clinicians[c]}," + string.Join(",", measures.Select(m => tally.Get(week, c, m).ToString(Invariant))));
            }
        }

        for (var c = 0; c < tally.Clinicians; c++)
        {
            writer.WriteLine($"total,,{result.Clinicians[c]}," + string.Join(",", measures.Select(m => tally.ClinicianTotal(c, m).ToString(Invariant))));
        }

        writer.WriteLine("total,,total," + string.Join(",", measures.Select(m => tally.Total(m).ToString(Invariant))));
    }

    /// <summary>
    /// The table: per week, one line per clinician; then the year per clinician and the total. Columns: New (engagements
    /// started), Remind (step reminders), Escal (overdue escalations), Review (reviews recorded), Outreach (provider
    /// requests + reminders), P2P (peer-to-peer escalations), Safety, ClRev (closure reviews), Closed.
    /// </summary>
    public static void WriteTable(WorkloadResult result, TextWriter writer, bool perWeek = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        var tally = result.Tally;
        const string Format = "{0,-6} {1,-10} {2,-9} {3,6} {4,7} {5,7} {6,7} {7,9} {8,6} {9,7} {10,6} {11,7}";
        var header = string.Format(Invariant, Format, "Week", "Starts", "Clinician", "New", "Remind", "Escal", "Review", "Outreach", "P2P", "Safety", "ClRev", "Closed");
        writer.WriteLine(header);
        writer.WriteLine(new string('-', header.Length));
        string Row(string week, string starts, string clinician, Func<Measure, int> count, int outreach) => string.Format(
            Invariant, Format, week, starts, clinician, count(Measure.EngagementsStarted), count(Measure.Reminders), count(Measure.Escalations),
            count(Measure.Reviews), outreach, count(Measure.PeerToPeerEscalations), count(Measure.SafetyEscalations),
            count(Measure.ClosureReviews), count(Measure.Closures));

        if (perWeek)
        {
            for (var week = 1; week <= tally.Weeks; week++)
            {
                var start = result.Scenario.YearStart.AddDays((week - 1) * 7).ToString("yyyy-MM-dd", Invariant);
                for (var c = 0; c < tally.Clinicians; c++)
                {
                    writer.WriteLine(Row(c == 0 ? week.ToString(Invariant) : string.Empty, c == 0 ? start : string.Empty, result.Clinicians[c], m => tally.Get(week, c, m), tally.Outreach(week, c)));
                }
            }

            writer.WriteLine(new string('-', header.Length));
        }

        for (var c = 0; c < tally.Clinicians; c++)
        {
            writer.WriteLine(Row(c == 0 ? "Year" : string.Empty, string.Empty, result.Clinicians[c], m => tally.ClinicianTotal(c, m),
                tally.ClinicianTotal(c, Measure.ProviderRequests) + tally.ClinicianTotal(c, Measure.ProviderReminders)));
        }

        writer.WriteLine(Row("Total", string.Empty, "all", tally.Total, tally.Total(Measure.ProviderRequests) + tally.Total(Measure.ProviderReminders)));
        var busiest = Enumerable.Range(1, tally.Weeks).MaxBy(w => WeekLoad(tally, w));
        writer.WriteLine(string.Format(Invariant, "Busiest week: {0} ({1:N0} reminders, escalations, reviews and outreach emails).", busiest, WeekLoad(tally, busiest)));
    }

    /// <summary>What the run did and what it cost: the seed, the policy, the commands, the checks, time and memory.</summary>
    public static string Summary(WorkloadResult result, TimeSpan wall, long peakWorkingSet)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Scenario;
        var c = result.Counts;
        var p = result.Policy;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"Scenario: {s.Members:N0} members, {s.Clinicians} clinicians, {s.Weeks} weeks from {s.YearStart:yyyy-MM-dd}, referrals over {s.ReferralWeeks} weeks, seed {s.Seed}.");
        text.AppendLine(Invariant, $"Policy: assessment due {Days(p.AssessmentDue)} (urgent {Days(p.UrgentAssessmentDue)}), reminder {Days(p.ReminderLead)} before, escalation {Days(p.SupervisorEscalationDelay)} after the due date; reviews every {Days(p.HighRiskReviewInterval)} / {Days(p.ModerateRiskReviewInterval)} / {Days(p.LowRiskReviewInterval)} (high/moderate/low); provider reminders {p.ProviderReminderCount} x {Days(p.ProviderReminderInterval)}, peer-to-peer at {Days(p.ProviderEscalationAfter)}; closure review at {Days(p.MaximumDuration)}.");
        text.AppendLine(Invariant, $"Commands: {c.Referrals:N0} referrals, {c.Assessments:N0} assessments, {c.ContactAttempts:N0} contact attempts, {c.Reviews:N0} reviews, {c.ProviderResponses:N0} provider answers, {c.PeerReviews:N0} peer reviews, {c.ClosureDecisions:N0} closure decisions, {c.ClaimsEvents:N0} claims events, {c.ClosureRequests:N0} closure requests; {c.Refused:N0} refused (the engagement had moved on).");
        text.AppendLine(Invariant, $"Closed: {string.Join(", ", c.ClosuresByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:N0}"))}; open at the end {c.OpenAtEnd:N0}.");
        var remindersAgree = c.TimelineReminders == result.Tally.Total(Measure.Reminders);
        var escalationsAgree = c.TimelineEscalations == result.Tally.Total(Measure.Escalations);
        text.AppendLine(Invariant, $"Checks: timeline reminders {c.TimelineReminders:N0} {(remindersAgree ? "=" : "!=")} reminder emails; timeline overdue escalations {c.TimelineEscalations:N0} {(escalationsAgree ? "=" : "!=")} escalation emails; failed orchestrations {result.FailedInstances}; warnings logged {result.Problems.Count}.");
        foreach (var problem in result.Problems.Take(5))
        {
            text.AppendLine("  " + problem);
        }

        text.AppendLine(Invariant, $"Phases: {string.Join(", ", c.Phases.Select(ph => $"{ph.Key} {ph.Value.TotalSeconds:N1} s"))}.");
        var gc = GC.GetGCMemoryInfo();
        text.AppendLine(Invariant, $"Time: {result.Elapsed.TotalSeconds:N1} s simulating ({wall.TotalSeconds:N1} s in all). Peak working set {peakWorkingSet / 1048576.0:N0} MB; GC heap {GC.GetTotalMemory(false) / 1048576.0:N0} MB now, peak committed {gc.TotalCommittedBytes / 1048576.0:N0} MB, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:N0} MB, collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalSeconds:N1} s.");
        return text.ToString();
    }

    /// <summary>True when the checks in <see cref="Summary"/> hold (the program's exit code).</summary>
    public static bool ChecksPass(WorkloadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.FailedInstances == 0
            && result.Counts.TimelineReminders == result.Tally.Total(Measure.Reminders)
            && result.Counts.TimelineEscalations == result.Tally.Total(Measure.Escalations);
    }

    private static int WeekLoad(WorkloadTally tally, int week) =>
        tally.WeekTotal(week, Measure.Reminders) + tally.WeekTotal(week, Measure.Escalations) + tally.WeekTotal(week, Measure.Reviews)
        + tally.WeekTotal(week, Measure.ProviderRequests) + tally.WeekTotal(week, Measure.ProviderReminders);

    private static string Days(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays:0} d" : span.ToString("c", Invariant);

    private static string ColumnName(Measure measure)
    {
        var name = measure.ToString();
        var snake = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }
}
