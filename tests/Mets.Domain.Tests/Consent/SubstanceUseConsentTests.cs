using Mets.Domain.Closure;
using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Tests.Consent;

/// <summary>42 CFR Part 2 consents: the § 2.31 elements, what each covers, and the one disclosure rule.</summary>
public class SubstanceUseConsentTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(Sample.T0.UtcDateTime);
    private static readonly Actor ByClinician = Actor.Staff(ActorKind.Clinician, Sample.Clinician);
    private static readonly DisclosureRecipient BehavioralHealth = new(Sample.ProviderA, ProviderRole.BehavioralHealth);
    private static readonly DisclosureRecipient Pharmacy = new(Sample.ProviderB, ProviderRole.Pharmacy);
    private static readonly DisclosureRecipient SocialServices = new(Npi.Parse("1093817462"), ProviderRole.SocialServices);

    private static SubstanceUseConsent Named(string id = "C1", DateOnly? expiresOn = null, params Npi[] recipients) => new(
        id, Sample.Member, ConsentRecipients.Of(recipients.Length == 0 ? [Sample.ProviderA] : recipients), [DisclosurePurpose.Treatment],
        [SubstanceUseInformation.Diagnoses, SubstanceUseInformation.CarePlan], expiresOn ?? Today.AddDays(90), null, ConsentSigner.Member, Today, Sample.T0, ByClinician);

    private static SubstanceUseConsent TreatmentPaymentOperations(string id = "C2") => new(
        id, Sample.Member, ConsentRecipients.OfClass(RecipientClass.TreatingProviders),
        [DisclosurePurpose.Treatment, DisclosurePurpose.Payment, DisclosurePurpose.HealthCareOperations],
        [SubstanceUseInformation.Diagnoses], null, ConsentExpiryEvent.None, ConsentSigner.PersonalRepresentative, Today, Sample.T0, ByClinician);

    private static EngagementCase Open() =>
        EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0).Start(Sample.Clinician, Sample.T0.AddDays(7), Sample.T0.AddDays(180), Sample.T0);

    [Fact]
    public void Validate_CompleteNamedAndClassConsents_HaveNoErrors()
    {
        Assert.Empty(Named().Validate(Today));
        Assert.Empty(TreatmentPaymentOperations().Validate(Today));
    }

    [Fact]
    public void Validate_MissingOrInconsistentElements_NameEachField()
    {
        var bad = Named() with
        {
            Id = "X9",
            Recipients = new ConsentRecipients([Sample.ProviderA], RecipientClass.TreatingProviders),
            Purposes = [],
            Information = [],
            ExpiresOn = null,
            SignedOn = Today.AddDays(1),
        };
        var errors = bad.Validate(Today);

        Assert.Contains(errors, e => e.StartsWith("Id ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Recipients ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Purposes ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Information ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Exactly one of ExpiresOn and ExpiresAtEvent", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SignedOn ", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains(Sample.SentinelMemberNumber, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ClassOrNoExpiration_OnlyForASingleTreatmentPaymentOperationsConsent()
    {
        var classForTreatmentOnly = TreatmentPaymentOperations() with { Purposes = [DisclosurePurpose.Treatment] };
        var namedWithoutExpiration = Named() with { ExpiresOn = null, ExpiresAtEvent = ConsentExpiryEvent.None };

        Assert.Contains(classForTreatmentOnly.Validate(Today), e => e.Contains("2.31(a)(4)", StringComparison.Ordinal));
        Assert.Contains(namedWithoutExpiration.Validate(Today), e => e.StartsWith("ExpiresAtEvent none", StringComparison.Ordinal));
        Assert.Contains((Named() with { ExpiresOn = Today }).Validate(Today), e => e == "ExpiresOn must be after SignedOn.");
    }

    [Fact]
    public void Covers_CoveredUncoveredExpiredRevoked()
    {
        var consent = Named(expiresOn: Today.AddDays(30));
        var at = Sample.T0.AddDays(1);

        Assert.Equal(ConsentCoverage.Covered, consent.Covers(BehavioralHealth, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, at, false));
        Assert.Equal(ConsentCoverage.NotARecipient, consent.Covers(Pharmacy, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, at, false));
        Assert.Equal(ConsentCoverage.PurposeNotCovered, consent.Covers(BehavioralHealth, DisclosurePurpose.Payment, SubstanceUseInformation.Diagnoses, at, false));
        Assert.Equal(ConsentCoverage.InformationNotCovered, consent.Covers(BehavioralHealth, DisclosurePurpose.Treatment, SubstanceUseInformation.Claims, at, false));
        Assert.Equal(ConsentCoverage.Expired, consent.Covers(BehavioralHealth, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0.AddDays(30), false));

        var revokedAt = Sample.T0.AddDays(2);
        var revoked = consent with { Revocation = new ConsentRevocation(Today.AddDays(2), revokedAt, ByClinician) };
        Assert.Equal(ConsentCoverage.Covered, revoked.Covers(BehavioralHealth, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, revokedAt.AddTicks(-1), false));
        Assert.Equal(ConsentCoverage.Revoked, revoked.Covers(BehavioralHealth, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, revokedAt, false));
    }

    [Fact]
    public void Covers_TheTreatingProvidersClass_IncludesPharmacyButNotSocialServices_AndEndOfEngagementExpires()
    {
        var consent = TreatmentPaymentOperations();
        Assert.Equal(ConsentCoverage.Covered, consent.Covers(Pharmacy, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0, false));
        Assert.Equal(ConsentCoverage.Covered, consent.Covers(new DisclosureRecipient(Sample.ProviderB, ProviderRole.Dental), DisclosurePurpose.HealthCareOperations, SubstanceUseInformation.Diagnoses, Sample.T0, true));
        Assert.Equal(ConsentCoverage.NotARecipient, consent.Covers(SocialServices, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0, false));

        var untilTheEnd = consent with { ExpiresAtEvent = ConsentExpiryEvent.EndOfEngagement };
        Assert.Equal(ConsentCoverage.Expired, untilTheEnd.Covers(Pharmacy, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0, engagementClosed: true));
    }

    [Fact]
    public void FromLegacyReferral_TheOldFlag_IsAConsentForThatReferralsDiagnosesToItsProvidersForTreatment()
    {
        Assert.Null(SubstanceUseConsent.FromLegacyReferral(Sample.Referral()));
        var legacy = SubstanceUseConsent.FromLegacyReferral(Sample.Referral() with { ConsentToShareSubstanceUseInformation = true })!;

        Assert.True(legacy.Legacy);
        Assert.Equal("L-REF-1", legacy.Id);
        Assert.Equal([Sample.ProviderA, Sample.ProviderB], legacy.Recipients.Named);
        Assert.Equal([DisclosurePurpose.Treatment], legacy.Purposes);
        Assert.Equal([SubstanceUseInformation.Diagnoses], legacy.Information);
        Assert.Equal((ConsentExpiryEvent?)ConsentExpiryEvent.EndOfEngagement, legacy.ExpiresAtEvent);
        Assert.Equal(ReferralId.Parse("REF-1"), legacy.LimitedToReferral);
        Assert.Contains("attested by the referral source", legacy.ScopeExplanation(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_OnACase_UsesRecordedAndLegacyConsents_AndNamesTheMostTellingRefusal()
    {
        var open = Open();
        var recipient = BehavioralHealth;
        Assert.Equal(ConsentCoverage.NoConsent, SubstanceUseDisclosure.Decide(open, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0).Coverage);

        var withConsents = open.RecordConsent(Named("C1", Today.AddDays(10), Sample.ProviderB), Sample.T0).RecordConsent(TreatmentPaymentOperations() with { Id = "C2" }, Sample.T0);
        var covered = SubstanceUseDisclosure.Decide(withConsents, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0);
        Assert.Equal(("C2", ConsentCoverage.Covered), (covered.Consent!.Id, covered.Coverage));

        var revoked = withConsents.RevokeConsent("C2", Today, ByClinician, Sample.T0.AddHours(1));
        Assert.Equal(ConsentCoverage.Revoked, SubstanceUseDisclosure.Decide(revoked, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0.AddHours(1)).Coverage);
        Assert.Contains(revoked.Timeline, e => e.Kind == TimelineEntryKind.ConsentRevoked && e.Details.Contains("consent=C2"));
        Assert.Contains(revoked.Timeline, e => e.Kind == TimelineEntryKind.ConsentRecorded && e.Details.Contains("recipients=class:TreatingProviders"));

        var legacyCase = EngagementCase.Receive(Sample.Engagement, Sample.Referral() with { ConsentToShareSubstanceUseInformation = true }, Sample.T0);
        Assert.True(SubstanceUseDisclosure.Decide(legacyCase, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0, ReferralId.Parse("REF-1")).Allowed);
        Assert.False(SubstanceUseDisclosure.Decide(legacyCase, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0, ReferralId.Parse("REF-2")).Allowed);
        Assert.False(SubstanceUseDisclosure.Decide(legacyCase, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.CarePlan, Sample.T0).Allowed);
        var closed = legacyCase.Start(Sample.Clinician, Sample.T0.AddDays(7), Sample.T0.AddDays(180), Sample.T0).Close(ClosureReason.GoalsMet, Actor.System, Sample.T0);
        Assert.Equal(ConsentCoverage.Expired, SubstanceUseDisclosure.Decide(closed, recipient, DisclosurePurpose.Treatment, SubstanceUseInformation.Diagnoses, Sample.T0, ReferralId.Parse("REF-1")).Coverage);
    }

    [Fact]
    public void RecordConsent_TimelineHoldsCodesOnly_AndAnIdOnce()
    {
        var open = Open().RecordConsent(Named(), Sample.T0);
        var entry = Assert.Single(open.Timeline, e => e.Kind == TimelineEntryKind.ConsentRecorded);
        Assert.Equal(["consent=C1", "recipients=named:1", "purpose=Treatment", "information=Diagnoses", "information=CarePlan", "expiresOn=2026-05-31"], entry.Details);
        Assert.Throws<InvalidOperationException>(() => open.RecordConsent(Named(), Sample.T0));
        Assert.True(TimelineChain.Verify(open.Id, open.Timeline, []).Intact);
    }

    [Fact]
    public void IsSubstanceUseMeasure_FuaAndIet()
    {
        Assert.True(SubstanceUseDisclosure.IsSubstanceUseMeasure("FUA-7"));
        Assert.True(SubstanceUseDisclosure.IsSubstanceUseMeasure("IET-INIT"));
        Assert.False(SubstanceUseDisclosure.IsSubstanceUseMeasure("FUH-7"));
        Assert.False(SubstanceUseDisclosure.IsSubstanceUseMeasure(null));
    }
}
