using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;
using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
using Mets.Workflow.Consent;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mets.Workflow.Tests.CarePlans;

/// <summary>
/// The care plan on the real engine with fake time: goals, barriers and interventions over the service with their
/// history and actors on the hash-chained timeline; the plan shared with the collaborating provider, who agrees to a
/// goal and proposes a change through the care-plan link; substance-use goals only under consent; a review's progress
/// on each goal.
/// </summary>
public class CarePlanLifecycleTests
{
    private static readonly Actor ByClinician = Actor.Staff(ActorKind.Clinician, Sample.Clinician);
    private const string SubstanceUseGoal = "Sentinel goal Quokkaville sober weekends";

    [Fact]
    public async Task Goal_AgreedByTheProviderThroughTheCarePlanLink_ShowsOnTheEngagement_AndAReviewRecordsProgressOnEachGoal()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var carePlans = h.Services.GetRequiredService<CarePlanService>();
        var shared = h.Services.GetRequiredService<ProviderCarePlanService>();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal(nameof(EventFit.NotExpectedNow), (await carePlans.AddGoalAsync(id, new GoalSubmission(null, "x", null, null, GoalStatus.Proposed, false), ByClinician)).Result.Reason);
        var sample = Sample.Scores(needs: [SocialNeedDomain.Transportation]);
        var scores = new AssessmentScores(sample.Phq9, sample.Gad7, sample.AuditC, sample.Cssrs, sample.SocialNeeds, [ProgramBarrier.MedicationNonadherence]);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, scores))).Status);
        await h.IdleAsync();

        var assessed = await h.CaseAsync(id);
        Assert.Equal(["B1", "B2"], assessed.CarePlan.Barriers.Select(b => b.Id));
        Assert.Equal((ProgramBarrier.SocialDeterminants, SocialNeedDomain.Transportation), (assessed.CarePlan.Barriers[1].Kind, assessed.CarePlan.Barriers[1].SocialNeed!.Value));
        Assert.Equal(GoalStatus.Proposed, assessed.CarePlan.Goals.Single().Status);

        // The clinician agrees G1 with a target, adds a substance-use goal G2, a barrier and an intervention aimed at it.
        var targetDate = DateOnly.FromDateTime(h.Now.UtcDateTime).AddDays(60);
        Assert.Equal(CommandStatus.Accepted, (await carePlans.ChangeGoalAsync(id, "G1", new GoalChange(GoalStatus.Agreed, "Three outings a week", targetDate), ByClinician)).Status);
        var (g2, g2Id) = await carePlans.AddGoalAsync(id, new GoalSubmission("G2", SubstanceUseGoal, null, targetDate, GoalStatus.Agreed, SubstanceUse: true), ByClinician);
        Assert.Equal((CommandStatus.Accepted, "G2"), (g2.Status, g2Id));
        Assert.Equal(CommandStatus.Accepted, (await carePlans.AddGoalAsync(id, new GoalSubmission("G2", SubstanceUseGoal, null, targetDate, GoalStatus.Agreed, true), ByClinician)).Result.Status);
        Assert.Equal(ConsentService.IdInUse, (await carePlans.AddGoalAsync(id, new GoalSubmission("G2", "another goal", null, null, GoalStatus.Agreed, false), ByClinician)).Result.Reason);
        Assert.Equal(CommandStatus.Invalid, (await carePlans.AddBarrierAsync(id, new BarrierSubmission(null, ProgramBarrier.SocialDeterminants, null, null), ByClinician)).Result.Status);
        Assert.Equal("B3", (await carePlans.AddBarrierAsync(id, new BarrierSubmission(null, ProgramBarrier.InsufficientCareCoordination, null, "pharmacy not in the loop"), ByClinician)).ItemId);
        Assert.Equal(CarePlanService.CarePlanItemNotFound, (await carePlans.AddInterventionAsync(id,
            new InterventionSubmission(null, InterventionKind.CareCoordination, "call the pharmacy", "B9", InterventionStatus.Planned, null, null), ByClinician)).Result.Reason);
        Assert.Equal("I1", (await carePlans.AddInterventionAsync(id,
            new InterventionSubmission(null, InterventionKind.CareCoordination, "call the pharmacy", "B3", InterventionStatus.Planned, null, null), ByClinician)).ItemId);
        Assert.Equal(CommandStatus.Accepted, (await carePlans.ChangeInterventionAsync(id, "I1", InterventionStatus.Completed, ByClinician)).Status);
        Assert.Equal(CommandStatus.Accepted, (await carePlans.ChangeBarrierAsync(id, "B3", new BarrierChange(true, null), ByClinician)).Status);

        // Nobody collaborates yet: nothing to share. Provider A agrees to collaborate; the plan goes to A only.
        var a = OutreachId.For(id, Sample.ProviderA);
        Assert.Equal(ProviderCarePlanService.NoCollaboratingProvider, (await shared.ShareAsync(id, null, ByClinician)).Result.Reason);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(h.TokenFromEmail(a), ProviderResponse.WillCollaborate)).Status);
        var (share, sharedWith) = await shared.ShareAsync(id, null, ByClinician);
        Assert.Equal(CommandStatus.Accepted, share.Status);
        Assert.Equal([Sample.ProviderA], sharedWith);
        await shared.ShareAsync(id, null, ByClinician); // the same day again: no second email
        var email = Assert.Single(h.Emails(), e => e.Key.Contains("-care-plan-", StringComparison.Ordinal)).Value;
        var token = CarePlanToken(email);

        // The links open only their own page.
        Assert.Equal("LinkInvalid", (await shared.GetAsync(h.TokenFromEmail(a))).Result.Reason);
        Assert.Equal("LinkInvalid", (await h.Service.GetProviderRequestAsync(token)).Result.Reason);

        var page = (await shared.GetAsync(token)).View!;
        var g1 = Assert.Single(page.Goals);
        Assert.Equal(("G1", "Three outings a week", GoalStatus.Agreed), (g1.Id, g1.Target, g1.Status));
        Assert.Equal(ConsentCoverage.NoConsent, page.WithheldBecause);
        Assert.Equal(CommandStatus.NotFound, (await shared.AnswerAsync(token, "G2", ProviderGoalAction.Agreed, null)).Status); // not shown, not answerable

        // The provider agrees to G1 and proposes a change; the same agreement again is recorded once.
        Assert.Equal(CommandStatus.Accepted, (await shared.AnswerAsync(token, "G1", ProviderGoalAction.Agreed, null)).Status);
        Assert.Equal(CommandStatus.Accepted, (await shared.AnswerAsync(token, "G1", ProviderGoalAction.Agreed, null)).Status);
        Assert.Equal(CommandStatus.Invalid, (await shared.AnswerAsync(token, "G1", ProviderGoalAction.ProposedChange, "  ")).Status);
        Assert.Equal(CommandStatus.Accepted, (await shared.AnswerAsync(token, "G1", ProviderGoalAction.ProposedChange, "two outings to start")).Status);
        var answered = await h.CaseAsync(id);
        var answers = answered.CarePlan.Goals.Single(g => g.Id == "G1").ProviderAnswers!;
        Assert.Equal([ProviderGoalAction.Agreed, ProviderGoalAction.ProposedChange], answers.Select(x => x.Action));
        Assert.All(answers, x => Assert.Equal(Sample.ProviderA, x.Provider));
        Assert.Equal(2, answered.Timeline.Count(t => t.Kind == TimelineEntryKind.ProviderGoalAnswered && t.Actor == Actor.Provider(Sample.ProviderA)));
        Assert.Equal([ProviderGoalAction.Agreed, ProviderGoalAction.ProposedChange], (await shared.GetAsync(token)).View!.Goals.Single().YourAnswers.Select(x => x.Action));

        // A level-of-care recommendation: recorded, and sent to A with the care plan (a second email, its own key).
        Assert.Equal(CommandStatus.Invalid, (await shared.RecommendLevelOfCareAsync(id, LevelOfCare.Outpatient, LevelOfCare.Outpatient, "same", null, ByClinician)).Result.Status);
        var (recommended, sentTo) = await shared.RecommendLevelOfCareAsync(id, LevelOfCare.IntensiveOutpatient, LevelOfCare.Outpatient, "Stable for six weeks", null, ByClinician);
        Assert.Equal(CommandStatus.Accepted, recommended.Status);
        Assert.Equal([Sample.ProviderA], sentTo);
        Assert.Single(h.EmailFiles("-care-plan-level-of-care-1"));
        var level = (await shared.GetAsync(token)).View!.LevelOfCare!;
        Assert.Equal((LevelOfCare.IntensiveOutpatient, LevelOfCare.Outpatient, LevelOfCareDirection.StepDown, "Stable for six weeks"), (level.From, level.To, level.Direction, level.Reason));
        Assert.Contains((await h.CaseAsync(id)).Timeline, t => t.Kind == TimelineEntryKind.LevelOfCareRecommended
            && t.Details.SequenceEqual(["from=IntensiveOutpatient", "to=Outpatient", "direction=StepDown"]) && t.Actor == ByClinician);

        // Under a consent covering A for the care plan, the substance-use goal is shared too.
        var today = DateOnly.FromDateTime(h.Now.UtcDateTime);
        var consents = h.Services.GetRequiredService<ConsentService>();
        await consents.RecordConsentAsync(id, new ConsentSubmission("C1", ConsentRecipients.Of(Sample.ProviderA), [DisclosurePurpose.Treatment],
            [SubstanceUseInformation.CarePlan], null, ConsentExpiryEvent.EndOfEngagement, ConsentSigner.Member, today), ByClinician);
        var withConsent = (await shared.GetAsync(token)).View!;
        Assert.Equal(["G1", "G2"], withConsent.Goals.Select(g => g.Id));
        PhiScan.AssertNoMemberIdentity(withConsent);
        Assert.Equal("C1", Assert.Single(withConsent.Disclosures).ConsentId);

        // The review records progress on each agreed goal.
        await h.AdvanceAsync(TimeSpan.FromDays(10));
        var missing = await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, null, Sample.Clinician, [new GoalProgressSubmission("G1", GoalStatus.InProgress, "going out twice a week")]));
        Assert.Equal(CommandStatus.Invalid, missing.Status);
        Assert.Contains(missing.Errors, e => e.Contains("missing: G2", StringComparison.Ordinal));
        var review = await h.Service.RecordReviewAsync(id, new ReviewSubmission(1, null, null, Sample.Clinician,
            [new GoalProgressSubmission("G1", GoalStatus.InProgress, "going out twice a week"), new GoalProgressSubmission("G2", GoalStatus.Achieved, null)]));
        Assert.Equal(CommandStatus.Accepted, review.Status);
        await h.IdleAsync();
        var reviewed = await h.CaseAsync(id);
        Assert.Equal(StepReference.Review(2), reviewed.CurrentStep.Step);
        var progressed = reviewed.CarePlan.Goals.Single(g => g.Id == "G1");
        Assert.Equal(GoalStatus.InProgress, progressed.Status);
        Assert.Equal([GoalStatus.Proposed, GoalStatus.Agreed, GoalStatus.InProgress], progressed.History!.Select(c => c.Status));
        Assert.Equal(1, Assert.Single(progressed.Progress!).ReviewNumber);
        Assert.Equal(GoalStatus.Achieved, reviewed.CarePlan.Goals.Single(g => g.Id == "G2").Status);
        Assert.Equal(2, reviewed.Timeline.Count(t => t.Kind == TimelineEntryKind.GoalProgressRecorded && t.Details.Contains("review=1")));
        Assert.Contains(reviewed.Timeline, t => t.Kind == TimelineEntryKind.InterventionChanged && t.Details.Contains("status=Completed") && t.Actor == ByClinician);
        Assert.Contains(reviewed.Timeline, t => t.Kind == TimelineEntryKind.CarePlanShared && t.Details.Contains($"npi={Sample.ProviderA}"));

        // Closed: the care-plan page shows nothing any more.
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, Mets.Domain.Closure.ClosureReason.GoalsMet, ByClinician)).Status);
        await h.IdleAsync();
        Assert.Null((await shared.GetAsync(token)).View);
        Assert.Equal(nameof(EventFit.EngagementClosed), (await carePlans.ChangeGoalAsync(id, "G1", new GoalChange(GoalStatus.Achieved, null, null), ByClinician)).Reason);
        var audit = await h.Services.GetRequiredService<Mets.Workflow.Audit.TimelineAudit>().VerifyAsync(id);
        Assert.True(audit!.Intact, audit.Finding?.Reason);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    /// <summary>The token in a care-plan email: the path segment before <c>/care-plan</c>.</summary>
    internal static string CarePlanToken(MimeMessage email)
    {
        var line = (email.TextBody ?? string.Empty).Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("https://", StringComparison.Ordinal));
        var path = line[..line.LastIndexOf("/care-plan", StringComparison.Ordinal)];
        return path[(path.LastIndexOf('/') + 1)..];
    }
}
