using System.Globalization;
using System.Text.Json;
using Mets.Workflow.Adapters.Outbox;

namespace Mets.Local.Chaos;

/// <summary>
/// The end-of-run checks of one engagement against its script, its final document (timeline, outreach, due dates),
/// the outbox and the times the host was up:
/// <list type="bullet">
/// <item>every referral answered 202 is on the engagement that answer named;</item>
/// <item>it reached the state its script implies (closed, with the script's reason; each provider's scripted answer);</item>
/// <item>the outbox holds exactly the emails its timeline and outreach record, each once (so no email was sent twice
/// for one event under any key, and none is missing);</item>
/// <item>every reminder that came due was sent: step reminders and escalations (from the step's due date and the
/// policy) and provider reminders and the peer-to-peer escalation (from the first email), unless the step or the
/// outreach was answered first; and none went out before it was due.</item>
/// </list>
/// A reminder "came due" when its time passed while the host had been up for <see cref="Settle"/> and stayed up for
/// <see cref="Grace"/> more before the answer that ends the step was first sent: the timer then reached the
/// instance's inbox before the answer did, so the workflow must have handled it first.
/// </summary>
public sealed class EngagementChecks(ChaosReport report, IReadOnlyList<UpWindow> upWindows)
{
    private readonly List<string> _timers = ["engagement,timer,due_at,sent_at,answered_at,came_due"];

    /// <summary>Every reminder and escalation judged, one CSV line each (the run writes it to timers.csv).</summary>
    public IReadOnlyList<string> Timers => _timers;

    /// <summary>
    /// How long after a due moment the workflow may take to have the timer in the instance's queue: on the loaded 2-core
    /// machine it handled due timers up to about 4 s late, and a step's timer is set only once the workflow has
    /// moved to the step (after the activities that record it), so this is generous.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>How long a restarted host may take to catch up (timers due while it was down, re-run activities).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <summary>Timeline due dates are written to the second; a true due moment is up to this much later.</summary>
    private static readonly TimeSpan Truncation = TimeSpan.FromSeconds(1);

    public void Check(EngagementRecord record, IReadOnlySet<string> outbox)
    {
        var failures = new List<string>();
        if (record.Final is not { } final || record.EngagementId is not { } id)
        {
            return; // the driver recorded why
        }

        CheckReferrals(record, final, failures);
        CheckOutcome(record, final, failures);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var timeline = final.GetProperty("timeline").EnumerateArray().ToList();
        CheckSteps(record, id, timeline, expected, failures);
        CheckOutreach(record, final, timeline, expected, failures);
        report.IgnoredRepeats += timeline.Count(e => Kind(e) == "eventIgnored");

        foreach (var missing in expected.Where(e => !outbox.Contains(e)).Order(StringComparer.Ordinal))
        {
            failures.Add($"expected email {missing} (the timeline records it) is not in the outbox");
        }

        foreach (var extra in outbox.Where(e => !expected.Contains(e)).Order(StringComparer.Ordinal))
        {
            // No tolerance for the closure moment any more: the closure waits for the outreach to stop, so an email
            // the outreach sent before the stop is recorded on the open case.
            failures.Add($"email {extra} is in the outbox but the engagement records no such event (a second email for one event?)");
        }

        failures.ForEach(record.Fail);
    }

    private static void CheckReferrals(EngagementRecord record, JsonElement final, List<string> failures)
    {
        var onCase = final.GetProperty("referrals").EnumerateArray().Select(r => EngagementDriver.Text(r, "id")).ToHashSet(StringComparer.Ordinal);
        foreach (var (referralId, engagementId) in record.ReferralsAccepted)
        {
            if (engagementId != record.EngagementId)
            {
                failures.Add($"referral {referralId} was answered 202 with engagement {engagementId}, another engagement");
            }
            else if (!onCase.Contains(referralId))
            {
                failures.Add($"referral {referralId} was answered 202 but is not on its engagement");
            }
        }
    }

    private static void CheckOutcome(EngagementRecord record, JsonElement final, List<string> failures)
    {
        var status = EngagementDriver.Text(final, "status");
        var reason = final.TryGetProperty("outcome", out var outcome) ? EngagementDriver.Text(outcome, "reason") : null;
        if (status != "closed" || reason != record.ExpectedReason)
        {
            failures.Add($"expected closed ({record.ExpectedReason}), was {status} ({reason ?? "no outcome"}) at {EngagementDriver.Text(final.GetProperty("currentStep"), "step")}");
        }

        foreach (var provider in record.Script.Providers)
        {
            var outreach = final.GetProperty("outreach").EnumerateArray().FirstOrDefault(o => EngagementDriver.Text(o, "npi") == provider.Npi);
            var answered = outreach.ValueKind == JsonValueKind.Object ? EngagementDriver.Text(outreach, "response") : null;
            var expectsOutreach = record.Script.Kind is ScriptKind.Standard or ScriptKind.SupervisorCloses or ScriptKind.SupervisorExtends;
            if (expectsOutreach && answered != record.ExpectedResponse(provider.Npi))
            {
                failures.Add($"provider {provider.Npi}: expected response {record.ExpectedResponse(provider.Npi) ?? "none"}, the case shows {answered ?? "none"}");
            }
        }
    }

    /// <summary>One stretch of a step with one due date, from the timeline.</summary>
    private sealed class Segment(string step, DateTimeOffset enteredAt, DateTimeOffset due, DateTimeOffset? maximumEnd)
    {
        public string Step { get; } = step;

        public DateTimeOffset EnteredAt { get; } = enteredAt;

        public DateTimeOffset Due { get; } = due;

        /// <summary>The maximum-duration end while this step ran (null for a closure review, whose deadline ends it).</summary>
        public DateTimeOffset? MaximumEnd { get; } = maximumEnd;

        public List<DateTimeOffset> Reminders { get; } = [];

        public List<DateTimeOffset> Escalations { get; } = [];

        public bool IsClosureReview => Step.StartsWith("ClosureReview", StringComparison.Ordinal);
    }

    private void CheckSteps(EngagementRecord record, string id, List<JsonElement> timeline, HashSet<string> expected, List<string> failures)
    {
        var segments = new List<Segment>();
        DateTimeOffset? maximumEnd = null;
        foreach (var entry in timeline)
        {
            var at = At(entry);
            var current = segments.Count > 0 ? segments[^1] : null;
            switch (Kind(entry))
            {
                case "engagementStarted":
                    maximumEnd = at + ChaosPolicy.MaximumDuration;
                    segments.Add(new Segment("Assessment#1", at, Detail(entry, "assessmentDue")!.Value, maximumEnd));
                    break;
                case "assessmentDueChanged":
                    segments.Add(new Segment("Assessment#1", at, Detail(entry, "assessmentDue")!.Value, maximumEnd));
                    break;
                case "reviewDueChanged":
                    segments.Add(new Segment(DetailText(entry, "step")!, at, Detail(entry, "due")!.Value, maximumEnd));
                    break;
                case "closureReviewOpened":
                    var step = DetailText(entry, "step")!;
                    segments.Add(new Segment(step, at, Detail(entry, "due")!.Value, null));
                    expected.Add(Email($"{id}-{step}-opened"));
                    break;
                case "engagementExtended":
                    maximumEnd = Detail(entry, "until");
                    break;
                case "reminderSent" when current is not null:
                    current.Reminders.Add(at);
                    expected.Add(Email($"{id}-{current.Step}-reminder-{current.Due.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}"));
                    break;
                case "escalatedToSupervisor" when string.Equals(DetailText(entry, "reason"), "SafetyScreen", StringComparison.OrdinalIgnoreCase):
                    expected.Add(Email($"{id}-Assessment#1-safety"));
                    break;
                case "escalatedToSupervisor" when current is not null:
                    current.Escalations.Add(at);
                    expected.Add(Email($"{id}-{current.Step}-escalation-{current.Due.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}"));
                    break;
            }
        }

        // The answer that ended each step: step-ending commands end the steps in order, each the first step still open
        // when it was sent (it can be sent before the step shows: the workflow applies it when it gets there). A step
        // the workflow ended by itself (the maximum duration, the closure-review deadline) takes no command.
        var closedAt = timeline.Where(e => Kind(e) == "engagementClosed").Select(At).Cast<DateTimeOffset?>().FirstOrDefault() ?? DateTimeOffset.MaxValue;
        var steps = segments.Select(s => s.Step).Distinct().ToList();
        var answers = new Queue<SentCommand>(record.Commands.Where(c => c.EndsStep).OrderBy(c => c.FirstSentAt));
        var answeredAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            var end = i + 1 < steps.Count ? segments.First(s => s.Step == steps[i + 1]).EnteredAt : closedAt;
            answeredAt[steps[i]] = answers.Count > 0 && answers.Peek().FirstSentAt <= end ? answers.Dequeue().FirstSentAt : DateTimeOffset.MaxValue;
        }

        foreach (var segment in segments)
        {
            CheckStepReminders(id, segment, answeredAt[segment.Step], failures);
        }

        CheckClosureAtTheDeadline(timeline, segments, closedAt, failures);
    }

    /// <summary>
    /// An engagement closed because its maximum duration was reached went through a closure review that stayed open
    /// for the whole decision window, and closed at its deadline, not before (whether or not the driver saw it open).
    /// </summary>
    private static void CheckClosureAtTheDeadline(List<JsonElement> timeline, List<Segment> segments, DateTimeOffset closedAt, List<string> failures)
    {
        var closed = timeline.FirstOrDefault(e => Kind(e) == "engagementClosed");
        if (closed.ValueKind != JsonValueKind.Object || !string.Equals(DetailText(closed, "reason"), "MaximumDurationReached", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (segments.LastOrDefault(s => s.IsClosureReview) is not { } review)
        {
            failures.Add("closed (maximum duration reached) without a closure review on its timeline");
            return;
        }

        if (review.Due - review.EnteredAt < ChaosPolicy.ClosureDecisionWindow - Truncation)
        {
            failures.Add($"{review.Step} opened at {review.EnteredAt:HH:mm:ss.fff} with its deadline at {review.Due:HH:mm:ss.fff}, less than the {ChaosPolicy.ClosureDecisionWindow.TotalSeconds:0} s decision window");
        }

        if (closedAt < review.Due - Truncation)
        {
            failures.Add($"closed (maximum duration reached) at {closedAt:HH:mm:ss.fff}, before {review.Step}'s deadline {review.Due:HH:mm:ss.fff}");
        }
    }

    private void CheckStepReminders(string id, Segment segment, DateTimeOffset answeredAt, List<string> failures)
    {
        var lead = ChaosPolicy.ReminderLead;
        report.StepRemindersSent += segment.Reminders.Count;
        report.EscalationsSent += segment.Escalations.Count;
        if (segment.Reminders.Count > 1 || segment.Escalations.Count > 1)
        {
            failures.Add($"{segment.Step}: {segment.Reminders.Count} reminders and {segment.Escalations.Count} escalations recorded for one due date (at most one each)");
        }

        // Not before it was due.
        foreach (var sent in segment.Reminders.Where(r => r < segment.Due - lead - Truncation))
        {
            failures.Add($"{segment.Step}: reminder sent at {sent:HH:mm:ss.fff}, before it was due at {segment.Due - lead:HH:mm:ss}");
        }

        foreach (var sent in segment.Escalations.Where(e => e < segment.Due + ChaosPolicy.SupervisorEscalationDelay - Truncation))
        {
            failures.Add($"{segment.Step}: escalation at {sent:HH:mm:ss.fff}, before it was due at {segment.Due + ChaosPolicy.SupervisorEscalationDelay:HH:mm:ss}");
        }

        if (segment.Escalations.Count > 0 && segment.Reminders.Count == 0)
        {
            failures.Add($"{segment.Step}: escalated without the reminder first");
        }

        // Came due: the reminder's moment (which the workflow puts before the maximum-duration end when it is earlier).
        var reminderAt = Later(segment.Due + Truncation - lead, segment.EnteredAt);
        var beforeMaximum = segment.MaximumEnd is not { } max || reminderAt < max - Truncation;
        var reminderDue = beforeMaximum && CameDue(reminderAt, answeredAt);
        Judged(id, $"{segment.Step} reminder", reminderAt, segment.Reminders.Count > 0 ? segment.Reminders[0] : null, answeredAt, reminderDue);
        if (reminderDue)
        {
            report.StepRemindersDue++;
            if (segment.Reminders.Count == 0)
            {
                failures.Add($"{segment.Step}: the reminder came due at {reminderAt:HH:mm:ss} and was not sent (the step was answered {Describe(answeredAt)})");
            }
        }

        if (segment.IsClosureReview || segment.Reminders.Count == 0)
        {
            return;
        }

        var escalationAt = Later(segment.Due + Truncation + ChaosPolicy.SupervisorEscalationDelay, segment.Reminders[0]);
        var escalationDue = (segment.MaximumEnd is not { } end || escalationAt < end - Truncation) && CameDue(escalationAt, answeredAt);
        Judged(id, $"{segment.Step} escalation", escalationAt, segment.Escalations.Count > 0 ? segment.Escalations[0] : null, answeredAt, escalationDue);
        if (escalationDue)
        {
            report.EscalationsDue++;
            if (segment.Escalations.Count == 0)
            {
                failures.Add($"{segment.Step}: the escalation came due at {escalationAt:HH:mm:ss} and was not sent (the step was answered {Describe(answeredAt)})");
            }
        }
    }

    private void CheckOutreach(EngagementRecord record, JsonElement final, List<JsonElement> timeline, HashSet<string> expected, List<string> failures)
    {
        var id = record.EngagementId!;
        var closed = EngagementDriver.Text(final, "status") == "closed";
        var closedAt = timeline.Where(e => Kind(e) == "engagementClosed").Select(At).Cast<DateTimeOffset?>().FirstOrDefault() ?? DateTimeOffset.MaxValue;
        var closingSent = record.Commands.Where(c => c.Closes).Select(c => (DateTimeOffset?)c.FirstSentAt).Min() ?? DateTimeOffset.MaxValue;
        foreach (var outreach in final.GetProperty("outreach").EnumerateArray())
        {
            var outreachId = EngagementDriver.Text(outreach, "id")!;
            var npi = EngagementDriver.Text(outreach, "npi")!;
            var remindersSent = outreach.GetProperty("remindersSent").GetInt32();
            var escalated = EngagementDriver.Date(outreach, "escalatedAt");
            if (EngagementDriver.Date(outreach, "firstEmailAt") is not { } first)
            {
                continue;
            }

            expected.Add(Email($"{outreachId}-request"));
            expected.UnionWith(Enumerable.Range(1, remindersSent).Select(n => Email($"{outreachId}-reminder-{n}")));
            if (escalated is not null)
            {
                expected.Add(Email($"{outreachId}-peer-to-peer"));
            }

            if (closed)
            {
                expected.Add(Email($"{id}-closure-{npi}"));
            }

            var reminded = timeline.Where(e => Kind(e) == "providerReminded" && DetailText(e, "npi") == npi).Select(At).ToList();
            if (reminded.Count != remindersSent || remindersSent > ChaosPolicy.ProviderReminderCount)
            {
                failures.Add($"provider {npi}: {remindersSent} reminders on the outreach, {reminded.Count} on the timeline (policy: at most {ChaosPolicy.ProviderReminderCount})");
            }

            report.ProviderRemindersSent += reminded.Count;
            var answered = record.Commands.Where(c => c.Npi == npi).Select(c => (DateTimeOffset?)c.FirstSentAt).Min() ?? DateTimeOffset.MaxValue;
            var endedAt = Earliest(answered, closingSent, closedAt);
            var previous = first;
            for (var n = 1; n <= ChaosPolicy.ProviderReminderCount + 1; n++)
            {
                var escalation = n > ChaosPolicy.ProviderReminderCount;
                var dueAt = first + (escalation ? ChaosPolicy.ProviderEscalationAfter : ChaosPolicy.ProviderReminderInterval * n);
                var sentAt = escalation ? escalated : n <= reminded.Count ? reminded[n - 1] : null;
                var what = escalation ? "peer-to-peer escalation" : $"reminder {n}";
                if (sentAt < dueAt - TimeSpan.FromMilliseconds(100))
                {
                    failures.Add($"provider {npi}: {what} sent at {sentAt:HH:mm:ss.fff}, before it was due at {dueAt:HH:mm:ss.fff}");
                }

                var cameDue = CameDue(Later(dueAt, previous), endedAt);
                Judged(id, $"provider {npi} {what}", Later(dueAt, previous), sentAt, endedAt, cameDue);
                if (cameDue)
                {
                    if (escalation)
                    {
                        report.EscalationsDue++;
                        report.EscalationsSent += sentAt is null ? 0 : 1;
                    }
                    else
                    {
                        report.ProviderRemindersDue++;
                    }

                    if (sentAt is null)
                    {
                        failures.Add($"provider {npi}: the {what} came due at {dueAt:HH:mm:ss.fff} and was not sent (the outreach ended {Describe(endedAt)})");
                    }
                }

                if (sentAt is not { } handled)
                {
                    break; // the next one waits for this one
                }

                previous = handled;
            }
        }
    }

    /// <summary>
    /// True when, at some moment at or after <paramref name="dueAt"/>, the host had been up for <see cref="Settle"/> and
    /// stayed up for <see cref="Grace"/> more, all before <paramref name="answeredAt"/> (the answer's first send).
    /// </summary>
    private bool CameDue(DateTimeOffset dueAt, DateTimeOffset answeredAt) =>
        upWindows.Any(w =>
        {
            var from = Later(dueAt, w.From + Settle);
            return from + Grace <= Earliest(w.To ?? DateTimeOffset.MaxValue, answeredAt, DateTimeOffset.MaxValue);
        });

    private void Judged(string id, string timer, DateTimeOffset dueAt, DateTimeOffset? sentAt, DateTimeOffset answeredAt, bool cameDue) =>
        _timers.Add(string.Create(CultureInfo.InvariantCulture,
            $"{id},{timer},{dueAt:HH:mm:ss.fff},{sentAt:HH:mm:ss.fff},{(answeredAt == DateTimeOffset.MaxValue ? string.Empty : answeredAt.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))},{(cameDue ? "yes" : "no")}"));

    private static string Describe(DateTimeOffset at) =>
        at == DateTimeOffset.MaxValue ? "never" : string.Create(CultureInfo.InvariantCulture, $"at {at:HH:mm:ss.fff}");

    private static string Email(string idempotencyKey) => OutboxEmailSender.FileNameFor(idempotencyKey);

    private static string? Kind(JsonElement entry) => EngagementDriver.Text(entry, "kind");

    private static DateTimeOffset At(JsonElement entry) => EngagementDriver.Date(entry, "at")!.Value;

    private static string? DetailText(JsonElement entry, string key) =>
        entry.GetProperty("details").EnumerateArray().Select(d => d.GetString()!).FirstOrDefault(d => d.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    private static DateTimeOffset? Detail(JsonElement entry, string key) =>
        DetailText(entry, key) is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) => new[] { a, b, c }.Min();
}
