using System.Globalization;
using System.Text.Json;
using Mets.Local.Chaos;

namespace Mets.Local.Tests;

/// <summary>
/// The chaos run's end checks on a hand-made engagement (no host): they pass on a consistent one and name the engagement
/// and what was expected when a reminder that came due is missing or an email has no event behind it.
/// </summary>
public class ChaosChecksTests
{
    private const string Id = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SilentEngagement_EveryTimerRecordedAndEmailed_Passes()
    {
        var (report, record) = Check(SilentTimeline(), SilentEmails());

        Assert.Empty(record.Failures);
        Assert.Equal(2, report.StepRemindersDue);
        Assert.Equal(1, report.EscalationsDue);
    }

    [Fact]
    public void ReminderThatCameDue_NotSent_FailsNamingTheStep()
    {
        var timeline = SilentTimeline().Where(e => !(e.Kind == "reminderSent" && e.Details[0] == "step=ClosureReview#1")).ToList();
        var emails = SilentEmails().Where(e => !e.Contains("ClosureReview_1-reminder", StringComparison.Ordinal)).ToList();

        var (_, record) = Check(timeline, emails);

        var failure = Assert.Single(record.Failures);
        Assert.Contains($"engagement {Id}", failure, StringComparison.Ordinal);
        Assert.Contains("ClosureReview#1: the reminder came due", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondEmailForOneReminder_UnderAnotherKey_Fails()
    {
        var (_, record) = Check(SilentTimeline(), [.. SilentEmails(), $"{Id}-Assessment_1-reminder-202612021201.eml"]);

        var failure = Assert.Single(record.Failures);
        Assert.Contains("Assessment_1-reminder-202612021201.eml is in the outbox but the engagement records no such event", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongOutcome_FailsWithTheExpectedReason()
    {
        var (_, record) = Check(SilentTimeline(), SilentEmails(), reason: "goalsMet");

        Assert.Contains(record.Failures, f => f.Contains("expected closed (maximumDurationReached), was closed (goalsMet)", StringComparison.Ordinal));
    }

    [Fact]
    public void ClosedAtTheMaximumDuration_WithoutAClosureReview_Fails()
    {
        var timeline = SilentTimeline().Where(e => !e.Details.Any(d => d.Contains("ClosureReview#1", StringComparison.Ordinal))).ToList();
        var emails = SilentEmails().Where(e => !e.Contains("ClosureReview_1", StringComparison.Ordinal)).ToList();

        var (_, record) = Check(timeline, emails);

        Assert.Contains(record.Failures, f => f.Contains("closed (maximum duration reached) without a closure review on its timeline", StringComparison.Ordinal));
    }

    [Fact]
    public void ClosureReview_ShorterThanTheDecisionWindow_AndClosedBeforeItsDeadline_Fails()
    {
        // Opened at +75.1 s with its deadline at +80 s (5 s, not 10), closed at +78 s.
        var timeline = SilentTimeline()
            .Where(e => !(e.Kind == "reminderSent" && e.Details[0] == "step=ClosureReview#1"))
            .Select(e => e.Kind switch
            {
                "closureReviewOpened" => e with { Details = ["step=ClosureReview#1", $"due={Time(80)}"] },
                "engagementClosed" => e with { At = 78 },
                _ => e,
            })
            .ToList();
        var emails = SilentEmails().Where(e => !e.Contains("ClosureReview_1-reminder", StringComparison.Ordinal)).ToList();

        var (_, record) = Check(timeline, emails);

        Assert.Contains(record.Failures, f => f.Contains("less than the 10 s decision window", StringComparison.Ordinal));
        Assert.Contains(record.Failures, f => f.Contains("before ClosureReview#1's deadline", StringComparison.Ordinal));
    }

    private sealed record Entry(double At, string Kind, params string[] Details);

    /// <summary>A silent engagement with the chaos policy: assessment due at +8 s, maximum duration at +75 s, decision due 10 s later.</summary>
    private static List<Entry> SilentTimeline() =>
    [
        new(0, "referralReceived", "referral=CHAOS-00001"),
        new(0.1, "engagementStarted", $"assessmentDue={Time(8)}"),
        new(5.2, "reminderSent", "step=Assessment#1"),
        new(10.2, "escalatedToSupervisor", "step=Assessment#1", "reason=Overdue"),
        new(75.1, "closureReviewOpened", "step=ClosureReview#1", $"due={Time(85)}"),
        new(82.2, "reminderSent", "step=ClosureReview#1"),
        new(85.2, "engagementClosed", "reason=MaximumDurationReached"),
    ];

    private static List<string> SilentEmails() =>
    [
        $"{Id}-Assessment_1-reminder-202612021200.eml",
        $"{Id}-Assessment_1-escalation-202612021200.eml",
        $"{Id}-ClosureReview_1-opened.eml",
        $"{Id}-ClosureReview_1-reminder-202612021201.eml",
    ];

    private static (ChaosReport Report, EngagementRecord Record) Check(List<Entry> timeline, List<string> emails, string reason = "maximumDurationReached")
    {
        var script = new EngagementScript(1, ScriptKind.Silent, "CHAOS-00001", "PLAN:CHM-00001", [], null, TimeSpan.Zero, false, [], false, "maximumDurationReached");
        var record = new EngagementRecord(script) { EngagementId = Id };
        record.Accepted("CHAOS-00001", Id);
        var final = new
        {
            id = Id,
            status = "closed",
            currentStep = new { step = "closed", number = 0 },
            outcome = new { reason },
            referrals = new[] { new { id = "CHAOS-00001" } },
            outreach = Array.Empty<object>(),
            timeline = timeline.Select(e => new { at = Start.AddSeconds(e.At), kind = e.Kind, details = e.Details }),
        };
        record.Final = JsonSerializer.SerializeToElement(final);
        var report = new ChaosReport { Seed = 0, RunFolder = Path.GetTempPath() };

        new EngagementChecks(report, [new UpWindow(Start.AddMinutes(-1), null)]).Check(record, emails.ToHashSet(StringComparer.Ordinal));

        return (report, record);
    }

    private static string Time(double seconds) =>
        Start.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
