using System.Globalization;
using System.Text.RegularExpressions;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Orchestration;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <param name="Name">What the script waited for.</param>
/// <param name="Due">When it was due, from the scenario's start (policy moments; actions: when the script acted).</param>
/// <param name="Reached">When the script saw it, from the scenario's start, on the runtime's clock.</param>
/// <param name="Step">The engagement's step then.</param>
/// <param name="TimelineCount">Timeline entries then.</param>
/// <param name="EmailCount">Emails sent for the engagement then.</param>
internal sealed record Checkpoint(string Name, TimeSpan Due, TimeSpan Reached, string Step, int TimelineCount, int EmailCount);

/// <summary>
/// What one run of <see cref="LifecycleScript"/> produced, in a form two runtimes can be compared by: ids and
/// timestamps differ by nature and are left out. Timeline entries and emails are grouped by the checkpoint
/// after which they were first seen (the phase); within a phase, the work of concurrent instances (the
/// engagement and each provider's outreach) can interleave in any order on any runtime, so entries are ordered by
/// their source (engagement first, then by NPI), keeping each source's own order, which is causal.
/// </summary>
internal sealed partial record LifecycleRecord(
    string Runtime,
    EngagementId EngagementId,
    IReadOnlyList<Checkpoint> Checkpoints,
    Observation Final,
    OrchestrationMetadata Engagement,
    OrchestrationMetadata? OutreachA,
    OrchestrationMetadata? OutreachB,
    TimeSpan Elapsed)
{
    /// <summary>Detail codes whose values are moments (they differ between runs by nature).</summary>
    private static readonly string[] TimeCodes = ["assessmentDue=", "due=", "until="];

    /// <summary>Each timeline entry: phase, step at the end of the phase, kind, actor, detail codes without moments.</summary>
    public IReadOnlyList<string> Timeline() => Phased(
        Final.Case.Timeline,
        c => c.TimelineCount,
        e => e.Details.FirstOrDefault(d => d.StartsWith("npi=", StringComparison.Ordinal)) ?? string.Empty,
        (phase, e) => $"{phase.Name} [{phase.Step}] | {e.Kind} | {e.Actor.Kind}{(e.Actor.Id is null ? string.Empty : ":" + e.Actor.Id)} | "
            + string.Join(" ", e.Details.Where(d => !TimeCodes.Any(t => d.StartsWith(t, StringComparison.Ordinal)))));

    /// <summary>Each email: phase, template (idempotency key without engagement id and due moment), recipient, subject.</summary>
    public IReadOnlyList<string> Emails() => Phased(
        Final.Emails,
        c => c.EmailCount,
        e => Template(e.IdempotencyKey),
        (phase, e) => $"{phase.Name} | {Template(e.IdempotencyKey)} | {e.To} | {e.Subject}");

    /// <summary>How it ended: instance statuses and outputs, the case's outcome and outreach, the last custom status (no moments).</summary>
    public IReadOnlyList<string> Outcome()
    {
        var result = Engagement.ReadOutputAs<EngagementResult>();
        var status = Engagement.ReadCustomStatusAs<EngagementStatusView>();
        return
        [
            $"engagement {Engagement.RuntimeStatus}: reason={result?.Reason} generation={result?.Generation}",
            $"custom status: {status?.Status} {status?.Step} owner={status?.Owner} tier={status?.RiskTier} generation={status?.Generation} reminded={status?.Reminded} escalated={status?.Escalated}",
            $"outreach A {OutreachA?.RuntimeStatus}: {OutreachA?.ReadOutputAs<ProviderOutreachStatus>()}",
            $"outreach B {OutreachB?.RuntimeStatus}: {OutreachB?.ReadOutputAs<ProviderOutreachStatus>()}",
            $"case {Final.Case.Status} step={Final.Case.CurrentStep.Step} outcome={Final.Case.Outcome?.Reason} reviews={Final.Case.ReviewsCompleted} risk={Final.Case.RiskTier}",
            .. Final.Case.Outreach.OrderBy(o => o.Npi.Value, StringComparer.Ordinal)
                .Select(o => $"case outreach {o.Npi}: {o.Status} reminders={o.RemindersSent} response={o.Response} emailed={o.FirstEmailAt is not null}"),
        ];
    }

    /// <summary>When each checkpoint was due and reached (seconds from the scenario's start), for the test output.</summary>
    public string Moments() => string.Join("\n", Checkpoints.Select(c =>
        string.Create(CultureInfo.InvariantCulture, $"  due {c.Due.TotalSeconds,6:0.000} s  reached {c.Reached.TotalSeconds,6:0.000} s  {c.Name}")));

    private string Template(string key)
    {
        var template = key.Replace(EngagementId.Value, "{engagement}", StringComparison.Ordinal);
        return DueStamp().Replace(template, "-{due}");
    }

    private List<string> Phased<T>(IReadOnlyList<T> items, Func<Checkpoint, int> countAt, Func<T, string> source, Func<Checkpoint, T, string> describe)
    {
        var lines = new List<string>();
        var from = 0;
        foreach (var phase in Checkpoints)
        {
            var to = Math.Min(countAt(phase), items.Count);
            lines.AddRange(items.Skip(from).Take(to - from)
                .Select((item, index) => (item, index))
                .OrderBy(x => source(x.item), StringComparer.Ordinal)
                .ThenBy(x => x.index)
                .Select(x => describe(phase, x.item)));
            from = Math.Max(from, to);
        }

        lines.AddRange(items.Skip(from).Select(item => $"(after the last checkpoint) {describe(Checkpoints[^1], item)}"));
        return lines;
    }

    [GeneratedRegex(@"-\d{12}$")]
    private static partial Regex DueStamp();
}
