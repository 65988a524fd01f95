using System.Globalization;
using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Engagements;

/// <summary>
/// The care plan's changes: goals, barriers, interventions, review progress and providers' answers. Each returns an
/// updated copy with a timeline entry (codes only: ids, kinds, statuses), the actor named. The plan starts at the
/// assessment (<see cref="CompleteAssessment"/>); before it, and once closed, these throw.
/// </summary>
public sealed partial record EngagementCase
{
    /// <summary>Whether the plan can change now: open, and the assessment done.</summary>
    public bool CarePlanStarted => Status == EngagementStatus.Open && Assessment is not null;

    public EngagementCase AddGoal(CarePlanGoal goal, Actor by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(goal);
        RequireCarePlan();
        if (CarePlan.Goals.Any(g => g.Id == goal.Id))
        {
            throw new InvalidOperationException("The care plan has a goal with that id already.");
        }

        var added = goal with { History = [new(goal.Status, at, by)], Progress = [], ProviderAnswers = [] };
        return (this with { CarePlan = CarePlan.WithGoal(added) })
            .Note(at, by, TimelineEntryKind.GoalAdded, Code("goal", goal.Id), Code("status", goal.Status), Code("substanceUse", goal.SubstanceUse),
                Code("targetDate", goal.TargetDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "none"));
    }

    /// <summary>Changes a goal's status, target or target date; the same values again change nothing (no entry).</summary>
    /// <exception cref="KeyNotFoundException">No goal has that id.</exception>
    public EngagementCase ChangeGoal(string goalId, GoalStatus? status, string? target, DateOnly? targetDate, Actor by, DateTimeOffset at)
    {
        RequireCarePlan();
        var goal = FindGoal(goalId);
        var changed = goal with
        {
            Status = status ?? goal.Status,
            Target = target ?? goal.Target,
            TargetDate = targetDate ?? goal.TargetDate,
        };
        if (changed == goal)
        {
            return this;
        }

        if (changed.Status != goal.Status)
        {
            changed = changed with { History = [.. goal.History ?? [], new(changed.Status, at, by)] };
        }

        return (this with { CarePlan = CarePlan.WithGoal(changed) })
            .Note(at, by, TimelineEntryKind.GoalChanged, Code("goal", goalId), Code("status", changed.Status),
                Code("targetChanged", changed.Target != goal.Target), Code("targetDate", changed.TargetDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "none"));
    }

    /// <summary>A review's record of one goal: its status then (a change goes into the history) and the clinician's note.</summary>
    public EngagementCase RecordGoalProgress(string goalId, int reviewNumber, GoalStatus status, string? note, Actor by, DateTimeOffset at)
    {
        RequireCarePlan();
        var goal = FindGoal(goalId);
        var progressed = goal with
        {
            Status = status,
            Progress = [.. goal.Progress ?? [], new GoalProgress(reviewNumber, status, note, at, by)],
            History = status == goal.Status ? goal.History : [.. goal.History ?? [], new(status, at, by)],
        };
        return (this with { CarePlan = CarePlan.WithGoal(progressed) })
            .Note(at, by, TimelineEntryKind.GoalProgressRecorded, Code("goal", goalId), Code("review", reviewNumber), Code("status", status));
    }

    /// <summary>A provider agreed to a shared goal, proposed a change or added a note through their care-plan page.</summary>
    public EngagementCase RecordProviderGoalAnswer(string goalId, Npi provider, ProviderGoalAction action, string? text, DateTimeOffset at)
    {
        RequireCarePlan();
        var goal = FindGoal(goalId);
        var answered = goal with { ProviderAnswers = [.. goal.ProviderAnswers ?? [], new ProviderGoalAnswer(provider, action, text, at)] };
        return (this with { CarePlan = CarePlan.WithGoal(answered) })
            .Note(at, Actor.Provider(provider), TimelineEntryKind.ProviderGoalAnswered, Code("goal", goalId), Code("action", action));
    }

    public EngagementCase AddBarrier(CareBarrier barrier, Actor by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        RequireCarePlan();
        if (barrier.Id is null || CarePlan.Barriers.Any(b => b.Id == barrier.Id))
        {
            throw new InvalidOperationException("A new barrier needs an id not on the care plan.");
        }

        var added = barrier with { History = [new(barrier.Resolved ? BarrierStatus.Resolved : BarrierStatus.Open, at, by)] };
        var details = barrier.SocialNeed is { } need
            ? new[] { Code("barrier", barrier.Id), Code("kind", barrier.Kind), Code("need", need) }
            : [Code("barrier", barrier.Id), Code("kind", barrier.Kind)];
        return (this with { CarePlan = CarePlan.WithBarrier(added) }).Note(at, by, TimelineEntryKind.BarrierAdded, details);
    }

    /// <summary>Resolves (or reopens) a barrier and/or replaces its note; the same values again change nothing.</summary>
    public EngagementCase ChangeBarrier(string barrierId, bool? resolved, string? note, Actor by, DateTimeOffset at)
    {
        RequireCarePlan();
        var barrier = CarePlan.Barriers.FirstOrDefault(b => b.Id == barrierId) ?? throw new KeyNotFoundException("The care plan has no barrier with that id.");
        var changed = barrier with { Resolved = resolved ?? barrier.Resolved, Note = note ?? barrier.Note };
        if (changed == barrier)
        {
            return this;
        }

        if (changed.Resolved != barrier.Resolved)
        {
            changed = changed with { History = [.. barrier.History ?? [], new(changed.Resolved ? BarrierStatus.Resolved : BarrierStatus.Open, at, by)] };
        }

        return (this with { CarePlan = CarePlan.WithBarrier(changed) })
            .Note(at, by, TimelineEntryKind.BarrierChanged, Code("barrier", barrierId), Code("resolved", changed.Resolved));
    }

    public EngagementCase AddIntervention(Intervention intervention, Actor by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        RequireCarePlan();
        if (intervention.Id is null || CarePlan.Interventions.Any(i => i.Id == intervention.Id))
        {
            throw new InvalidOperationException("A new intervention needs an id not on the care plan.");
        }

        var barrier = CarePlan.Barriers.FirstOrDefault(b => b.Id == intervention.BarrierId) ?? throw new KeyNotFoundException("The care plan has no barrier with that id.");
        var added = intervention with { Addresses = barrier.Kind, History = [new(intervention.Status, at, by)], FollowUpRemindedAt = null, FollowUpEscalatedAt = null };
        List<string> details = [Code("intervention", intervention.Id), Code("kind", intervention.Kind), Code("barrier", barrier.Id), Code("status", intervention.Status)];
        if (intervention.ResourceId is { } resource)
        {
            details.Add(Code("resource", resource));
        }

        if (intervention.FollowUpDueAt is { } due)
        {
            details.Add(Code("followUpDue", due));
        }

        return (this with { CarePlan = CarePlan.WithIntervention(added) }).Note(at, by, TimelineEntryKind.InterventionAdded, [.. details]);
    }

    /// <summary>Changes an intervention's status (a closed one's follow-up is no longer watched); the same status again changes nothing.</summary>
    public EngagementCase ChangeIntervention(string interventionId, InterventionStatus status, Actor by, DateTimeOffset at)
    {
        RequireCarePlan();
        var intervention = FindIntervention(interventionId);
        if (intervention.Status == status)
        {
            return this;
        }

        var changed = intervention with { Status = status, History = [.. intervention.History ?? [], new(status, at, by)] };
        return (this with { CarePlan = CarePlan.WithIntervention(changed) })
            .Note(at, by, TimelineEntryKind.InterventionChanged, Code("intervention", interventionId), Code("status", status));
    }

    /// <summary>The follow-up of an intervention was reminded (to the clinician) or escalated (to the supervisor).</summary>
    public EngagementCase RecordFollowUpTimer(string interventionId, bool escalation, StaffId? to, DateTimeOffset at)
    {
        RequireOpen();
        var intervention = FindIntervention(interventionId);
        var changed = escalation ? intervention with { FollowUpEscalatedAt = at } : intervention with { FollowUpRemindedAt = at };
        var details = to is { } staff
            ? new[] { Code("intervention", interventionId), Code("due", intervention.FollowUpDueAt), Code("to", staff.Value) }
            : [Code("intervention", interventionId), Code("due", intervention.FollowUpDueAt)];
        return (this with { CarePlan = CarePlan.WithIntervention(changed) })
            .Note(at, Actor.System, escalation ? TimelineEntryKind.FollowUpEscalated : TimelineEntryKind.FollowUpReminderSent, details);
    }

    /// <summary>A participant joined the care team (primary care, psychiatry consultant, pharmacy, dental, social services, ...).</summary>
    public EngagementCase AddCareTeamMember(Referrals.TreatingProvider participant, bool contact, Actor by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(participant);
        RequireCarePlan();
        if (TreatingProviders.Any(p => p.Npi == participant.Npi))
        {
            throw new InvalidOperationException("The care team has a participant with that NPI already.");
        }

        return (this with { TreatingProviders = [.. TreatingProviders, participant] })
            .Note(at, by, TimelineEntryKind.CareTeamMemberAdded, Code("npi", participant.Npi.Value), Code("role", participant.Role), Code("contact", contact));
    }

    /// <summary>The care plan was shared with a provider (an email with a care-plan link went to them).</summary>
    public EngagementCase NoteCarePlanShared(Npi provider, Actor by, DateTimeOffset at) =>
        Note(at, by, TimelineEntryKind.CarePlanShared, Code("npi", provider.Value));

    /// <summary>A level-of-care recommendation (step down or up, with the reason) was recorded.</summary>
    public EngagementCase RecommendLevelOfCare(LevelOfCareRecommendation recommendation)
    {
        ArgumentNullException.ThrowIfNull(recommendation);
        RequireCarePlan();
        if (recommendation.From == recommendation.To)
        {
            throw new ArgumentException("A level-of-care recommendation moves care to another level.", nameof(recommendation));
        }

        var plan = CarePlan with { LevelOfCare = [.. CarePlan.LevelOfCare ?? [], recommendation] };
        return (this with { CarePlan = plan })
            .Note(recommendation.At, recommendation.By, TimelineEntryKind.LevelOfCareRecommended,
                Code("from", recommendation.From), Code("to", recommendation.To), Code("direction", recommendation.Direction));
    }

    /// <exception cref="KeyNotFoundException">No goal has that id.</exception>
    public CarePlanGoal FindGoal(string goalId) =>
        CarePlan.Goals.FirstOrDefault(g => g.Id == goalId) ?? throw new KeyNotFoundException("The care plan has no goal with that id.");

    /// <exception cref="KeyNotFoundException">No intervention has that id.</exception>
    public Intervention FindIntervention(string interventionId) =>
        CarePlan.Interventions.FirstOrDefault(i => i.Id == interventionId) ?? throw new KeyNotFoundException("The care plan has no intervention with that id.");

    private void RequireCarePlan()
    {
        RequireOpen();
        if (Assessment is null)
        {
            throw new InvalidOperationException("The care plan starts at the assessment.");
        }
    }
}
