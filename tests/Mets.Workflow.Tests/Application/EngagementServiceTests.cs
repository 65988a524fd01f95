using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;

namespace Mets.Workflow.Tests.Application;

/// <summary>Answers the HTTP layer relies on, before anything is raised.</summary>
public class EngagementServiceTests
{
    [Fact]
    public async Task Commands_UnknownEngagement_AreNotFound()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var unknown = EngagementId.New(Guid.NewGuid());
        Assert.Equal("EngagementNotFound", (await h.Service.RecordAssessmentAsync(unknown, Sample.Assessment(h.Now))).Reason);
        Assert.Equal("EngagementNotFound", (await h.Service.RecordContactAttemptAsync(unknown, MemberContactOutcome.NoAnswer, Sample.Clinician)).Reason);
        Assert.Equal("EngagementNotFound", (await h.Service.RecordReviewAsync(unknown, new ReviewSubmission(1, null, null, Sample.Clinician))).Reason);
        Assert.Equal("EngagementNotFound", (await h.Service.DecideClosureReviewAsync(unknown, 1, Mets.Domain.Closure.ClosureReviewDecision.Close, null, Sample.Supervisor)).Reason);
        Assert.Equal("EngagementNotFound", (await h.Service.RecordPeerReviewAsync(OutreachId.For(unknown, Sample.ProviderA), PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector)).Reason);
        Assert.Equal(CommandStatus.NotFound, (await h.Service.RequestClosureAsync(unknown, Mets.Domain.Closure.ClosureReason.GoalsMet, Actor.System)).Status);
        Assert.Null(await h.Service.GetEngagementAsync(unknown));
    }

    [Fact]
    public async Task Commands_BadInput_AreInvalidWithFieldNames()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now))).EngagementId!.Value;
        var tooLongGoal = new Mets.Domain.Assessments.Assessment(Sample.Scores(), [new string('x', 600)], Sample.Clinician, h.Now);
        var invalid = await h.Service.RecordAssessmentAsync(id, tooLongGoal);
        Assert.Equal(CommandStatus.Invalid, invalid.Status);
        Assert.Contains(invalid.Errors, e => e.StartsWith("MemberStatedGoals[0]", StringComparison.Ordinal));
        Assert.Equal(CommandStatus.Invalid, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(0, null, null, Sample.Clinician))).Status);
        Assert.Equal(CommandStatus.Invalid, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.CareGapOpened, h.Now, "not a code")).Status);
        Assert.Equal(CommandStatus.Invalid, (await h.Service.RecordContactAttemptAsync(id, (MemberContactOutcome)99, Sample.Clinician)).Status);
    }

    [Fact]
    public async Task ProviderLink_TamperedOrUnknown_IsRefusedWithoutRaising()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal("LinkInvalid", (await h.Service.RespondToOutreachAsync("abc.def", ProviderResponse.WillCollaborate)).Reason);
        var beforeAssessment = h.Links.CreateToken(OutreachId.For(id, Sample.ProviderA), h.Now);
        Assert.Equal("OutreachNotFound", (await h.Service.RespondToOutreachAsync(beforeAssessment, ProviderResponse.WillCollaborate)).Reason);
        Assert.Equal("OutreachNotFound", (await h.Service.GetProviderRequestAsync(beforeAssessment)).Result.Reason);
        Assert.DoesNotContain((await h.CaseAsync(id)).Timeline, t => t.Kind == TimelineEntryKind.EventIgnored);
    }

    [Fact]
    public async Task WorkQueues_ShowDueSoonForTheClinician_AndNothingForAnother()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Empty(await h.Service.GetWorkQueueAsync(Sample.Clinician));
        await h.AdvanceAsync(TimeSpan.FromDays(5) + TimeSpan.FromHours(1));
        var item = Assert.Single(await h.Service.GetWorkQueueAsync(Sample.Clinician));
        Assert.Equal((id, WorkQueueBucket.DueSoon, StepReference.Assessment), (item.EngagementId, item.Bucket, item.Step));
        Assert.Empty(await h.Service.GetWorkQueueAsync(Sample.Staff("clin.baker")));
        await h.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal(WorkQueueBucket.Escalated, Assert.Single(await h.Service.GetSupervisorQueueAsync()).Bucket);
    }

    [Fact]
    public async Task ProviderRequest_WithRecordedConsent_ShowsSubstanceUseCodes()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var referral = Sample.Referral(at: h.Now, providers: 1) with { ConsentToShareSubstanceUseInformation = true };
        var id = (await h.Service.SubmitReferralAsync(referral)).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now))).Status);
        await h.IdleAsync();

        var view = (await h.Service.GetProviderRequestAsync(h.TokenFromEmail(OutreachId.For(id, Sample.ProviderA)))).View!;
        Assert.Equal([Sample.SentinelSubstanceDiagnosis, Sample.SentinelDiagnosis], view.DiagnosisCodes);
        Assert.False(view.SubstanceUseInformationWithheld);
        Assert.Equal(ProviderOutreachStatus.Emailed, view.Status);
        Assert.Null(view.RecordedResponse);
    }
}
