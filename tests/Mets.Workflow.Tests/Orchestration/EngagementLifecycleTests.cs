using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;
using Mets.Workflow.Audit;
using Mets.Workflow.Orchestration;
using Microsoft.Extensions.DependencyInjection;

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
        var before = (await h.Service.GetProviderRequestAsync(token)).View!.Request!;
        Assert.Equal([Sample.SentinelDiagnosis], before.DiagnosisCodes);
        Assert.True(before.SubstanceUseInformationWithheld);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(token, ProviderResponse.WillCollaborate)).Status);
        await h.IdleAsync();
        var again = await h.Service.RespondToOutreachAsync(token, ProviderResponse.DeclinedToCollaborate);
        Assert.Equal(CommandStatus.Conflict, again.Status);
        Assert.Equal("AlreadyResponded", again.Reason);
        var view = await h.Service.GetProviderRequestAsync(token);
        Assert.Equal(ProviderResponse.WillCollaborate, view.View!.RecordedResponse);
        Assert.Null(view.View.Request); // answered: nothing clinical any more

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
        var audit = await h.Services.GetRequiredService<TimelineAudit>().VerifyAsync(id);
        Assert.True(audit!.Intact, audit.Finding?.Reason);
        Assert.Equal(closed.Timeline.Count, audit.LatestAnchor!.EntryCount); // anchored at closure and after each closure-summary note
        Assert.Equal(0, audit.UnanchoredEntries);
        Assert.True(await PhiScan.AssertNoSentinelsAsync(h) >= 2, "the scan found no signed links in the emails");
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task AssessmentOverdue_RemindsClinicianThenEscalatesToSupervisor()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h);
        var due = (await h.CaseAsync(id)).CurrentStep.DueAt!.Value;

        await h.AdvanceAsync(TimeSpan.FromDays(5) + TimeSpan.FromHours(1));
        var reminded = await h.CaseAsync(id);
        Assert.Equal(due - TimeSpan.FromDays(2), reminded.CurrentStep.RemindedAt);
        Assert.Null(reminded.CurrentStep.EscalatedAt);
        var reminder = Assert.Single(h.Emails(), e => e.Key.Contains("Assessment_1-reminder", StringComparison.Ordinal)).Value;
        Assert.Equal("alvarez@plan.example", reminder.To.Mailboxes.Single().Address);
        Assert.Empty(await h.Service.GetSupervisorQueueAsync().ContinueWith(t => t.Result.Where(i => i.Bucket == WorkQueueBucket.Escalated).ToList(), TaskScheduler.Default));
        Assert.Contains(await h.Service.GetWorkQueueAsync(Sample.Clinician), i => i.EngagementId == id && i.Bucket == WorkQueueBucket.DueSoon);

        await h.AdvanceAsync(TimeSpan.FromDays(2));
        var escalated = await h.CaseAsync(id);
        Assert.Equal(due, escalated.CurrentStep.EscalatedAt);
        Assert.Contains(escalated.Timeline, t => t.Kind == TimelineEntryKind.EscalatedToSupervisor && t.Details.Contains("supervisor=sup.okafor") && t.Details.Contains("reason=Overdue"));
        var escalation = Assert.Single(h.Emails(), e => e.Key.Contains("Assessment_1-escalation", StringComparison.Ordinal)).Value;
        Assert.Equal("okafor@plan.example", escalation.To.Mailboxes.Single().Address);
        Assert.Contains(await h.Service.GetSupervisorQueueAsync(), i => i.EngagementId == id && i.Bucket == WorkQueueBucket.Escalated);
        var status = (await h.Host.Client.GetInstanceAsync(id.Value, getInputsAndOutputs: true))!.ReadCustomStatusAs<EngagementStatusView>()!;
        Assert.Equal("Assessment#1", status.Step);
        Assert.Equal("clin.alvarez", status.Owner);
        Assert.True(status.Overdue);
        Assert.True(status.Escalated);
        Assert.Equal(due, status.DueAt);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task MemberContact_ThreeUnsuccessfulInARow_ClosesUnableToReach_AndASuccessResetsTheCount()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h);
        foreach (var outcome in new[] { MemberContactOutcome.NoAnswer, MemberContactOutcome.MessageLeft, MemberContactOutcome.Reached, MemberContactOutcome.NoAnswer, MemberContactOutcome.NoAnswer })
        {
            Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordContactAttemptAsync(id, outcome, Sample.Clinician)).Status);
            await h.IdleAsync();
        }

        var open = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Open, open.Status);
        Assert.Equal(2, open.ContactStreak.ConsecutiveUnsuccessful);
        Assert.Equal(5, open.ContactAttemptsRecorded);

        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordContactAttemptAsync(id, MemberContactOutcome.WrongOrDisconnectedNumber, Sample.Clinician)).Status);
        await h.IdleAsync();
        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);
        Assert.Equal(ClosureReason.UnableToReach, closed.Outcome!.Reason);
        Assert.Equal(ClosureReason.UnableToReach, (await h.Host.WaitForCompletionAsync(id.Value)).ReadOutputAs<EngagementResult>()!.Reason);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task Outreach_OneProviderSilentThroughRemindersAndEscalation_WhileAnotherResponds()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 3));
        var a = OutreachId.For(id, Sample.ProviderA);
        var b = OutreachId.For(id, Sample.ProviderB);
        await h.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(h.TokenFromEmail(a), ProviderResponse.WillCollaborate)).Status);
        await h.IdleAsync();

        Assert.Equal(CommandStatus.Conflict, (await h.Service.RecordPeerReviewAsync(b, PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector)).Status);
        await h.AdvanceAsync(TimeSpan.FromDays(11) + TimeSpan.FromHours(1));
        var escalated = (await h.CaseAsync(id)).Outreach.Single(o => o.Id == b);
        Assert.Equal(ProviderOutreachStatus.EscalatedToPeerReview, escalated.Status);
        Assert.Equal(3, escalated.RemindersSent);
        Assert.Equal(3, h.EmailFiles("outreach_1245319599-reminder-").Count);
        Assert.Empty(h.EmailFiles("outreach_1234567893-reminder-"));
        var peer = Assert.Single(h.Emails(), e => e.Key.EndsWith("peer-to-peer", StringComparison.Ordinal)).Value;
        Assert.Equal("nguyen@plan.example", peer.To.Mailboxes.Single().Address);
        var toMedicalDirector = Assert.Single((await h.CaseAsync(id)).Timeline, t => t.Kind == TimelineEntryKind.ProviderEscalatedToMedicalDirector);
        Assert.Contains("reason=NoProviderResponse", toMedicalDirector.Details);

        await h.AdvanceAsync(TimeSpan.FromDays(14));
        var after = await h.CaseAsync(id);
        Assert.Equal(ProviderOutreachStatus.NoResponse, after.Outreach.Single(o => o.Id == b).Status);
        Assert.Equal(ProviderOutreachStatus.Responded, after.Outreach.Single(o => o.Id == a).Status);
        Assert.Equal(EngagementStatus.Open, after.Status);
        Assert.Equal(ProviderOutreachStatus.NoResponse, (await h.Host.WaitForCompletionAsync(b.Value)).ReadOutputAs<ProviderOutreachStatus>());
        Assert.True((await h.Host.Client.GetInstanceAsync(id.Value))!.IsRunning);
        Assert.Equal(CommandStatus.Conflict, (await h.Service.RecordPeerReviewAsync(b, PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector)).Status);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task PeerReview_ByTheMedicalDirector_ResolvesAnEscalatedOutreach_NoMoreStepsAndTheSummaryGoesToTheProvider()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 1);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        var a = OutreachId.For(id, Sample.ProviderA);
        await h.AdvanceAsync(TimeSpan.FromDays(12) + TimeSpan.FromHours(1));
        Assert.Equal(ProviderOutreachStatus.EscalatedToPeerReview, (await h.CaseAsync(id)).Outreach.Single().Status);

        var byClinician = await h.Service.RecordPeerReviewAsync(a, PeerReviewOutcome.AgreedOnPlan, Sample.Clinician);
        Assert.Equal((CommandStatus.Forbidden, EngagementService.NotMedicalDirector), (byClinician.Status, byClinician.Reason));
        Assert.Equal(EngagementService.NoOutreachToProvider, (await h.Service.RecordPeerReviewAsync(OutreachId.For(id, Sample.ProviderB), PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector)).Reason);
        await h.IdleAsync();
        Assert.Equal(ProviderOutreachStatus.EscalatedToPeerReview, (await h.CaseAsync(id)).Outreach.Single().Status); // nothing raised

        await h.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordPeerReviewAsync(a, PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector)).Status);
        await h.IdleAsync();
        var reviewed = await h.CaseAsync(id);
        var outreach = reviewed.Outreach.Single();
        Assert.Equal((ProviderOutreachStatus.PeerReviewRecorded, PeerReviewOutcome.AgreedOnPlan, h.Now), (outreach.Status, outreach.PeerReview, outreach.EndedAt));
        var entry = Assert.Single(reviewed.Timeline, t => t.Kind == TimelineEntryKind.PeerReviewRecorded);
        Assert.Equal(Actor.Staff(ActorKind.MedicalDirector, Sample.MedicalDirector), entry.Actor);
        Assert.Equal(ProviderOutreachStatus.PeerReviewRecorded, (await h.Host.WaitForCompletionAsync(a.Value)).ReadOutputAs<ProviderOutreachStatus>());

        // The same review again gets the first answer; another outcome conflicts, naming the recorded one.
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordPeerReviewAsync(a, PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector)).Status);
        var other = await h.Service.RecordPeerReviewAsync(a, PeerReviewOutcome.ProviderDeclined, Sample.MedicalDirector);
        Assert.Equal((CommandStatus.Conflict, EngagementService.DifferentCommandRecorded, nameof(PeerReviewOutcome.AgreedOnPlan)), (other.Status, other.Reason, other.Recorded));

        // The outreach is over: no "no response" at the end of the peer-review window, the link takes no answer.
        Assert.Equal(EngagementService.RequestClosed, (await h.Service.RespondToOutreachAsync(h.TokenFromEmail(a), ProviderResponse.WillCollaborate)).Reason);
        var outreachEmails = h.EmailFiles("outreach_").Count;
        await h.AdvanceAsync(TimeSpan.FromDays(20));
        Assert.Equal(outreachEmails, h.EmailFiles("outreach_").Count);
        Assert.DoesNotContain((await h.CaseAsync(id)).Timeline, t => t.Kind == TimelineEntryKind.OutreachEndedNoResponse);

        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, ClosureReason.GoalsMet, Actor.Staff(ActorKind.Clinician, Sample.Clinician))).Status);
        await h.IdleAsync();
        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);
        Assert.Equal(ProviderOutreachStatus.PeerReviewRecorded, closed.Outreach.Single().Status);
        Assert.Single(h.EmailFiles($"closure-{Sample.ProviderA}"));
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Theory]
    [InlineData(3, Mets.Domain.Risk.RiskTier.Low, 60)]
    [InlineData(12, Mets.Domain.Risk.RiskTier.Moderate, 30)]
    [InlineData(22, Mets.Domain.Risk.RiskTier.High, 14)]
    public async Task Reviews_FollowTheRiskTierCadence(int phq9, Mets.Domain.Risk.RiskTier tier, int days)
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 0);
        await AssessAsync(h, id, Sample.Scores(phq9Total: phq9));
        var first = await h.CaseAsync(id);
        Assert.Equal(tier, first.RiskTier);
        Assert.Equal(h.Now + TimeSpan.FromDays(days), first.CurrentStep.DueAt);
        Assert.Contains(first.Timeline, t => t.Kind == TimelineEntryKind.OutreachSkippedNoProviders);

        await h.AdvanceAsync(TimeSpan.FromDays(days - 3));
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, null, Sample.Clinician))).Status);
        await h.IdleAsync();
        var second = await h.CaseAsync(id);
        Assert.Equal(StepReference.Review(2), second.CurrentStep.Step);
        Assert.Equal(h.Now + TimeSpan.FromDays(days), second.CurrentStep.DueAt);
    }

    [Fact]
    public async Task SafetyRisk_AtAssessment_EscalatesToSupervisorImmediately()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 1);
        await h.AdvanceAsync(TimeSpan.FromHours(3));
        var assessedAt = h.Now;
        await AssessAsync(h, id, Sample.Scores(phq9Total: 8, item9: 1));

        var engagement = await h.CaseAsync(id);
        Assert.Equal(Mets.Domain.Risk.RiskTier.High, engagement.RiskTier);
        Assert.Contains(Mets.Domain.Risk.RiskReason.SafetyRisk, engagement.Risk!.Reasons);
        var escalation = Assert.Single(engagement.Timeline, t => t.Kind == TimelineEntryKind.EscalatedToSupervisor);
        Assert.Equal(assessedAt, escalation.At);
        Assert.Contains("step=Assessment#1", escalation.Details);
        Assert.Contains("reason=SafetyScreen", escalation.Details);
        var email = Assert.Single(h.Emails(), e => e.Key.EndsWith("safety", StringComparison.Ordinal)).Value;
        Assert.Equal("okafor@plan.example", email.To.Mailboxes.Single().Address);
        Assert.Equal(assessedAt + TimeSpan.FromDays(14), engagement.CurrentStep.DueAt);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task ClaimsDischarge_PullsTheNextReviewForward()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 0);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        Assert.Equal(h.Now + TimeSpan.FromDays(30), (await h.CaseAsync(id)).CurrentStep.DueAt);

        await h.AdvanceAsync(TimeSpan.FromDays(5));
        var discharged = h.Now - TimeSpan.FromDays(1);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthInpatientDischarge, discharged)).Status);
        await h.IdleAsync();
        var moved = await h.CaseAsync(id);
        Assert.Equal(discharged + TimeSpan.FromDays(7), moved.CurrentStep.DueAt);
        Assert.Contains(moved.Timeline, t => t.Kind == TimelineEntryKind.ReviewDueChanged && t.Details.Contains("because=discharge"));

        await h.AdvanceAsync(TimeSpan.FromDays(4) + TimeSpan.FromHours(1));
        Assert.NotNull((await h.CaseAsync(id)).CurrentStep.RemindedAt);

        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.CareGapOpened, discharged, "FUH-7")).Status);
        await h.IdleAsync();
        Assert.Equal(1, (await h.CaseAsync(id)).CareGaps.Open);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.CareGapClosed, h.Now, "FUH-7")).Status);
        await h.IdleAsync();
        var gaps = (await h.CaseAsync(id)).CareGaps;
        Assert.Equal((1, 0, 1), (gaps.Identified, gaps.Open, gaps.Closed));
        Assert.Equal(CommandStatus.NotFound, (await h.Service.ObserveClaimsActivityAsync(Sample.Member("OTHER123"), ClaimsActivityKind.BehavioralHealthEdVisit, h.Now)).Status);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task ClaimsActivityRaisedAgain_IsAppliedOnceAcrossGenerations()
    {
        // Durable Task delivers an event raised twice twice: the claims activity's event id makes the second a no-op,
        // also after the engagement moved on to its next review (a new generation) where an old discharge would
        // otherwise pull the new review forward again.
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 0);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        await h.AdvanceAsync(TimeSpan.FromDays(5));
        var discharged = h.Now - TimeSpan.FromDays(1);

        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthInpatientDischarge, discharged, null, "discharge-1")).Status);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthInpatientDischarge, discharged, null, "discharge-1")).Status);
        await h.IdleAsync();
        var once = await h.CaseAsync(id);
        Assert.Single(once.Timeline, t => t.Kind == TimelineEntryKind.ClaimsActivityObserved);
        Assert.Single(once.Timeline, t => t.Kind == TimelineEntryKind.ReviewDueChanged && t.Details.Contains("because=discharge"));

        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, null, Sample.Clinician))).Status);
        await h.IdleAsync();
        var nextReviewDue = (await h.CaseAsync(id)).CurrentStep.DueAt;
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthInpatientDischarge, discharged, null, "discharge-1")).Status);
        await h.IdleAsync();
        var later = await h.CaseAsync(id);
        Assert.Equal(nextReviewDue, later.CurrentStep.DueAt);
        Assert.Single(later.Timeline, t => t.Kind == TimelineEntryKind.ClaimsActivityObserved);
        Assert.Contains("event=discharge-1", later.Timeline.Single(t => t.Kind == TimelineEntryKind.ClaimsActivityObserved).Details);

        // Another discharge (another event id) is new activity: applied, and it pulls the review forward.
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthInpatientDischarge, h.Now, null, "discharge-2")).Status);
        await h.IdleAsync();
        var second = await h.CaseAsync(id);
        Assert.Equal(2, second.Timeline.Count(t => t.Kind == TimelineEntryKind.ClaimsActivityObserved));
        Assert.True(second.CurrentStep.DueAt < nextReviewDue);
        Assert.Equal(CommandStatus.Invalid, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthEdVisit, h.Now, null, "not an id")).Status);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task MaximumDuration_ClosureReviewExtendsThenAutoClosesWithoutDecision()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var start = h.Now;
        var id = await StartAsync(h, providers: 0);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 3));

        await h.AdvanceToAsync(start + TimeSpan.FromDays(180) + TimeSpan.FromMinutes(1));
        var review = await h.CaseAsync(id);
        Assert.Equal(StepReference.ClosureReview(1), review.CurrentStep.Step);
        Assert.Equal(Sample.Supervisor, review.CurrentStep.Owner);
        Assert.Single(h.EmailFiles("ClosureReview_1-opened"));

        Assert.Equal(CommandStatus.Accepted, (await h.Service.DecideClosureReviewAsync(id, 1, ClosureReviewDecision.Extend, null, Sample.Supervisor)).Status);
        await h.IdleAsync();
        var extended = await h.CaseAsync(id);
        Assert.Equal(EngagementStep.Review, extended.CurrentStep.Step.Step);
        Assert.Equal(h.Now + TimeSpan.FromDays(90), extended.DueDates.MaximumDurationEndsAt);
        Assert.Equal(Sample.Clinician, extended.CurrentStep.Owner);
        Assert.Equal(CommandStatus.Conflict, (await h.Service.DecideClosureReviewAsync(id, 1, ClosureReviewDecision.Close, null, Sample.Supervisor)).Status);

        await h.AdvanceAsync(TimeSpan.FromDays(90) + TimeSpan.FromMinutes(1));
        Assert.Equal(StepReference.ClosureReview(2), (await h.CaseAsync(id)).CurrentStep.Step);
        await h.AdvanceAsync(TimeSpan.FromDays(7));
        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);
        Assert.Equal(ClosureReason.MaximumDurationReached, closed.Outcome!.Reason);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task Referrals_DuplicateIsTheSameEngagement_ConflictingIsRefused_SecondForMemberIsAttached()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var first = await h.Service.SubmitReferralAsync(Sample.Referral("REF-1"));
        var id = first.EngagementId!.Value;
        await h.IdleAsync();

        var duplicate = await h.Service.SubmitReferralAsync(Sample.Referral("REF-1", at: h.Now + TimeSpan.FromHours(1)));
        Assert.Equal(SubmitReferralOutcome.AlreadySubmitted, duplicate.Outcome);
        Assert.Equal(id, duplicate.EngagementId);

        var conflicting = await h.Service.SubmitReferralAsync(Sample.Referral("REF-1", reason: "Another narrative"));
        Assert.Equal(SubmitReferralOutcome.Conflict, conflicting.Outcome);
        Assert.DoesNotContain(conflicting.Errors, e => e.Contains("narrative", StringComparison.OrdinalIgnoreCase));

        await h.AdvanceAsync(TimeSpan.FromDays(2));
        var urgent = await h.Service.SubmitReferralAsync(Sample.Referral("REF-2", urgency: ReferralUrgency.Urgent, at: h.Now));
        Assert.Equal(SubmitReferralOutcome.AttachedToOpenEngagement, urgent.Outcome);
        Assert.Equal(id, urgent.EngagementId);
        await h.IdleAsync();
        var attached = await h.CaseAsync(id);
        Assert.Equal(["REF-1", "REF-2"], attached.ReferralIds.Select(r => r.Value));
        Assert.Equal(h.Now + TimeSpan.FromDays(1), attached.CurrentStep.DueAt);

        var other = await h.Service.SubmitReferralAsync(Sample.Referral("REF-3", memberNumber: "OTHER123"));
        Assert.Equal(SubmitReferralOutcome.Created, other.Outcome);
        Assert.NotEqual(id, other.EngagementId);
        var invalid = await h.Service.SubmitReferralAsync(Sample.Referral("REF-4") with { Diagnoses = null! });
        Assert.Equal(SubmitReferralOutcome.Invalid, invalid.Outcome);
        await h.IdleAsync();
        Assert.Equal(Sample.Staff("clin.baker"), (await h.CaseAsync(other.EngagementId!.Value)).AssignedClinician);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task Intake_MissingInstance_IsRepairedOnRetryAndAtStartUp()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var referral = Sample.Referral("REF-9");
        var id = EngagementId.New(Guid.NewGuid());
        await h.Cases.ReceiveReferralAsync(referral, EngagementCase.Receive(id, referral, h.Now));
        var orphan = Sample.Referral("REF-10", memberNumber: "OTHER123");
        var orphanId = EngagementId.New(Guid.NewGuid());
        await h.Cases.ReceiveReferralAsync(orphan, EngagementCase.Receive(orphanId, orphan, h.Now));
        Assert.Null(await h.Host.Client.GetInstanceAsync(id.Value));

        var retry = await h.Service.SubmitReferralAsync(referral);
        Assert.Equal(SubmitReferralOutcome.AlreadySubmitted, retry.Outcome);
        Assert.Equal(1, await h.Service.RepairMissingInstancesAsync());
        Assert.Equal(0, await h.Service.RepairMissingInstancesAsync());
        await h.IdleAsync();
        Assert.Equal(EngagementStatus.Open, (await h.CaseAsync(id)).Status);
        Assert.Equal(EngagementStatus.Open, (await h.CaseAsync(orphanId)).Status);
    }

    [Fact]
    public async Task Repair_TerminatedInstanceOfAnOpenCase_ResumesFromTheCaseDocument()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 0);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        await h.Host.Client.TerminateInstanceAsync(id.Value, "operator");
        await h.Host.WaitForCompletionAsync(id.Value);

        Assert.Equal(1, await h.Service.RepairMissingInstancesAsync());
        await h.IdleAsync();
        var resumed = await h.Host.Client.GetInstanceAsync(id.Value, getInputsAndOutputs: true);
        Assert.True(resumed!.IsRunning);
        Assert.Equal("Review#1", resumed.ReadCustomStatusAs<EngagementStatusView>()!.Step);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, ClosureReason.GoalsMet, Sample.Clinician))).Status);
        await h.IdleAsync();
        Assert.Equal(EngagementStatus.Closed, (await h.CaseAsync(id)).Status);
    }

    [Fact]
    public async Task StaleAndDuplicateEvents_AreRefusedByTheServiceAndIgnoredByTheOrchestration()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h, providers: 0);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordContactAttemptAsync(id, MemberContactOutcome.NoAnswer, Sample.Clinician, attemptNumber: 1)).Status);
        await h.IdleAsync();
        var duplicate = await h.Service.RecordContactAttemptAsync(id, MemberContactOutcome.NoAnswer, Sample.Clinician, attemptNumber: 1);
        Assert.Equal(CommandStatus.Conflict, duplicate.Status);
        Assert.Equal(nameof(EventFit.Duplicate), duplicate.Reason);
        Assert.Equal(nameof(EventFit.NotExpectedNow), (await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, null, Sample.Clinician))).Reason);

        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        var other = await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now)); // a different assessment for the step already done
        Assert.Equal(CommandStatus.Conflict, other.Status);
        Assert.Equal(EngagementService.DifferentCommandRecorded, other.Reason);
        Assert.Equal(nameof(EventFit.NotExpectedNow), (await h.Service.RecordReviewAsync(id, new ReviewSubmission(2, null, null, Sample.Clinician))).Reason);

        // Raised straight to the orchestration (as a late delivery would be): noted and ignored, never applied.
        var scores = Sample.Scores();
        var risk = Mets.Domain.Risk.RiskTierRule.Evaluate(new Mets.Domain.Risk.RiskFactors(scores, false, 0, 0, 0, false));
        await h.Host.Client.RaiseEventAsync(id.Value, nameof(AssessmentCompleted), new AssessmentCompleted(id, StepReference.Assessment, scores, risk, [], Sample.Clinician, h.Now));
        await h.Host.Client.RaiseEventAsync(id.Value, nameof(MemberContactAttempted), new MemberContactAttempted(id, StepReference.Assessment, 1, MemberContactOutcome.NoAnswer, Sample.Clinician, h.Now));
        await h.Host.Client.RaiseEventAsync(id.Value, nameof(ReferralAttached), new ReferralAttached(id, ReferralId.Parse("REF-1"), true, h.Now));
        await h.IdleAsync();
        var after = await h.CaseAsync(id);
        Assert.Equal(StepReference.Review(1), after.CurrentStep.Step);
        Assert.Equal(1, after.ContactAttemptsRecorded);
        var ignored = after.Timeline.Where(t => t.Kind == TimelineEntryKind.EventIgnored).ToList();
        Assert.Contains(ignored, t => t.Details.Contains("event=AssessmentCompleted") && t.Details.Contains("fit=Stale"));
        Assert.Contains(ignored, t => t.Details.Contains("event=MemberContactAttempted") && t.Details.Contains("fit=Duplicate"));
        Assert.Contains(ignored, t => t.Details.Contains("event=ReferralAttached") && t.Details.Contains("fit=Duplicate"));
        Assert.Equal(Mets.Domain.Risk.RiskTier.Moderate, after.RiskTier);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task TwelveMonthEngagement_ContinuesAsNewSoHistoryStaysBounded()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var start = h.Now;
        var id = await StartAsync(h, providers: 0);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 22));
        var maxHistory = 0;
        var reviews = 0;
        while (h.Now < start + TimeSpan.FromDays(365))
        {
            await h.AdvanceAsync(TimeSpan.FromDays(13));
            var current = await h.CaseAsync(id);
            if (current.CurrentStep.Step.Step == EngagementStep.ClosureReview)
            {
                Assert.Equal(CommandStatus.Accepted, (await h.Service.DecideClosureReviewAsync(id, current.CurrentStep.Step.Number, ClosureReviewDecision.Extend, null, Sample.Supervisor)).Status);
            }
            else
            {
                Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(current.CurrentStep.Step.Number, null, null, Sample.Clinician))).Status);
                reviews++;
            }

            await h.IdleAsync();
            maxHistory = Math.Max(maxHistory, (await h.Host.Client.GetOrchestrationHistoryAsync(id.Value)).Count);
        }

        var status = (await h.Host.Client.GetInstanceAsync(id.Value, getInputsAndOutputs: true))!.ReadCustomStatusAs<EngagementStatusView>()!;
        Assert.True(reviews >= 24, $"only {reviews} reviews");
        Assert.True(status.Generation >= 25, $"generation {status.Generation}");
        Assert.InRange(maxHistory, 1, 40);
        Assert.Equal(EngagementStatus.Open, (await h.CaseAsync(id)).Status);
    }

    [Fact]
    public async Task Closure_WhileOutreachIsRunning_StopsEveryChildAndSendsSummaries()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        await h.AdvanceAsync(TimeSpan.FromDays(4));
        Assert.Equal(2, h.EmailFiles("-reminder-1").Count);

        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, ClosureReason.MemberDeclined, Actor.Staff(ActorKind.Clinician, Sample.Clinician))).Status);
        await h.IdleAsync();
        foreach (var npi in new[] { Sample.ProviderA, Sample.ProviderB })
        {
            var child = await h.Host.WaitForCompletionAsync(OutreachId.For(id, npi).Value);
            Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, child.ReadOutputAs<ProviderOutreachStatus>());
        }

        var closed = await h.CaseAsync(id);
        Assert.All(closed.Outreach, o => Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, o.Status));
        Assert.Equal(2, closed.Timeline.Count(t => t.Kind == TimelineEntryKind.ClosureSummarySent));
        Assert.All(h.Emails().Where(e => e.Key.Contains("-closure-", StringComparison.Ordinal)), e => // neither provider answered: no thanks for collaborating
        {
            Assert.DoesNotContain("Thank you for your collaboration", e.Value.TextBody, StringComparison.Ordinal);
            Assert.Contains("No response to our collaboration request was recorded", e.Value.TextBody, StringComparison.Ordinal);
        });
        var afterClosure = await h.Service.RespondToOutreachAsync(h.TokenFromEmail(OutreachId.For(id, Sample.ProviderA)), ProviderResponse.WillCollaborate);
        Assert.Equal(CommandStatus.Conflict, afterClosure.Status);
        Assert.Equal(EngagementService.RequestClosed, afterClosure.Reason); // refused before anything is claimed or raised
        var emails = h.Emails().Count;
        await h.AdvanceAsync(TimeSpan.FromDays(40));
        Assert.Equal(emails, h.Emails().Count);
        Assert.Equal("LinkExpired", (await h.Service.RespondToOutreachAsync(h.TokenFromEmail(OutreachId.For(id, Sample.ProviderA)), ProviderResponse.WillCollaborate)).Reason);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    /// <summary>
    /// Found by the chaos run: a provider's confirmed answer, and the peer-to-peer escalation email sent in the same
    /// moment, were lost when the engagement closed while the outreach was still busy (the closure applied first, and a
    /// closed case takes no outreach change). Now the closure stops the outreach and waits for its report: what the
    /// outreach took before the stop is on the case before it closes, and the closure summary thanks the provider.
    /// </summary>
    [Fact]
    public async Task Closure_WhileAnOutreachHoldsAnAnswerAndIsSendingItsEscalation_RecordsBothBeforeTheCaseCloses()
    {
        HeldEmailSender? mail = null;
        var raised = new RaisedCommands();
        await using var h = await WorkflowHarness.StartAsync(services: s =>
        {
            HeldEmailSender.Replace(key => key.EndsWith("peer-to-peer", StringComparison.Ordinal), held => mail = held)(s);
            raised.Replace(s);
        });
        var id = await StartAsync(h);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 3));
        var requestedAt = h.Now;
        var a = OutreachId.For(id, Sample.ProviderA);
        var b = OutreachId.For(id, Sample.ProviderB);
        await h.AdvanceAsync(Day);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(h.TokenFromEmail(a), ProviderResponse.WillCollaborate)).Status);
        Assert.Equal(ProviderResponse.WillCollaborate, (await h.CaseAsync(id)).Outreach.Single(o => o.Id == a).Response); // confirmed = on the case

        // Day 12: B's peer-to-peer escalation email fails and waits 5 s for its retry: B's outreach is inside that step.
        await h.AdvanceToAsync(requestedAt + TimeSpan.FromDays(12) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, mail!.Refused);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, ClosureReason.GoalsMet, Actor.Staff(ActorKind.Clinician, Sample.Clinician))).Status);
        await h.IdleAsync();
        Assert.Equal(EngagementStatus.Open, (await h.CaseAsync(id)).Status); // the closure waits for B's outreach to stop

        // B answers in that moment: the answer reaches B's outreach behind the closure's stop request.
        var answer = h.Service.RespondToOutreachAsync(h.TokenFromEmail(b), ProviderResponse.WillCollaborate);
        await raised.WaitAsync($"provider-response:{b.Value}");
        Assert.False(answer.IsCompleted); // not confirmed before the outreach has recorded it

        mail.Release();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        var result = await answer;
        Assert.Equal(CommandStatus.Accepted, result.Status);
        Assert.Equal("Accepted", result.Reason);

        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);
        var outreachB = closed.Outreach.Single(o => o.Id == b);
        Assert.Equal((ProviderOutreachStatus.Responded, ProviderResponse.WillCollaborate), (outreachB.Status, outreachB.Response));
        var kinds = closed.Timeline.Select(t => t.Kind).ToList();
        var escalated = kinds.IndexOf(TimelineEntryKind.ProviderEscalatedToMedicalDirector);
        var respondedB = kinds.LastIndexOf(TimelineEntryKind.ProviderResponded);
        var closedAt = kinds.IndexOf(TimelineEntryKind.EngagementClosed);
        Assert.True(escalated >= 0 && escalated < respondedB && respondedB < closedAt, string.Join(", ", kinds));
        Assert.Single(h.EmailFiles(Path.GetFileNameWithoutExtension(Mets.Workflow.Adapters.Outbox.OutboxEmailSender.FileNameFor($"{b}-peer-to-peer"))));
        var summaryB = Assert.Single(h.Emails(), e => e.Key.EndsWith($"closure-{Sample.ProviderB}", StringComparison.Ordinal)).Value;
        Assert.Contains("Thank you for your collaboration", summaryB.TextBody, StringComparison.Ordinal);
        Assert.Equal(ProviderOutreachStatus.Responded, (await h.Host.WaitForCompletionAsync(b.Value)).ReadOutputAs<ProviderOutreachStatus>());
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    /// <summary>The step-command ledger, signalling each command's raise (so a test knows an event is on its way).</summary>
    private sealed class RaisedCommands
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _raised = new(StringComparer.Ordinal);

        public void Replace(IServiceCollection services) =>
            services.AddSingleton<Mets.Workflow.Cases.IStepCommandLedger>(sp => new Signalling(
                new Mets.Workflow.Adapters.Sqlite.SqliteStepCommandLedger(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkflowOptions>>().Value.CaseDatabasePath),
                key => Signal(key).TrySetResult()));

        public Task WaitAsync(string key) => Signal(key).Task.WaitAsync(Mets.Durable.Testing.DurableTestHost.WaitTimeout);

        private TaskCompletionSource Signal(string key) => _raised.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        private sealed class Signalling(Mets.Workflow.Cases.IStepCommandLedger inner, Action<string> raised) : Mets.Workflow.Cases.IStepCommandLedger
        {
            public Task<Mets.Workflow.Cases.StepCommandClaim> ClaimAsync(EngagementId engagement, Mets.Workflow.Cases.StepCommand command, CancellationToken cancellationToken = default) =>
                inner.ClaimAsync(engagement, command, cancellationToken);

            public async Task MarkRaisedAsync(EngagementId engagement, string key, CancellationToken cancellationToken = default)
            {
                await inner.MarkRaisedAsync(engagement, key, cancellationToken);
                raised(key);
            }

            public Task ReleaseAsync(EngagementId engagement, Mets.Workflow.Cases.StepCommand command, CancellationToken cancellationToken = default) =>
                inner.ReleaseAsync(engagement, command, cancellationToken);
        }
    }

    [Fact]
    public async Task EngineRestart_MidOutreach_ContinuesFromTheDatabaseWithoutRepeatingWork()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = await StartAsync(h);
        await AssessAsync(h, id, Sample.Scores(phq9Total: 12));
        await h.AdvanceAsync(TimeSpan.FromDays(4));
        Assert.Equal(2, h.EmailFiles("-reminder-1").Count);

        await h.RestartEngineAsync();
        await h.AdvanceAsync(TimeSpan.FromDays(9));
        Assert.Equal(2, h.EmailFiles("-reminder-1").Count);
        Assert.Equal(2, h.EmailFiles("-reminder-3").Count);
        Assert.Equal(2, h.EmailFiles("peer-to-peer").Count);
        Assert.All((await h.CaseAsync(id)).Outreach, o => Assert.Equal(ProviderOutreachStatus.EscalatedToPeerReview, o.Status));
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, ClosureReason.GoalsMet, Sample.Clinician))).Status);
        await h.IdleAsync();
        Assert.Equal(EngagementStatus.Closed, (await h.CaseAsync(id)).Status);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    private static async Task<EngagementId> StartAsync(WorkflowHarness h, int providers = 2)
    {
        var submitted = await h.Service.SubmitReferralAsync(Sample.Referral(providers: providers, at: h.Now));
        Assert.Equal(SubmitReferralOutcome.Created, submitted.Outcome);
        await h.IdleAsync();
        return submitted.EngagementId!.Value;
    }

    private static async Task AssessAsync(WorkflowHarness h, EngagementId id, Mets.Domain.Assessments.AssessmentScores scores)
    {
        var result = await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, scores));
        Assert.Equal(CommandStatus.Accepted, result.Status);
        await h.IdleAsync();
    }
}
