using Mets.Domain.CarePlans;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Microsoft.DurableTask.Client;

namespace Mets.Workflow.CarePlans;

/// <summary>
/// The follow-up of intervention <paramref name="InterventionId"/> is due at <paramref name="DueAt"/> (null: no longer
/// watched: completed or cancelled). Raised to the engagement (event <see cref="EventName"/>), which reminds the clinician
/// and escalates to the supervisor with durable timers, as for a step. Ids and times only.
/// </summary>
public sealed record FollowUpChanged(EngagementId EngagementId, string InterventionId, DateTimeOffset? DueAt, DateTimeOffset OccurredAt)
{
    public const string EventName = nameof(FollowUpChanged);
}

/// <summary>One watched follow-up in the engagement orchestration's state: when it is due and which of its timers went off.</summary>
public sealed record FollowUpTimer(DateTimeOffset DueAt, bool Reminded, bool Escalated);

/// <summary>Tells the engagement's orchestration that an intervention's follow-up changed (a missing or ended instance is left alone: repair rebuilds its follow-ups from the case).</summary>
public sealed class FollowUpNotifier(DurableTaskClient client, TimeProvider time)
{
    public async Task NotifyAsync(EngagementId engagement, Intervention intervention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        if (intervention.Id is null || (intervention.FollowUpDueAt is null && intervention.History is not { Count: > 1 }))
        {
            return;
        }

        if (await client.GetInstanceAsync(engagement.Value, cancellationToken) is not { IsCompleted: false })
        {
            return;
        }

        var due = intervention.IsOpen ? intervention.FollowUpDueAt : null;
        await client.RaiseEventAsync(engagement.Value, FollowUpChanged.EventName, new FollowUpChanged(engagement, intervention.Id, due, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>The follow-ups an open case watches (open interventions with a follow-up date), as the orchestration keeps them.</summary>
    public static Dictionary<string, FollowUpTimer> Watched(EngagementCase found)
    {
        ArgumentNullException.ThrowIfNull(found);
        return found.CarePlan.Interventions
            .Where(i => i.IsOpen && i.Id is not null && i.FollowUpDueAt is not null)
            .ToDictionary(i => i.Id!, i => new FollowUpTimer(i.FollowUpDueAt!.Value, i.FollowUpRemindedAt.HasValue, i.FollowUpEscalatedAt.HasValue), StringComparer.Ordinal);
    }
}

/// <summary>
/// Include care-team participant <paramref name="Npi"/> in the provider outreach (event <see cref="EventName"/>): the
/// engagement starts their own outreach orchestration, with the same reminders and escalation, and stops it at closure
/// like every other. Ids and codes only.
/// </summary>
public sealed record CareTeamOutreachRequested(EngagementId EngagementId, Npi Npi, Mets.Domain.Referrals.ProviderRole Role, DateTimeOffset OccurredAt)
{
    public const string EventName = nameof(CareTeamOutreachRequested);
}
