using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Moq;

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
        Assert.Equal([Sample.SentinelSubstanceDiagnosis, Sample.SentinelDiagnosis], view.Request!.DiagnosisCodes);
        Assert.False(view.Request.SubstanceUseInformationWithheld);
        Assert.Equal(ProviderOutreachStatus.Emailed, view.Status);
        Assert.Null(view.RecordedResponse);
        Assert.True(view.TakesResponse);
    }

    /// <summary>An engagement at its first review with both providers emailed; the link of provider A.</summary>
    private static async Task<(EngagementId Id, string Token)> EmailedOutreachAsync(WorkflowHarness h)
    {
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now))).Status);
        await h.IdleAsync();
        var token = h.TokenFromEmail(OutreachId.For(id, Sample.ProviderA));
        Assert.Contains(Sample.SentinelDiagnosis, (await h.Service.GetProviderRequestAsync(token)).View!.Request!.DiagnosisCodes);
        return (id, token);
    }

    [Fact]
    public async Task ProviderLink_Tampered_IsRefused_ShowsAndRecordsNothing()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, token) = await EmailedOutreachAsync(h);
        var timeline = (await h.CaseAsync(id)).Timeline.Count;

        // Another engagement's id in the payload, the signature kept; and one character of the signature changed.
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, dot)));
        var otherEngagement = payload.Replace(id.Value, EngagementId.New(Guid.NewGuid()).Value, StringComparison.Ordinal);
        string[] tampered =
        [
            System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(otherEngagement)) + token[dot..],
            token[..^1] + (token[^1] == 'A' ? 'B' : 'A'),
        ];

        foreach (var link in tampered)
        {
            var shown = await h.Service.GetProviderRequestAsync(link);
            Assert.Null(shown.View);
            Assert.Equal("LinkInvalid", shown.Result.Reason);
            Assert.Equal("LinkInvalid", (await h.Service.RespondToOutreachAsync(link, ProviderResponse.DeclinedToCollaborate)).Reason);
        }

        await h.IdleAsync();
        var after = await h.CaseAsync(id);
        Assert.Equal(timeline, after.Timeline.Count);
        Assert.All(after.Outreach, o => Assert.Null(o.Response));
    }

    [Fact]
    public async Task ProviderLink_Expired_IsRefused_ShowsAndRecordsNothing()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, token) = await EmailedOutreachAsync(h);

        await h.AdvanceAsync(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1)); // links live 30 days
        var timeline = (await h.CaseAsync(id)).Timeline.Count;
        var shown = await h.Service.GetProviderRequestAsync(token);
        var answered = await h.Service.RespondToOutreachAsync(token, ProviderResponse.WillCollaborate);
        await h.IdleAsync();

        Assert.Null(shown.View);
        Assert.Equal(("LinkExpired", "LinkExpired"), (shown.Result.Reason, answered.Reason));
        Assert.Equal(CommandStatus.Forbidden, answered.Status);
        var after = await h.CaseAsync(id);
        Assert.Equal(timeline, after.Timeline.Count);
        Assert.Null(after.Outreach.Single(o => o.Npi == Sample.ProviderA).Response);
    }

    [Fact]
    public async Task ProviderLink_ReplayedAfterTheAnswer_ShowsTheAnswerButNoCodes_RecordsNothing()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, token) = await EmailedOutreachAsync(h);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(token, ProviderResponse.NotTreatingMember)).Status);
        await h.IdleAsync();
        var timeline = (await h.CaseAsync(id)).Timeline.Count;

        var shown = (await h.Service.GetProviderRequestAsync(token)).View!;
        var same = await h.Service.RespondToOutreachAsync(token, ProviderResponse.NotTreatingMember);
        var other = await h.Service.RespondToOutreachAsync(token, ProviderResponse.WillCollaborate);
        await h.IdleAsync();

        Assert.Equal(ProviderResponse.NotTreatingMember, shown.RecordedResponse);
        Assert.Null(shown.Request);
        Assert.False(shown.TakesResponse);
        Assert.All([same, other], refused =>
        {
            Assert.Equal(CommandStatus.Conflict, refused.Status);
            Assert.Equal("AlreadyResponded", refused.Reason);
            Assert.Equal(nameof(ProviderResponse.NotTreatingMember), refused.Recorded);
        });
        var after = await h.CaseAsync(id);
        Assert.Equal(timeline, after.Timeline.Count);
        Assert.Equal(ProviderResponse.NotTreatingMember, after.Outreach.Single(o => o.Npi == Sample.ProviderA).Response);
    }

    [Fact]
    public async Task ProviderLink_AfterTheEngagementClosed_ShowsNoCodes_TakesNoAnswer()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, token) = await EmailedOutreachAsync(h);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, Mets.Domain.Closure.ClosureReason.MemberDeclined, Actor.System)).Status);
        await h.IdleAsync();
        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);

        var shown = (await h.Service.GetProviderRequestAsync(token)).View!;
        var answered = await h.Service.RespondToOutreachAsync(token, ProviderResponse.WillCollaborate);
        await h.IdleAsync();

        Assert.Null(shown.Request);
        Assert.Null(shown.RecordedResponse);
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, shown.Status);
        Assert.Equal((CommandStatus.Conflict, EngagementService.RequestClosed), (answered.Status, answered.Reason));
        var after = await h.CaseAsync(id);
        Assert.Equal(closed.Timeline.Count, after.Timeline.Count);
        Assert.Null(after.Outreach.Single(o => o.Npi == Sample.ProviderA).Response);
    }

    /// <summary>
    /// The race the engine cannot stage on demand: the outreach is running when the answer is raised, but a closure's
    /// stop reached it first, so it ends without taking the answer (the raised event is dropped with the ended
    /// instance). The provider must not be told "recorded".
    /// </summary>
    [Fact]
    public async Task RespondToOutreach_OutreachEndsWithoutTakingTheAnswer_IsRequestClosedNotRecorded()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var outreach = await OutreachWaitingAsync(h);
        var client = OutreachClient(h, outreachTakesTheAnswer: false);
        var service = ActivatorUtilities.CreateInstance<EngagementService>(h.Services, client.Object);

        var result = await service.RespondToOutreachAsync(h.TokenFromEmail(outreach), ProviderResponse.WillCollaborate);

        Assert.Equal((CommandStatus.Conflict, EngagementService.RequestClosed), (result.Status, result.Reason));
        client.Verify(c => c.RaiseEventAsync(outreach.Value, nameof(ProviderResponded), It.IsAny<object>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Null((await h.CaseAsync(outreach.Engagement)).Outreach.Single(o => o.Id == outreach).Response);
    }

    /// <summary>An outreach slower than <see cref="EngagementService.AnswerConfirmationWait"/> to record the answer: "received", not "recorded".</summary>
    [Fact]
    public async Task RespondToOutreach_OutreachSlowToRecordTheAnswer_IsReceivedNotRecorded()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var outreach = await OutreachWaitingAsync(h);
        var client = OutreachClient(h, outreachTakesTheAnswer: null);
        var service = ActivatorUtilities.CreateInstance<EngagementService>(h.Services, client.Object);

        var answer = service.RespondToOutreachAsync(h.TokenFromEmail(outreach), ProviderResponse.WillCollaborate);
        await client.Waiting.Task.WaitAsync(Mets.Durable.Testing.DurableTestHost.WaitTimeout);
        Assert.False(answer.IsCompleted);
        h.Host.Time.Advance(EngagementService.AnswerConfirmationWait);
        var result = await answer.WaitAsync(Mets.Durable.Testing.DurableTestHost.WaitTimeout);

        Assert.Equal((CommandStatus.Accepted, EngagementService.AnswerReceived), (result.Status, result.Reason));
    }

    private static async Task<OutreachId> OutreachWaitingAsync(WorkflowHarness h)
    {
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now, providers: 1))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now))).Status);
        await h.IdleAsync();
        return OutreachId.For(id, Sample.ProviderA);
    }

    /// <summary>
    /// A client whose instances are all running and whose raise succeeds; the outreach then ends (false: without
    /// taking the answer, the real case store shows none) or never ends (null).
    /// </summary>
    private static OutreachClientMock OutreachClient(WorkflowHarness h, bool? outreachTakesTheAnswer)
    {
        var client = new OutreachClientMock();
        client.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string instance, CancellationToken _) => new OrchestrationMetadata("any", instance) { RuntimeStatus = OrchestrationRuntimeStatus.Running });
        client.Setup(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        client.Setup(c => c.WaitForInstanceCompletionAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns(async (string instance, bool _, CancellationToken cancellation) =>
            {
                client.Waiting.TrySetResult();
                if (outreachTakesTheAnswer is null)
                {
                    await Task.Delay(Timeout.Infinite, cancellation);
                }

                return new OrchestrationMetadata(nameof(Mets.Workflow.Orchestration.ProviderOutreachOrchestrator), instance) { RuntimeStatus = OrchestrationRuntimeStatus.Completed };
            });
        return client;
    }

    private sealed class OutreachClientMock() : Mock<DurableTaskClient>("outreach-race")
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
