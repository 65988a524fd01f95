using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
using Mets.Workflow.Consent;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Workflow.Tests.CarePlans;

/// <summary>
/// The care team beyond the treating provider on the real engine with fake time: participants added after the
/// assessment get their own outreach with the same reminders and escalation; one who never answers is reminded and
/// escalated to the medical director; substance-use content reaches each only under a consent covering them; the
/// closure stops their outreach and sends the summary to every participant contacted.
/// </summary>
public class CareTeamLifecycleTests
{
    private static readonly Actor ByClinician = Actor.Staff(ActorKind.Clinician, Sample.Clinician);
    private static readonly Npi SocialServices = Npi.Parse("1093817462");
    private static readonly Npi Dental = Npi.Parse("1122334455");

    [Fact]
    public async Task CareTeamMember_WhoNeverAnswers_IsRemindedAndEscalated_AndEveryParticipantContactedGetsTheClosureSummary()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var careTeam = h.Services.GetRequiredService<CareTeamService>();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now, providers: 1))).EngagementId!.Value;
        await h.IdleAsync();
        var pharmacyMember = new CareTeamSubmission("Northside Pharmacy", Sample.ProviderB, Email.Parse("rx@northside.example"), ProviderRole.Pharmacy, "850-555-0199", true);
        Assert.Equal(nameof(EventFit.NotExpectedNow), (await careTeam.AddAsync(id, pharmacyMember, ByClinician)).Reason); // the care team grows after the assessment
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now, Sample.Scores(phq9Total: 12)))).Status);
        await h.IdleAsync();
        var today = DateOnly.FromDateTime(h.Now.UtcDateTime);
        await h.Services.GetRequiredService<ConsentService>().RecordConsentAsync(id, new ConsentSubmission("C1", ConsentRecipients.OfClass(RecipientClass.TreatingProviders),
            [DisclosurePurpose.Treatment, DisclosurePurpose.Payment, DisclosurePurpose.HealthCareOperations], [SubstanceUseInformation.Diagnoses], null,
            ConsentExpiryEvent.EndOfEngagement, ConsentSigner.Member, today), ByClinician);

        Assert.Equal(CommandStatus.Accepted, (await careTeam.AddAsync(id, pharmacyMember, ByClinician)).Status);
        Assert.Equal(CommandStatus.Accepted, (await careTeam.AddAsync(id, pharmacyMember, ByClinician)).Status); // the same again: once
        Assert.Equal(ConsentService.IdInUse, (await careTeam.AddAsync(id, pharmacyMember with { Name = "Another Pharmacy" }, ByClinician)).Reason);
        Assert.Equal(CommandStatus.Invalid, (await careTeam.AddAsync(id, pharmacyMember with { Npi = Dental, Phone = "call me" }, ByClinician)).Status);
        Assert.Equal(CommandStatus.Accepted, (await careTeam.AddAsync(id,
            new CareTeamSubmission("Harbor Housing Services", SocialServices, Email.Parse("intake@harbor.example"), ProviderRole.SocialServices, null, true), ByClinician)).Status);
        Assert.Equal(CommandStatus.Accepted, (await careTeam.AddAsync(id,
            new CareTeamSubmission("Bright Smile Dental", Dental, Email.Parse("desk@brightsmile.example"), ProviderRole.Dental, null, Contact: false), ByClinician)).Status);
        await h.IdleAsync();

        var started = await h.CaseAsync(id);
        Assert.Equal(3, started.Timeline.Count(t => t.Kind == TimelineEntryKind.CareTeamMemberAdded));
        Assert.Equal([SocialServices.Value, Sample.ProviderA.Value, Sample.ProviderB.Value], started.Outreach.Select(o => o.Npi.Value).Order());
        Assert.All(started.Outreach, o => Assert.Equal(ProviderOutreachStatus.Emailed, o.Status));
        Assert.Equal("850-555-0199", started.FindTreatingProvider(Sample.ProviderB)!.Phone);
        var pharmacy = OutreachId.For(id, Sample.ProviderB);
        var housing = OutreachId.For(id, SocialServices);

        // The class consent covers the pharmacy, not the social-services organisation.
        var pharmacyPage = (await h.Service.GetProviderRequestAsync(h.TokenFromEmail(pharmacy))).View!.Request!;
        Assert.Contains(Sample.SentinelSubstanceDiagnosis, pharmacyPage.DiagnosisCodes);
        var housingPage = (await h.Service.GetProviderRequestAsync(h.TokenFromEmail(housing))).View!;
        PhiScan.AssertNoMemberIdentity(housingPage);
        Assert.Equal(ProviderRole.SocialServices, housingPage.Role);
        Assert.DoesNotContain(Sample.SentinelSubstanceDiagnosis, housingPage.Request!.DiagnosisCodes);
        Assert.Equal(ConsentCoverage.NotARecipient, housingPage.Request.WithheldBecause);

        await h.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RespondToOutreachAsync(h.TokenFromEmail(pharmacy), ProviderResponse.WillCollaborate)).Status);

        // The social-services organisation never answers: reminders on days 3, 6 and 9, the medical director on day 12.
        await h.AdvanceAsync(TimeSpan.FromDays(11) + TimeSpan.FromHours(1));
        Assert.Equal(3, h.EmailFiles($"outreach_{SocialServices}-reminder-").Count);
        Assert.Empty(h.EmailFiles($"outreach_{Sample.ProviderB}-reminder-"));
        var escalated = (await h.CaseAsync(id)).Outreach.Single(o => o.Id == housing);
        Assert.Equal((ProviderOutreachStatus.EscalatedToPeerReview, 3), (escalated.Status, escalated.RemindersSent));
        var peer = Assert.Single(h.Emails(), e => e.Key.EndsWith($"{SocialServices}-peer-to-peer", StringComparison.Ordinal)).Value;
        Assert.Equal("nguyen@plan.example", peer.To.Mailboxes.Single().Address);

        // The closure stops the silent participant's outreach, waits for its report, then summarises to everyone contacted.
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, Mets.Domain.Closure.ClosureReason.GoalsMet, ByClinician)).Status);
        await h.IdleAsync();
        var closed = await h.CaseAsync(id);
        Assert.Equal(EngagementStatus.Closed, closed.Status);
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, closed.Outreach.Single(o => o.Id == housing).Status);
        Assert.Equal(ProviderOutreachStatus.StoppedAtClosure, (await h.Host.WaitForCompletionAsync(housing.Value)).ReadOutputAs<ProviderOutreachStatus>());
        Assert.Equal([SocialServices.Value, Sample.ProviderA.Value, Sample.ProviderB.Value], closed.Timeline.Where(t => t.Kind == TimelineEntryKind.ClosureSummarySent)
            .Select(t => t.Details.Single(d => d.StartsWith("npi=", StringComparison.Ordinal))[4..]).Order());
        Assert.Equal(3, h.EmailFiles("-closure-").Count);
        Assert.Empty(h.EmailFiles($"{Dental}")); // never contacted: no outreach, no summary
        Assert.Contains("Thank you for your collaboration", Assert.Single(h.Emails(), e => e.Key.EndsWith($"closure-{Sample.ProviderB}", StringComparison.Ordinal)).Value.TextBody, StringComparison.Ordinal);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }
}
