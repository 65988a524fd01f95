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

        Assert.Equal([new CarePlanGoal("G1", Sample.SentinelGoal, string.Empty, GoalStatus.Proposed, null)], plan.Goals);
        Assert.Equal([ProgramBarrier.MedicationNonadherence, ProgramBarrier.InsufficientCareCoordination], plan.Barriers.Select(b => b.Kind));
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
