using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;

namespace Mets.Domain.Tests.CarePlans;

public class CarePlanTests
{
    [Fact]
    public void FromAssessment_GoalsProposedAndBarriersOpen()
    {
        var team = new[] { new CareTeamMember(CareTeamRole.MetsClinician, "Clinician", null, Sample.Clinician) };

        var plan = CarePlan.FromAssessment(Sample.Assessment(Sample.T0), team);

        var goal = Assert.Single(plan.Goals);
        Assert.Equal(("G1", Sample.SentinelGoal, string.Empty, GoalStatus.Proposed, (DateOnly?)null), (goal.Id, goal.Description, goal.Target, goal.Status, goal.TargetDate));
        Assert.Equal((GoalStatus.Proposed, Sample.T0, Mets.Domain.Engagements.Actor.Staff(Mets.Domain.Engagements.ActorKind.Clinician, Sample.Clinician)), Assert.Single(goal.History!) is var h ? (h.Status, h.At, h.By) : default);
        // The program barriers, then a social-determinants barrier per AHC HRSN need.
        Assert.Equal([ProgramBarrier.MedicationNonadherence, ProgramBarrier.InsufficientCareCoordination, ProgramBarrier.SocialDeterminants], plan.Barriers.Select(b => b.Kind));
        Assert.Equal(["B1", "B2", "B3"], plan.Barriers.Select(b => b.Id));
        Assert.Equal((SocialNeedDomain?)SocialNeedDomain.Transportation, plan.Barriers[2].SocialNeed);
        Assert.All(plan.Barriers, b => Assert.False(b.Resolved));
        Assert.Same(team, plan.CareTeam);
    }

    [Fact]
    public void WithGoalStatus_UpdatesCopyAndCountsAchieved()
    {
        var plan = CarePlan.Empty
            .WithGoal(new CarePlanGoal("G1", "a", "weekly therapy", GoalStatus.InProgress, null))
            .WithGoal(new CarePlanGoal("G2", "b", "PHQ-9 under 10", GoalStatus.InProgress, null));

        var updated = plan.WithGoalStatus("G2", GoalStatus.Achieved);

        Assert.Equal(0, plan.GoalsAchieved);
        Assert.Equal(1, updated.GoalsAchieved);
        Assert.Equal(2, updated.Goals.Count);
        Assert.Throws<KeyNotFoundException>(() => plan.WithGoalStatus("G9", GoalStatus.Achieved));
    }
}
