using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;
using Mets.Domain.Engagements;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Workflow.Tests.CarePlans;

/// <summary>
/// A community-resource referral's follow-up on the real engine with fake time: a durable timer reminds the clinician
/// before its due date and escalates to the supervisor when it is overdue, as for a step, across an engine restart; a
/// referral completed in time reminds nobody.
/// </summary>
public class FollowUpLifecycleTests
{
    private static readonly Actor ByClinician = Actor.Staff(ActorKind.Clinician, Sample.Clinician);

    [Fact]
    public async Task CommunityResourceReferral_FollowUpGoesOverdue_RemindsTheClinicianThenEscalates_ACompletedOneNever()
    {
        await using var h = await WorkflowHarness.StartAsync(new Dictionary<string, string?> { ["Mets:CommunityResources:Path"] = "community-resources.sample.csv" });
        var carePlans = h.Services.GetRequiredService<CarePlanService>();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now, providers: 0))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, Sample.Scores(needs: [SocialNeedDomain.FoodInsecurity])))).Status);
        await h.IdleAsync();
        var food = Assert.Single((await h.CaseAsync(id)).CarePlan.Barriers);
        Assert.Equal(("B1", SocialNeedDomain.FoodInsecurity), (food.Id, food.SocialNeed!.Value));

        var due = h.Now + TimeSpan.FromDays(10);
        Assert.Equal(CommandStatus.Invalid, (await carePlans.AddInterventionAsync(id,
            new InterventionSubmission(null, InterventionKind.CommunityResourceReferral, "pantry", "B1", InterventionStatus.Planned, "NO-SUCH", due), ByClinician)).Result.Status);
        Assert.Equal(CommandStatus.Invalid, (await carePlans.AddInterventionAsync(id,
            new InterventionSubmission(null, InterventionKind.CommunityResourceReferral, "pantry", "B1", InterventionStatus.Planned, "FOOD-001", null), ByClinician)).Result.Status);
        var (referral, i1) = await carePlans.AddInterventionAsync(id,
            new InterventionSubmission(null, InterventionKind.CommunityResourceReferral, "Second Harvest pantry, Tuesdays", "B1", InterventionStatus.Planned, "FOOD-001", due), ByClinician);
        Assert.Equal((CommandStatus.Accepted, "I1"), (referral.Status, i1));
        var (_, i2) = await carePlans.AddInterventionAsync(id,
            new InterventionSubmission(null, InterventionKind.SocialNeedsReferral, "SNAP enrollment", "B1", InterventionStatus.Planned, "FOOD-003", h.Now + TimeSpan.FromDays(5)), ByClinician);
        await h.IdleAsync();

        // I2 is done the next day: its follow-up is no longer watched. The engine restarts: I1's timers survive it.
        await h.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(CommandStatus.Accepted, (await carePlans.ChangeInterventionAsync(id, i2!, InterventionStatus.Completed, ByClinician)).Status);
        await h.IdleAsync();
        await h.RestartEngineAsync();

        // Reminder lead (2 days) before the due date: the clinician; nothing earlier.
        await h.AdvanceToAsync(due - TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));
        Assert.Empty(h.EmailFiles("-follow-up-"));
        await h.AdvanceAsync(TimeSpan.FromMinutes(2));
        var reminder = Assert.Single(h.Emails(), e => e.Key.Contains("I1-follow-up-reminder", StringComparison.Ordinal)).Value;
        Assert.Equal("alvarez@plan.example", reminder.To.Mailboxes.Single().Address);
        Assert.Contains("community-resource referral I1", reminder.TextBody, StringComparison.Ordinal);
        var reminded = await h.CaseAsync(id);
        Assert.Equal(due - TimeSpan.FromDays(2), reminded.CarePlan.Interventions.Single(i => i.Id == "I1").FollowUpRemindedAt);
        Assert.Contains(reminded.Timeline, t => t.Kind == TimelineEntryKind.FollowUpReminderSent && t.Details.Contains("intervention=I1") && t.Details.Contains("to=clin.alvarez"));

        // Overdue: the supervisor (escalation delay zero: at the due date).
        await h.AdvanceToAsync(due + TimeSpan.FromMinutes(1));
        var escalation = Assert.Single(h.Emails(), e => e.Key.Contains("I1-follow-up-escalation", StringComparison.Ordinal)).Value;
        Assert.Equal("okafor@plan.example", escalation.To.Mailboxes.Single().Address);
        var escalated = await h.CaseAsync(id);
        Assert.Equal(due, escalated.CarePlan.Interventions.Single(i => i.Id == "I1").FollowUpEscalatedAt);
        Assert.Contains(escalated.Timeline, t => t.Kind == TimelineEntryKind.FollowUpEscalated && t.Details.Contains("to=sup.okafor"));
        Assert.DoesNotContain(h.Emails().Keys, k => k.Contains("I2-follow-up", StringComparison.Ordinal));
        Assert.Equal(StepReference.Review(1), escalated.CurrentStep.Step); // the step carries on

        // Nothing more for I1; the review's own reminder still comes (the step's timers and the follow-ups share the loop).
        await h.AdvanceAsync(TimeSpan.FromDays(50));
        Assert.Equal(2, h.EmailFiles("-follow-up-").Count);
        Assert.Single(h.EmailFiles("Review_1-reminder"));
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }
}
