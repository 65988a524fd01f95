using System.Text.Json;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Tests.Referrals;

public class ReferralTests
{
    [Fact]
    public void Validate_SampleReferral_IsValid()
    {
        Assert.Empty(Sample.Referral().Validate());
    }

    [Fact]
    public void Validate_DuplicateNpiAndBlankName_ReportsEachByField()
    {
        var referral = Sample.Referral() with
        {
            TreatingProviders =
            [
                new TreatingProvider(" ", Sample.ProviderA, Email.Parse("a@b.example"), ProviderRole.Psychiatry),
                new TreatingProvider("Other", Sample.ProviderA, Email.Parse("c@d.example"), (ProviderRole)42),
            ],
        };

        var errors = referral.Validate();

        Assert.Contains("TreatingProviders[0].Name must be 1 to 200 characters.", errors);
        Assert.Contains("TreatingProviders[1].Role is not a known provider role.", errors);
        Assert.Contains("TreatingProviders lists an NPI more than once.", errors);
    }

    [Fact]
    public void Validate_MissingIdsAndTooLongDetail_Reported()
    {
        var referral = Sample.Referral() with { Id = default, Member = default, ReasonDetail = new string('x', 2001), Diagnoses = [IcdCode.Parse("F32.9"), IcdCode.Parse("f329")] };

        var errors = referral.Validate();

        Assert.Contains("Id is required.", errors);
        Assert.Contains("Member is required.", errors);
        Assert.Contains("ReasonDetail is at most 2000 characters.", errors);
        Assert.Contains("Diagnoses lists a code more than once.", errors);
    }

    [Theory]
    [InlineData(ReferralUrgency.Routine, false, false)]
    [InlineData(ReferralUrgency.Urgent, false, true)]
    [InlineData(ReferralUrgency.Routine, true, true)]
    public void IsUrgentOrSafetyConcern(ReferralUrgency urgency, bool safety, bool expected)
    {
        Assert.Equal(expected, Sample.Referral(urgency: urgency, safety: safety).IsUrgentOrSafetyConcern);
    }

    [Fact]
    public void HasSubstanceUseDiagnosis_F10ToF19Only()
    {
        Assert.True(Sample.Referral().HasSubstanceUseDiagnosis);
        Assert.False((Sample.Referral() with { Diagnoses = [IcdCode.Parse("F20.9"), IcdCode.Parse("F09")] }).HasSubstanceUseDiagnosis);
        Assert.True(Referral.IsSubstanceUse(IcdCode.Parse("F19.10")));
    }

    [Fact]
    public void Fingerprint_IgnoresOrderAndReceivedTime_ButNotContent()
    {
        var referral = Sample.Referral();
        var reordered = referral with
        {
            Diagnoses = [.. referral.Diagnoses.Reverse()],
            TreatingProviders = [.. referral.TreatingProviders.Reverse()],
            ReceivedAt = referral.ReceivedAt.AddHours(5),
        };

        Assert.Equal(64, referral.Fingerprint().Length);
        Assert.Equal(referral.Fingerprint(), reordered.Fingerprint());
        Assert.NotEqual(referral.Fingerprint(), (referral with { Urgency = ReferralUrgency.Urgent }).Fingerprint());
        Assert.NotEqual(referral.Fingerprint(), (referral with { ReasonDetail = "other" }).Fingerprint());
    }

    [Fact]
    public void Json_RoundTrip_KeepsEveryField()
    {
        var referral = Sample.Referral();

        var json = JsonSerializer.Serialize(referral);
        var back = JsonSerializer.Deserialize<Referral>(json)!;

        Assert.Equal(referral.Fingerprint(), back.Fingerprint());
        Assert.Equal(referral.ReceivedAt, back.ReceivedAt);
        Assert.Contains("\"Diagnoses\":[\"F33.1\",\"F10.20\"]", json, StringComparison.Ordinal);
    }
}
