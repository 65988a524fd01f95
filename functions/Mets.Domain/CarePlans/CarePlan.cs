using System.Text.Json.Serialization;
using Mets.Domain.Assessments;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;

namespace Mets.Domain.CarePlans;

[JsonConverter(typeof(JsonStringEnumConverter<GoalStatus>))]
public enum GoalStatus
{
    Proposed,
    InProgress,
    Achieved,
    NotAchieved,
    Cancelled,

    /// <summary>Agreed with the member (and shared with the providers); work on it has not started.</summary>
    Agreed,
}

/// <summary>One status of a care-plan item, when and by whom: the item's history.</summary>
public sealed record StatusChange<TStatus>(TStatus Status, DateTimeOffset At, Actor By)
    where TStatus : struct, Enum;

/// <summary>A review's record of one goal: its status then, and the clinician's note (member's words: PHI).</summary>
public sealed record GoalProgress(int ReviewNumber, GoalStatus Status, string? Note, DateTimeOffset At, Actor By)
{
    public const int MaxNoteLength = 1000;

    /// <summary>Review and status only.</summary>
    public override string ToString() => $"Progress at review {ReviewNumber} ({Status})";
}

/// <summary>What a provider did with a shared goal on their page.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderGoalAction>))]
public enum ProviderGoalAction
{
    Agreed,
    ProposedChange,
    Note,
}

/// <summary>A provider's answer to a shared goal: agreed, a proposed change or a note (the text is PHI).</summary>
public sealed record ProviderGoalAnswer(Npi Provider, ProviderGoalAction Action, string? Text, DateTimeOffset At)
{
    public const int MaxTextLength = 1000;

    /// <summary>Provider and action only.</summary>
    public override string ToString() => $"Provider {Provider} {Action}";
}

/// <summary>
/// A care-plan goal. <see cref="Id"/> is a short code unique in the plan (e.g. <c>G1</c>); description
/// and target are the member's and clinician's words (protected health information). <see cref="SubstanceUse"/>
/// marks a goal about substance use: shared outside METS only under a 42 CFR Part 2 consent covering the care plan.
/// </summary>
public sealed record CarePlanGoal(
    string Id,
    string Description,
    string Target,
    GoalStatus Status,
    DateOnly? TargetDate,
    IReadOnlyList<StatusChange<GoalStatus>>? History = null,
    bool SubstanceUse = false,
    IReadOnlyList<GoalProgress>? Progress = null,
    IReadOnlyList<ProviderGoalAnswer>? ProviderAnswers = null)
{
    public const int MaxDescriptionLength = Assessment.MaxGoalLength;
    public const int MaxTargetLength = 500;

    /// <summary>Agreed with the member: shared with the providers (agreed, in progress, achieved or not achieved).</summary>
    [JsonIgnore]
    public bool IsAgreed => Status is GoalStatus.Agreed or GoalStatus.InProgress or GoalStatus.Achieved or GoalStatus.NotAchieved;

    /// <summary>Still being worked on: a review records progress on it.</summary>
    [JsonIgnore]
    public bool IsActive => Status is GoalStatus.Agreed or GoalStatus.InProgress;

    /// <summary>Id and status only (description and target are the member's words).</summary>
    public override string ToString() => $"Goal {Id} ({Status})";
}

[JsonConverter(typeof(JsonStringEnumConverter<BarrierStatus>))]
public enum BarrierStatus
{
    Open,
    Resolved,
}

/// <summary>
/// A barrier on the plan and whether it has been resolved. <see cref="Kind"/> is one of the program's seven barriers
/// (or Other); a social-determinants barrier names its AHC HRSN domain (<see cref="SocialNeed"/>).
/// </summary>
public sealed record CareBarrier(
    ProgramBarrier Kind,
    string? Note,
    bool Resolved,
    string? Id = null,
    SocialNeedDomain? SocialNeed = null,
    IReadOnlyList<StatusChange<BarrierStatus>>? History = null)
{
    public const int MaxNoteLength = 1000;

    public override string ToString() => $"Barrier {Id} {Kind} (resolved: {Resolved})";
}

[JsonConverter(typeof(JsonStringEnumConverter<InterventionKind>))]
public enum InterventionKind
{
    ProviderCollaboration,
    CareCoordination,
    CommunityResourceReferral,
    SocialNeedsReferral,
    MedicationAdherenceSupport,
    PeerSupport,
    Psychoeducation,
    LevelOfCareChange,
    Other,
}

[JsonConverter(typeof(JsonStringEnumConverter<InterventionStatus>))]
public enum InterventionStatus
{
    Planned,
    InProgress,
    Completed,
    Cancelled,
}

/// <summary>
/// An intervention, aimed at one barrier (<see cref="BarrierId"/>; <see cref="Addresses"/> is its kind). A referral to a
/// community resource names it (<see cref="ResourceId"/>) and has a follow-up due at <see cref="FollowUpDueAt"/>, which
/// reminds the clinician like a step (<see cref="FollowUpRemindedAt"/>, <see cref="FollowUpEscalatedAt"/>) until the
/// intervention is completed or cancelled.
/// </summary>
public sealed record Intervention(
    InterventionKind Kind,
    string Description,
    InterventionStatus Status,
    ProgramBarrier? Addresses,
    string? Id = null,
    string? BarrierId = null,
    IReadOnlyList<StatusChange<InterventionStatus>>? History = null,
    string? ResourceId = null,
    DateTimeOffset? FollowUpDueAt = null,
    DateTimeOffset? FollowUpRemindedAt = null,
    DateTimeOffset? FollowUpEscalatedAt = null)
{
    public const int MaxDescriptionLength = 1000;

    /// <summary>Planned or in progress: its follow-up, if any, is still watched.</summary>
    [JsonIgnore]
    public bool IsOpen => Status is InterventionStatus.Planned or InterventionStatus.InProgress;

    public override string ToString() => $"Intervention {Id} {Kind} ({Status})";
}

[JsonConverter(typeof(JsonStringEnumConverter<CareTeamRole>))]
public enum CareTeamRole
{
    MetsClinician,
    Supervisor,
    MedicalDirector,
    BehavioralHealthProvider,
    PrimaryCare,
    Psychiatry,
    Pharmacy,
    PeerSupport,
    Other,
}

/// <summary>A care-team member: METS staff (<see cref="StaffId"/>) or a treating provider (<see cref="Npi"/>).</summary>
public sealed record CareTeamMember(CareTeamRole Role, string Name, Npi? Npi, StaffId? StaffId);

/// <summary>The member's recovery roadmap: goals, barriers, interventions, care team and level-of-care recommendations.</summary>
public sealed record CarePlan(
    IReadOnlyList<CarePlanGoal> Goals,
    IReadOnlyList<CareBarrier> Barriers,
    IReadOnlyList<Intervention> Interventions,
    IReadOnlyList<CareTeamMember> CareTeam,
    IReadOnlyList<LevelOfCareRecommendation>? LevelOfCare = null)
{
    /// <summary>The most recent level-of-care recommendation, or null.</summary>
    [JsonIgnore]
    public LevelOfCareRecommendation? LatestLevelOfCare => LevelOfCare is { Count: > 0 } list ? list[^1] : null;

    public const int MaxItems = 50;

    public static CarePlan Empty { get; } = new([], [], [], []);

    public int GoalsAchieved => Goals.Count(g => g.Status == GoalStatus.Achieved);

    /// <summary>
    /// A first plan from an assessment: each member-stated goal becomes a proposed goal (G1, G2, ...)
    /// whose target the clinician sets later, each barrier an open barrier (B1, B2, ...), and each AHC HRSN social need
    /// an open social-determinants barrier for that domain.
    /// </summary>
    public static CarePlan FromAssessment(Assessment assessment, IReadOnlyList<CareTeamMember> careTeam)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(careTeam);
        var by = Actor.Staff(ActorKind.Clinician, assessment.CompletedBy);
        var at = assessment.CompletedAt;
        var goals = assessment.MemberStatedGoals
            .Select((text, i) => new CarePlanGoal($"G{i + 1}", text, string.Empty, GoalStatus.Proposed, null, [new(GoalStatus.Proposed, at, by)]))
            .ToList();
        var kinds = assessment.Scores.Barriers.Select(b => (Kind: b, Need: (SocialNeedDomain?)null))
            .Concat(assessment.Scores.SocialNeeds.Select(n => (Kind: ProgramBarrier.SocialDeterminants, Need: (SocialNeedDomain?)n)));
        var barriers = kinds.Select((b, i) => new CareBarrier(b.Kind, null, false, $"B{i + 1}", b.Need, [new(BarrierStatus.Open, at, by)])).ToList();
        return new CarePlan(goals, barriers, [], careTeam);
    }

    /// <summary>The next free id with <paramref name="prefix"/> (G, B, I) in this plan.</summary>
    public string NextId(char prefix)
    {
        var used = prefix switch
        {
            'G' => Goals.Select(g => g.Id),
            'B' => Barriers.Select(b => b.Id),
            _ => Interventions.Select(i => i.Id),
        };
        var numbers = used.Where(id => id is { Length: > 1 } && id[0] == prefix && int.TryParse(id.AsSpan(1), out _)).Select(id => int.Parse(id!.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
        return $"{prefix}{numbers.DefaultIfEmpty(0).Max() + 1}";
    }

    /// <summary>True for an item id of <paramref name="prefix"/>: the letter and 1-4 digits, no leading zero (G1, B12).</summary>
    public static bool IsItemId(string? id, char prefix) =>
        id is { Length: >= 2 and <= 5 } && id[0] == prefix && id[1] != '0' && id[1..].All(char.IsAsciiDigit);

    /// <summary>Adds the goal, or replaces the goal with the same id.</summary>
    public CarePlan WithGoal(CarePlanGoal goal)
    {
        ArgumentNullException.ThrowIfNull(goal);
        var index = Goals.ToList().FindIndex(g => g.Id == goal.Id);
        var goals = Goals.ToList();
        if (index < 0)
        {
            goals.Add(goal);
        }
        else
        {
            goals[index] = goal;
        }

        return this with { Goals = goals };
    }

    /// <exception cref="KeyNotFoundException">No goal has that id.</exception>
    public CarePlan WithGoalStatus(string goalId, GoalStatus status)
    {
        var goal = Goals.FirstOrDefault(g => g.Id == goalId) ?? throw new KeyNotFoundException("The care plan has no goal with that id.");
        return WithGoal(goal with { Status = status });
    }

    /// <summary>Adds the barrier, or replaces the barrier with the same id.</summary>
    public CarePlan WithBarrier(CareBarrier barrier)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        return this with { Barriers = Replace(Barriers, barrier, b => b.Id == barrier.Id) };
    }

    /// <summary>Adds the intervention, or replaces the intervention with the same id.</summary>
    public CarePlan WithIntervention(Intervention intervention)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        return this with { Interventions = Replace(Interventions, intervention, i => i.Id == intervention.Id) };
    }

    private static List<T> Replace<T>(IReadOnlyList<T> items, T item, Func<T, bool> same)
    {
        var list = items.ToList();
        var index = list.FindIndex(i => same(i));
        if (index < 0)
        {
            list.Add(item);
        }
        else
        {
            list[index] = item;
        }

        return list;
    }
}
