using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Durable;
using Mets.Durable.Replay;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Workflow.Tests.Orchestration;

/// <summary>
/// Histories recorded from in-flight instances of the current orchestrators, checked in: a change to the
/// orchestrator code that would break instances already running (non-determinism) fails here. Re-record
/// only for a deliberate, versioned change: <c>METS_RECORD_GOLDEN=/path/to/tests/Mets.Workflow.Tests/Orchestration/Histories dotnet test ...</c>.
/// </summary>
public class GoldenHistoryTests
{
    private const string Folder = "Orchestration/Histories";
    private const string EngagementFile = "engagement-review-v2.json";
    private const string OutreachFile = "outreach-reminded-v2.json";
    private const string CarePlanFile = "engagement-care-plan-v3.json";

    [Theory]
    [InlineData(EngagementFile)]
    [InlineData(OutreachFile)]
    [InlineData(CarePlanFile)]
    public async Task Replay_CheckedInHistory_IsDeterministicWithCurrentCode(string file)
    {
        await using var h = await WorkflowHarness.StartAsync();
        var golden = ExportedHistory.FromJson(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, Folder, file)));
        Assert.Contains(golden.Events, e => e.EventType == StoredEventKind.TimerCreated);
        var result = new OrchestrationReplayer(r => r.AddMetsTasks(h.Schedule), services: h.Services).Replay(golden);
        Assert.True(result.IsDeterministic, result.Problem);
    }

    /// <summary>
    /// The care plan's scenario, checked on every run and written out only when METS_RECORD_GOLDEN names a folder: an
    /// engagement in review 1 watching a community-resource follow-up (reminded, its escalation timer pending) and a
    /// care-team participant's outreach started after the assessment.
    /// </summary>
    [Fact]
    public async Task RecordingScenario_InFlightReviewWithAFollowUpAndACareTeamOutreach_ReplaysAndCanBeWritten()
    {
        await using var h = await WorkflowHarness.StartAsync(new Dictionary<string, string?> { ["Mets:CommunityResources:Path"] = "community-resources.sample.csv" });
        var by = Actor.Staff(ActorKind.Clinician, Sample.Clinician);
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now, providers: 1))).EngagementId!.Value;
        await h.IdleAsync();
        await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, Sample.Scores(phq9Total: 12, needs: [Mets.Domain.Assessments.SocialNeedDomain.FoodInsecurity])));
        await h.IdleAsync();
        var carePlans = h.Services.GetRequiredService<CarePlanService>();
        await carePlans.AddInterventionAsync(id, new InterventionSubmission("I1", Mets.Domain.CarePlans.InterventionKind.CommunityResourceReferral, "pantry", "B1",
            Mets.Domain.CarePlans.InterventionStatus.Planned, "FOOD-001", h.Now + TimeSpan.FromDays(5)), by);
        await h.Services.GetRequiredService<CareTeamService>().AddAsync(id, new CareTeamSubmission("Northside Pharmacy", Sample.ProviderB,
            Mets.Domain.Identifiers.Email.Parse("rx@northside.example"), Mets.Domain.Referrals.ProviderRole.Pharmacy, null, true), by);
        await h.IdleAsync();
        await h.AdvanceAsync(TimeSpan.FromDays(4));
        var engagement = await h.CaseAsync(id);
        Assert.Equal(StepReference.Review(1), engagement.CurrentStep.Step);
        Assert.NotNull(engagement.CarePlan.Interventions.Single().FollowUpRemindedAt);
        Assert.Null(engagement.CarePlan.Interventions.Single().FollowUpEscalatedAt);
        Assert.Equal(ProviderOutreachStatus.Reminded, engagement.Outreach.Single(o => o.Npi == Sample.ProviderB).Status);
        await h.AssertDeterministicReplayAsync();

        var target = Environment.GetEnvironmentVariable("METS_RECORD_GOLDEN");
        if (string.IsNullOrEmpty(target))
        {
            return; // re-recording the checked-in histories is a deliberate act
        }

        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, CarePlanFile), (await ExportedHistory.ExportAsync(h.Host.Client, id.Value)).ToJson());
    }

    /// <summary>The recorded scenario, checked on every run; written out only when METS_RECORD_GOLDEN names a folder.</summary>
    [Fact]
    public async Task RecordingScenario_InFlightReviewWithEvents_ReplaysAndCanBeWritten()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now, providers: 1))).EngagementId!.Value;
        await h.IdleAsync();
        await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, Sample.Scores(phq9Total: 12)));
        await h.IdleAsync();
        await h.AdvanceAsync(TimeSpan.FromDays(4));
        await h.Service.RecordContactAttemptAsync(id, MemberContactOutcome.NoAnswer, Sample.Clinician);
        await h.IdleAsync();
        await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.BehavioralHealthInpatientDischarge, h.Now);
        await h.IdleAsync();
        await h.AdvanceAsync(TimeSpan.FromDays(5));
        Assert.Equal(CommandStatus.Conflict, (await h.Service.RecordReviewAsync(id, new ReviewSubmission(2, null, null, Sample.Clinician))).Status);
        var engagement = await h.CaseAsync(id);
        Assert.Equal(StepReference.Review(1), engagement.CurrentStep.Step);
        Assert.Equal(ProviderOutreachStatus.Reminded, engagement.Outreach.Single().Status);
        Assert.Contains(engagement.Timeline, t => t.Kind == TimelineEntryKind.ReviewDueChanged && t.Details.Contains("because=discharge"));
        await h.AssertDeterministicReplayAsync();

        var target = Environment.GetEnvironmentVariable("METS_RECORD_GOLDEN");
        if (string.IsNullOrEmpty(target))
        {
            return; // re-recording the checked-in histories is a deliberate act
        }

        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, EngagementFile), (await ExportedHistory.ExportAsync(h.Host.Client, id.Value)).ToJson());
        await File.WriteAllTextAsync(Path.Combine(target, OutreachFile), (await ExportedHistory.ExportAsync(h.Host.Client, OutreachId.For(id, Sample.ProviderA).Value)).ToJson());
    }
}
