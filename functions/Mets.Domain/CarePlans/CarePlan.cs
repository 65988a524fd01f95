using System.Text.Json.Serialization;
using Mets.Domain.Assessments;
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
}

/// <summary>
/// A care-plan goal. <see cref="Id"/> is a short code unique in the plan (e.g. <c>G1</c>); description
/// and target are the member's and clinician's words (protected health information).
/// </summary>
public sealed record CarePlanGoal(string Id, string Description, string Target, GoalStatus Status, DateOnly? TargetDate)
{
    /// <summary>Id and status only (description and target are the member's words).</summary>
    public override string ToString() => $"Goal {Id} ({Status})";
}

/// <summary>A barrier on the plan and whether it has been resolved.</summary>
public sealed record CareBarrier(ProgramBarrier Kind, string? Note, bool Resolved)
{
    public override string ToString() => $"Barrier {Kind} (resolved: {Resolved})";
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

/// <summary>An intervention, optionally aimed at one barrier.</summary>
public sealed record Intervention(InterventionKind Kind, string Description, InterventionStatus Status, ProgramBarrier? Addresses)
{
    public override string ToString() => $"Intervention {Kind} ({Status})";
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

/// <summary>The member's recovery roadmap: goals, barriers, interventions and care team.</summary>
public sealed record CarePlan(
    IReadOnlyList<CarePlanGoal> Goals,
    IReadOnlyList<CareBarrier> Barriers,
    IReadOnlyList<Intervention> Interventions,
    IReadOnlyList<CareTeamMember> CareTeam)
{
    public static CarePlan Empty { get; } = new([], [], [], []);

    public int GoalsAchieved => Goals.Count(g => g.Status == GoalStatus.Achieved);

    /// <summary>
    /// A first plan from an assessment: each member-stated goal becomes a proposed goal (G1, G2, ...)
    /// whose target the clinician sets later, each barrier an unresolved barrier.
    /// </summary>
    public static CarePlan FromAssessment(Assessment assessment, IReadOnlyList<CareTeamMember> careTeam)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(careTeam);
        var goals = assessment.MemberStatedGoals
            .Select((text, i) => new CarePlanGoal($"G{i + 1}", text, string.Empty, GoalStatus.Proposed, null))
            .ToList();
        var barriers = assessment.Scores.Barriers.Select(b => new CareBarrier(b, null, false)).ToList();
        return new CarePlan(goals, barriers, [], careTeam);
    }

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
}
