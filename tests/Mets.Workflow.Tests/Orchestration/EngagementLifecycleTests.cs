using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Durable;
using Mets.Workflow.Application;
using Mets.Workflow.Orchestration;

namespace Mets.Workflow.Tests.Orchestration;

/// <summary>Whole engagements on the embedded engine (SQLite), fake time, real case store and outbox.</summary>
public class EngagementLifecycleTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task HappyPath_AssessmentOutreachReviewGoalsMet_ClosesWithSummaryToProvidersContacted()
    {
        await using var h = await WorkflowHarness.StartAsync();

        var submitted = await h.Service.SubmitReferralAsync(Sample.Referral());
        Assert.Equal(SubmitReferralOutcome.Created, submitted.Outcome);
        var id = submitted.EngagementId!.Value;
        await h.IdleAsync();
        var started = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Open, started.Status);
        Assert.Equal(StepReference.Assessment, started.CurrentStep.Step);
        Assert.Equal(Sample.Clinician, started.AssignedClinician);
        Assert.Equal(h.Now + TimeSpan.FromDays(7), started.CurrentStep.DueAt);

        await h.AdvanceAsync(Day);
        var assessed = await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, Sample.Scores(phq9Total: 12)));
        Assert.Equal(CommandStatus.Accepted, assessed.Status);
        await h.IdleAsync();

        var inReview = await h.CaseAsync(id);
        Assert.Equal(StepReference.Review(1), inReview.CurrentStep.Step);
        Assert.Equal(Mets.Domain.Risk.RiskTier.Moderate, inReview.RiskTier);
        Assert.Equal(h.Now + TimeSpan.FromDays(30), inReview.CurrentStep.DueAt);
        Assert.Equal(2, inReview.Outreach.Count);
        Assert.All(inReview.Outreach, o => Assert.Equal(ProviderOutreachStatus.Emailed, o.Status));
        var outreachA = OutreachId.For(id, Sample.ProviderA);
        Assert.Single(h.EmailFiles("outreach_1234567893-request"));

        var token = h.TokenFromEmail(outreachA);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(token, ProviderResponse.WillCollaborate)).Status);
        await h.IdleAsync();
        var again = await h.Service.RespondToOutreachAsync(token, ProviderResponse.DeclinedToCollaborate);
        Assert.Equal(CommandStatus.Conflict, again.Status);
        Assert.Equal("AlreadyResponded", again.Reason);
        var view = await h.Service.GetProviderRequestAsync(token);
        Assert.Equal(ProviderResponse.WillCollaborate, view.View!.RecordedResponse);
        Assert.DoesNotContain(Sample.SentinelSubstanceDiagnosis, view.View.DiagnosisCodes);
        Assert.True(view.View.SubstanceUseInformationWithheld);

        await h.AdvanceAsync(TimeSpan.FromDays(20));
        var review = await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, Sample.Scores(phq9Total: 4), ClosureReason.GoalsMet, Sample.Clinician));
        Assert.Equal(CommandStatus.Accepted, review.Status);
        await h.IdleAsync();

        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);
        Assert.Equal(ClosureReason.GoalsMet, closed.Outcome!.Reason);
        Assert.Equal(ProviderOutreachStatus.Responded, closed.Outreach.Single(o => o.Npi == Sample.ProviderA).Status);
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, closed.Outreach.Single(o => o.Npi == Sample.ProviderB).Status);
        Assert.Equal(2, h.EmailFiles("-closure-").Count);
        var instance = await h.Host.WaitForCompletionAsync(id.Value);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(ClosureReason.GoalsMet, instance.ReadOutputAs<EngagementResult>()!.Reason);
        var child = await h.Host.WaitForCompletionAsync(OutreachId.For(id, Sample.ProviderB).Value);
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, child.ReadOutputAs<ProviderOutreachStatus>());
        Assert.Equal(CommandStatus.Conflict, (await h.Service.RequestClosureAsync(id, ClosureReason.MemberDeclined, Actor.System)).Status);
    }
}
