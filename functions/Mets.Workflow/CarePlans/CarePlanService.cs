using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.CommunitySupports;
using Mets.Workflow.Consent;
using Mets.Workflow.Cases;

namespace Mets.Workflow.CarePlans;

/// <summary>A goal as the clinician adds it. <paramref name="Id"/> (G1, ...) makes a retried submission safe (left out: the next id).</summary>
public sealed record GoalSubmission(string? Id, string Description, string? Target, DateOnly? TargetDate, GoalStatus Status, bool SubstanceUse);

/// <summary>A change to a goal: any of status, target and target date (left out: unchanged).</summary>
public sealed record GoalChange(GoalStatus? Status, string? Target, DateOnly? TargetDate);

/// <summary>A barrier as the clinician adds it: one of the program's barriers; social determinants name their AHC HRSN domain.</summary>
public sealed record BarrierSubmission(string? Id, ProgramBarrier Kind, SocialNeedDomain? SocialNeed, string? Note);

/// <summary>A change to a barrier: resolved (or reopened) and/or a new note.</summary>
public sealed record BarrierChange(bool? Resolved, string? Note);

/// <summary>An intervention aimed at barrier <paramref name="BarrierId"/>; a community-resource referral names the resource and a follow-up date.</summary>
public sealed record InterventionSubmission(
    string? Id, InterventionKind Kind, string Description, string BarrierId, InterventionStatus Status, string? ResourceId, DateTimeOffset? FollowUpDueAt);

/// <summary>A review's progress on one goal: its status now and the clinician's note.</summary>
public sealed record GoalProgressSubmission(string GoalId, GoalStatus Status, string? Note);

/// <summary>
/// The care plan's commands over the API: goals (member's words, target date, status), barriers (the program's seven and
/// the AHC HRSN social needs), interventions aimed at a barrier, each with its status history and the actor, each a
/// timeline entry (<see cref="CaseEditor"/>). The plan starts at the assessment. Adding with an id already on the plan
/// is accepted once for the same item and refused (<see cref="ConsentService.IdInUse"/>) for a different one.
/// </summary>
public sealed class CarePlanService(CaseEditor editor, CommunityResourceDirectory directory, FollowUpNotifier followUps, TimeProvider time)
{
    /// <summary>The reason code of a change to a goal, barrier or intervention the plan does not have.</summary>
    public const string CarePlanItemNotFound = nameof(CarePlanItemNotFound);

    public Task<(CommandResult Result, string? ItemId)> AddGoalAsync(EngagementId id, GoalSubmission goal, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(goal);
        var errors = new List<string>();
        CheckId(goal.Id, 'G', errors);
        CheckText(goal.Description, "Description", CarePlanGoal.MaxDescriptionLength, required: true, errors);
        CheckText(goal.Target, "Target", CarePlanGoal.MaxTargetLength, required: false, errors);
        if (!Enum.IsDefined(goal.Status) || goal.Status is not (GoalStatus.Proposed or GoalStatus.Agreed or GoalStatus.InProgress))
        {
            errors.Add("Status of a new goal is proposed, agreed or inProgress.");
        }

        return AddAsync(id, goal.Id, 'G', errors, by,
            (current, itemId) => current.CarePlan.Goals.FirstOrDefault(g => g.Id == itemId) is { } existing ? existing.Description == goal.Description.Trim() : null,
            (current, itemId, at) => current.AddGoal(new CarePlanGoal(itemId, goal.Description.Trim(), goal.Target?.Trim() ?? string.Empty, goal.Status, goal.TargetDate, SubstanceUse: goal.SubstanceUse), by, at),
            cancellationToken);
    }

    public Task<CommandResult> ChangeGoalAsync(EngagementId id, string goalId, GoalChange change, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var errors = new List<string>();
        CheckText(change.Target, "Target", CarePlanGoal.MaxTargetLength, required: false, errors);
        if (change.Status is { } s && !Enum.IsDefined(s))
        {
            errors.Add("Status is not a known goal status.");
        }

        return ChangeAsync(id, errors, by, current => current.CarePlan.Goals.Any(g => g.Id == goalId),
            (current, at) => current.ChangeGoal(goalId, change.Status, change.Target?.Trim(), change.TargetDate, by, at), cancellationToken);
    }

    public Task<(CommandResult Result, string? ItemId)> AddBarrierAsync(EngagementId id, BarrierSubmission barrier, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        var errors = new List<string>();
        CheckId(barrier.Id, 'B', errors);
        CheckText(barrier.Note, "Note", CareBarrier.MaxNoteLength, required: false, errors);
        if (!Enum.IsDefined(barrier.Kind))
        {
            errors.Add("Kind is not a known program barrier.");
        }

        if ((barrier.Kind == ProgramBarrier.SocialDeterminants) != barrier.SocialNeed.HasValue || barrier.SocialNeed is { } n && !Enum.IsDefined(n))
        {
            errors.Add("SocialNeed (an AHC HRSN domain) is required for a socialDeterminants barrier and only for it.");
        }

        return AddAsync(id, barrier.Id, 'B', errors, by,
            (current, itemId) => current.CarePlan.Barriers.FirstOrDefault(b => b.Id == itemId) is { } existing ? existing.Kind == barrier.Kind && existing.SocialNeed == barrier.SocialNeed : null,
            (current, itemId, at) => current.AddBarrier(new CareBarrier(barrier.Kind, barrier.Note?.Trim(), false, itemId, barrier.SocialNeed), by, at),
            cancellationToken);
    }

    public Task<CommandResult> ChangeBarrierAsync(EngagementId id, string barrierId, BarrierChange change, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var errors = new List<string>();
        CheckText(change.Note, "Note", CareBarrier.MaxNoteLength, required: false, errors);
        return ChangeAsync(id, errors, by, current => current.CarePlan.Barriers.Any(b => b.Id == barrierId),
            (current, at) => current.ChangeBarrier(barrierId, change.Resolved, change.Note?.Trim(), by, at), cancellationToken);
    }

    public async Task<(CommandResult Result, string? ItemId)> AddInterventionAsync(EngagementId id, InterventionSubmission intervention, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        var errors = new List<string>();
        CheckId(intervention.Id, 'I', errors);
        CheckText(intervention.Description, "Description", Intervention.MaxDescriptionLength, required: true, errors);
        if (!Enum.IsDefined(intervention.Kind) || !Enum.IsDefined(intervention.Status) || intervention.Status is not (InterventionStatus.Planned or InterventionStatus.InProgress))
        {
            errors.Add("Kind must be a known intervention kind and Status of a new intervention planned or inProgress.");
        }

        if (!CarePlan.IsItemId(intervention.BarrierId, 'B'))
        {
            errors.Add("BarrierId must name a barrier of the care plan (B1, B2, ...).");
        }

        if (intervention.FollowUpDueAt is { } due && due <= time.GetUtcNow())
        {
            errors.Add("FollowUpDueAt must be in the future.");
        }

        if (intervention.ResourceId is { } resourceId)
        {
            if (directory.Find(resourceId) is null)
            {
                errors.Add("ResourceId does not name a resource of the community-resource directory.");
            }

            if (intervention.Kind is not (InterventionKind.CommunityResourceReferral or InterventionKind.SocialNeedsReferral) || intervention.FollowUpDueAt is null)
            {
                errors.Add("A referral to a community resource is a communityResourceReferral or socialNeedsReferral with a FollowUpDueAt.");
            }
        }

        var added = await AddAsync(id, intervention.Id, 'I', errors, by,
            (current, itemId) => current.CarePlan.Interventions.FirstOrDefault(i => i.Id == itemId) is { } existing
                ? existing.Kind == intervention.Kind && existing.BarrierId == intervention.BarrierId && existing.Description == intervention.Description.Trim()
                : null,
            (current, itemId, at) => current.CarePlan.Barriers.Any(b => b.Id == intervention.BarrierId)
                ? current.AddIntervention(new Intervention(intervention.Kind, intervention.Description.Trim(), intervention.Status, null, itemId, intervention.BarrierId,
                    ResourceId: intervention.ResourceId, FollowUpDueAt: intervention.FollowUpDueAt), by, at)
                : null,
            cancellationToken);
        await NotifyAsync(id, added.Result, added.ItemId, cancellationToken);
        return added;
    }

    public async Task<CommandResult> ChangeInterventionAsync(EngagementId id, string interventionId, InterventionStatus status, Actor by, CancellationToken cancellationToken = default)
    {
        var changed = await ChangeAsync(id, Enum.IsDefined(status) ? [] : ["Status is not a known intervention status."], by, current => current.CarePlan.Interventions.Any(i => i.Id == interventionId),
            (current, at) => current.ChangeIntervention(interventionId, status, by, at), cancellationToken);
        await NotifyAsync(id, changed, interventionId, cancellationToken);
        return changed;
    }

    /// <summary>After an accepted add or change, the engagement learns the intervention's follow-up as the case now has it (a retry notifies again; the orchestration keeps its timers' marks for the same due date).</summary>
    private async Task NotifyAsync(EngagementId id, CommandResult result, string? interventionId, CancellationToken cancellationToken)
    {
        if (result.Status != CommandStatus.Accepted || interventionId is null || await editor.ReadAsync(id, cancellationToken) is not { } current
            || current.CarePlan.Interventions.FirstOrDefault(i => i.Id == interventionId) is not { } intervention)
        {
            return;
        }

        await followUps.NotifyAsync(id, intervention, cancellationToken);
    }

    /// <summary>
    /// Checks a review's goal progress against the plan: known goals, each once, and every goal still being worked on
    /// (agreed or in progress) covered. Empty when it fits.
    /// </summary>
    public static IReadOnlyList<string> CheckProgress(EngagementCase found, IReadOnlyList<GoalProgressSubmission> progress)
    {
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(progress);
        var errors = new List<string>();
        for (var i = 0; i < progress.Count; i++)
        {
            var item = progress[i];
            if (found.CarePlan.Goals.All(g => g.Id != item.GoalId))
            {
                errors.Add($"GoalProgress[{i}].GoalId does not name a goal of the care plan.");
            }

            if (!Enum.IsDefined(item.Status))
            {
                errors.Add($"GoalProgress[{i}].Status is not a known goal status.");
            }

            CheckText(item.Note, $"GoalProgress[{i}].Note", GoalProgress.MaxNoteLength, required: false, errors);
        }

        if (progress.GroupBy(p => p.GoalId).Any(g => g.Count() > 1))
        {
            errors.Add("GoalProgress lists a goal more than once.");
        }

        var missing = found.CarePlan.Goals.Where(g => g.IsActive && progress.All(p => p.GoalId != g.Id)).Select(g => g.Id).ToList();
        if (missing.Count > 0)
        {
            errors.Add($"GoalProgress must record progress on every agreed or in-progress goal; missing: {string.Join(", ", missing)}.");
        }

        return errors;
    }

    /// <summary>Applies a review's goal progress to the case (once per review: the change id names it).</summary>
    public async Task ApplyProgressAsync(EngagementId id, int reviewNumber, IReadOnlyList<GoalProgressSubmission> progress, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.Count == 0)
        {
            return;
        }

        var at = time.GetUtcNow();
        await editor.ApplyAsync(id, $"review-progress:{reviewNumber}", current => current.CarePlanStarted
            ? CaseEdit.Change(progress.Aggregate(current, (c, p) => c.RecordGoalProgress(p.GoalId, reviewNumber, p.Status, p.Note?.Trim(), by, at)))
            : CaseEdit.Unchanged, cancellationToken);
    }

    /// <summary>Refuses a care-plan change before the assessment or after the closure.</summary>
    public static CommandResult? NotStarted(EngagementCase current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.Status == EngagementStatus.Closed)
        {
            return CaseEditor.Closed(current.Id);
        }

        return current.Assessment is null
            ? CommandResult.Conflict(nameof(EventFit.NotExpectedNow), $"Engagement {current.Id} has no care plan before its assessment.")
            : null;
    }

    private async Task<(CommandResult Result, string? ItemId)> AddAsync(
        EngagementId id, string? requestedId, char prefix, List<string> errors, Actor by,
        Func<EngagementCase, string, bool?> sameAsExisting, Func<EngagementCase, string, DateTimeOffset, EngagementCase?> add, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (errors.Count > 0)
        {
            return (CommandResult.Invalid(errors), null);
        }

        string? itemId = null;
        var result = await editor.ApplyAsync(id, $"care-plan:{Guid.NewGuid():N}", current =>
        {
            if (NotStarted(current) is { } refusal)
            {
                return CaseEdit.Refuse(refusal);
            }

            itemId = requestedId ?? current.CarePlan.NextId(prefix);
            switch (sameAsExisting(current, itemId))
            {
                case true:
                    return CaseEdit.Unchanged;
                case false:
                    return CaseEdit.Refuse(CommandResult.Conflict(ConsentService.IdInUse, $"Engagement {id} has a different care-plan item {itemId}."));
            }

            if (Count(current.CarePlan, prefix) >= CarePlan.MaxItems)
            {
                return CaseEdit.Refuse(CommandResult.Invalid([$"The care plan holds at most {CarePlan.MaxItems} items of each kind."]));
            }

            return add(current, itemId, time.GetUtcNow()) is { } updated
                ? CaseEdit.Change(updated)
                : CaseEdit.Refuse(CommandResult.NotFound(CarePlanItemNotFound, $"Engagement {id}: the care-plan item named does not exist."));
        }, cancellationToken);
        return (result.Result, result.Result.Status == CommandStatus.Accepted ? itemId : null);
    }

    private async Task<CommandResult> ChangeAsync(
        EngagementId id, List<string> errors, Actor by, Func<EngagementCase, bool> exists, Func<EngagementCase, DateTimeOffset, EngagementCase> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (errors.Count > 0)
        {
            return CommandResult.Invalid(errors);
        }

        var result = await editor.ApplyAsync(id, $"care-plan:{Guid.NewGuid():N}", current =>
            NotStarted(current) is { } refusal ? CaseEdit.Refuse(refusal)
            : !exists(current) ? CaseEdit.Refuse(CommandResult.NotFound(CarePlanItemNotFound, $"Engagement {id} has no such care-plan item."))
            : change(current, time.GetUtcNow()) is var updated && !ReferenceEquals(updated, current) ? CaseEdit.Change(updated)
            : CaseEdit.Unchanged, cancellationToken);
        return result.Result;
    }

    private static int Count(CarePlan plan, char prefix) => prefix switch
    {
        'G' => plan.Goals.Count,
        'B' => plan.Barriers.Count,
        _ => plan.Interventions.Count,
    };

    private static void CheckId(string? id, char prefix, List<string> errors)
    {
        if (id is not null && !CarePlan.IsItemId(id, prefix))
        {
            errors.Add($"Id must be {prefix} followed by 1 to 4 digits ({prefix}1, {prefix}2, ...).");
        }
    }

    private static void CheckText(string? text, string field, int maxLength, bool required, List<string> errors)
    {
        if (text is null ? required : string.IsNullOrWhiteSpace(text) || text.Length > maxLength)
        {
            errors.Add($"{field} must be 1 to {maxLength} characters.");
        }
    }
}
