using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.Consent;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Workflow.Tests.CarePlans;

/// <summary>
/// 42 CFR Part 2 on the real engine with fake time: substance-use diagnoses and care gaps reach a provider's page only
/// under a consent covering that provider now, with the consent it went out under (the § 2.32 notice goes with it on the
/// page); a provider the consent does not name, an expired consent and a revoked one withhold them.
/// </summary>
public class ConsentLifecycleTests
{
    private static readonly Actor ByClinician = Actor.Staff(ActorKind.Clinician, Sample.Clinician);

    private static ConsentSubmission Named(string id, DateOnly signedOn, DateOnly expiresOn, params Npi[] recipients) => new(
        id, ConsentRecipients.Of(recipients), [DisclosurePurpose.Treatment], [SubstanceUseInformation.Diagnoses, SubstanceUseInformation.CareGaps],
        expiresOn, null, ConsentSigner.Member, signedOn);

    private static ConsentSubmission TreatmentPaymentOperations(string id, DateOnly signedOn) => new(
        id, ConsentRecipients.OfClass(RecipientClass.TreatingProviders), [DisclosurePurpose.Treatment, DisclosurePurpose.Payment, DisclosurePurpose.HealthCareOperations],
        [SubstanceUseInformation.Diagnoses], null, ConsentExpiryEvent.EndOfEngagement, ConsentSigner.Member, signedOn);

    [Fact]
    public async Task ProviderPage_CoveredUncoveredExpiredRevokedRecipients_ShowSubstanceUseOnlyUnderACoveringConsent()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var consents = h.Services.GetRequiredService<ConsentService>();
        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        var today = DateOnly.FromDateTime(h.Now.UtcDateTime);
        var (recorded, consentId) = await consents.RecordConsentAsync(id, Named("C1", today, today.AddDays(10), Sample.ProviderA), ByClinician);
        Assert.Equal((CommandStatus.Accepted, "C1"), (recorded.Status, consentId));
        Assert.Equal(CommandStatus.Accepted, (await consents.RecordConsentAsync(id, Named("C1", today, today.AddDays(10), Sample.ProviderA), ByClinician)).Result.Status);
        Assert.Equal(ConsentService.IdInUse, (await consents.RecordConsentAsync(id, Named("C1", today, today.AddDays(20), Sample.ProviderA), ByClinician)).Result.Reason);
        Assert.Equal(CommandStatus.Invalid, (await consents.RecordConsentAsync(id, Named("C2", today, today), ByClinician)).Result.Status);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.CareGapOpened, h.Now, "FUA-7")).Status);
        Assert.Equal(CommandStatus.Accepted, (await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.CareGapOpened, h.Now, "FUH-7")).Status);
        await h.IdleAsync();
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RecordAssessmentAsync(id, Sample.Assessment(h.Now))).Status);
        await h.IdleAsync();
        var behavioralHealth = h.TokenFromEmail(OutreachId.For(id, Sample.ProviderA));
        var pharmacy = h.TokenFromEmail(OutreachId.For(id, Sample.ProviderB));

        // Covered: the named behavioral-health provider sees the SUD code and care gap, under C1.
        var coveredView = (await h.Service.GetProviderRequestAsync(behavioralHealth)).View!;
        PhiScan.AssertNoMemberIdentity(coveredView);
        var covered = coveredView.Request!;
        Assert.Equal([Sample.SentinelSubstanceDiagnosis, Sample.SentinelDiagnosis], covered.DiagnosisCodes);
        Assert.Equal(["FUA-7", "FUH-7"], covered.OpenCareGaps);
        Assert.False(covered.SubstanceUseInformationWithheld);
        var disclosure = Assert.Single(covered.Disclosures);
        Assert.Equal("C1", disclosure.ConsentId);
        Assert.Equal([SubstanceUseInformation.Diagnoses, SubstanceUseInformation.CareGaps], disclosure.Information);
        Assert.Contains("for treatment", disclosure.Scope, StringComparison.Ordinal);
        await h.Service.GetProviderRequestAsync(behavioralHealth); // viewed again: accounted once
        var accounted = (await h.CaseAsync(id)).Timeline.Where(t => t.Kind == TimelineEntryKind.SubstanceUseInformationDisclosed).ToList();
        Assert.Equal(2, accounted.Count);
        Assert.All(accounted, t => Assert.Contains($"npi={Sample.ProviderA}", t.Details));

        // Uncovered: the pharmacy is not named in C1.
        var uncovered = (await h.Service.GetProviderRequestAsync(pharmacy)).View!.Request!;
        Assert.Equal([Sample.SentinelDiagnosis], uncovered.DiagnosisCodes);
        Assert.Equal(["FUH-7"], uncovered.OpenCareGaps);
        Assert.Equal((true, ConsentCoverage.NotARecipient), (uncovered.SubstanceUseInformationWithheld, uncovered.WithheldBecause));
        Assert.Empty(uncovered.Disclosures);

        // Expired: C1 ends ten days after it was signed.
        await h.AdvanceAsync(TimeSpan.FromDays(10));
        var expired = (await h.Service.GetProviderRequestAsync(behavioralHealth)).View!.Request!;
        Assert.Equal([Sample.SentinelDiagnosis], expired.DiagnosisCodes);
        Assert.Equal(ConsentCoverage.Expired, expired.WithheldBecause);

        // A single TPO consent to the treating providers covers the pharmacy too (diagnoses only), until it is revoked.
        var signed = DateOnly.FromDateTime(h.Now.UtcDateTime);
        Assert.Equal("C2", (await consents.RecordConsentAsync(id, TreatmentPaymentOperations(null!, signed) with { Id = null }, ByClinician)).ConsentId);
        var underTpo = (await h.Service.GetProviderRequestAsync(pharmacy)).View!.Request!;
        Assert.Equal([Sample.SentinelSubstanceDiagnosis, Sample.SentinelDiagnosis], underTpo.DiagnosisCodes);
        Assert.Equal(["FUH-7"], underTpo.OpenCareGaps); // care gaps are not in C2
        Assert.Equal(ConsentCoverage.InformationNotCovered, underTpo.WithheldBecause);

        await h.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(CommandStatus.Invalid, (await consents.RevokeConsentAsync(id, "C2", signed.AddDays(-1), ByClinician)).Status);
        Assert.Equal(ConsentService.ConsentNotFound, (await consents.RevokeConsentAsync(id, "C9", signed, ByClinician)).Reason);
        Assert.Equal(CommandStatus.Accepted, (await consents.RevokeConsentAsync(id, "C2", signed, ByClinician)).Status);
        Assert.Equal(CommandStatus.Accepted, (await consents.RevokeConsentAsync(id, "C2", signed, ByClinician)).Status);
        var revoked = (await h.Service.GetProviderRequestAsync(pharmacy)).View!.Request!;
        Assert.Equal([Sample.SentinelDiagnosis], revoked.DiagnosisCodes);
        Assert.Equal(ConsentCoverage.Revoked, revoked.WithheldBecause);

        var engagement = await h.CaseAsync(id);
        Assert.Single(engagement.Timeline, t => t.Kind == TimelineEntryKind.ConsentRevoked);
        Assert.Equal(2, engagement.Timeline.Count(t => t.Kind == TimelineEntryKind.ConsentRecorded));
        Assert.Contains(engagement.Timeline, t => t.Kind == TimelineEntryKind.SubstanceUseInformationDisclosed && t.Details.Contains("consent=C2")
            && t.Details.Contains($"npi={Sample.ProviderB}"));
        var audit = await h.Services.GetRequiredService<Mets.Workflow.Audit.TimelineAudit>().VerifyAsync(id);
        Assert.True(audit!.Intact, audit.Finding?.Reason);
        await PhiScan.AssertNoSentinelsAsync(h);
        await h.AssertDeterministicReplayAsync();
    }

    [Fact]
    public async Task RecordConsent_ClosedOrUnknownEngagement_IsRefused()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var consents = h.Services.GetRequiredService<ConsentService>();
        var today = DateOnly.FromDateTime(h.Now.UtcDateTime);
        var unknown = await consents.RecordConsentAsync(EngagementId.New(Guid.NewGuid()), TreatmentPaymentOperations("C1", today), ByClinician);
        Assert.Equal("EngagementNotFound", unknown.Result.Reason);

        var id = (await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now, providers: 0))).EngagementId!.Value;
        await h.IdleAsync();
        Assert.Equal(CommandStatus.Accepted, (await h.Service.RequestClosureAsync(id, Mets.Domain.Closure.ClosureReason.MemberDeclined, ByClinician)).Status);
        await h.IdleAsync();
        var closed = await consents.RecordConsentAsync(id, TreatmentPaymentOperations("C1", today), ByClinician);
        Assert.Equal((CommandStatus.Conflict, nameof(EventFit.EngagementClosed)), (closed.Result.Status, closed.Result.Reason));
    }
}
