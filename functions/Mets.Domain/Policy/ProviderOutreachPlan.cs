using System.Text.Json.Serialization;

namespace Mets.Domain.Policy;

/// <summary>What happens at a step of one provider's outreach when no response has arrived by then.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutreachStepKind>))]
public enum OutreachStepKind
{
    /// <summary>Send reminder number <see cref="OutreachStep.ReminderNumber"/>.</summary>
    Reminder,

    /// <summary>Escalate to the medical director for a peer-to-peer review.</summary>
    PeerToPeerEscalation,

    /// <summary>Stop waiting: the outreach ends as "no response" (noted; the engagement goes on).</summary>
    NoResponse,
}

/// <param name="At">When the step is due.</param>
/// <param name="Kind">What to do then.</param>
/// <param name="ReminderNumber">1-based for reminders, 0 otherwise.</param>
public sealed record OutreachStep(DateTimeOffset At, OutreachStepKind Kind, int ReminderNumber);

/// <summary>
/// One provider's outreach timetable from the first email: reminders, escalation, then give up.
/// The orchestrator walks <see cref="Steps"/> in order, racing the provider's response (and
/// closure) against a timer at each step's <see cref="OutreachStep.At"/>.
/// </summary>
public sealed record ProviderOutreachPlan(DateTimeOffset FirstEmailAt, IReadOnlyList<OutreachStep> Steps)
{
    public DateTimeOffset EscalationAt => Steps.Single(s => s.Kind == OutreachStepKind.PeerToPeerEscalation).At;

    public DateTimeOffset GiveUpAt => Steps[^1].At;

    /// <summary>The first step due after <paramref name="completedSteps"/> steps are done, or null when none is left.</summary>
    public OutreachStep? StepAfter(int completedSteps) =>
        completedSteps >= 0 && completedSteps < Steps.Count ? Steps[completedSteps] : null;
}
