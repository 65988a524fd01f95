using System.Text.Json;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class JsonRoundTripTests
{
    private sealed record Holder(MemberId Member, EngagementId Engagement, Npi Npi, IcdCode Diagnosis, Email Email, ReferralId Referral, StaffId Staff, OutreachId Outreach, Dictionary<Npi, int> ByNpi);

    [Fact]
    public void Serialize_ValueTypes_AreWrittenAsPlainStringsAndReadBack()
    {
        var engagement = EngagementId.New(Guid.Parse("0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21"));
        var npi = Npi.Parse("1234567893");
        var holder = new Holder(
            MemberId.Create("PLAN", "M1"), engagement, npi, IcdCode.Parse("F33.1"), Email.Parse("a@b.example"),
            ReferralId.Parse("R-1"), StaffId.Parse("clin1"), OutreachId.For(engagement, npi), new() { [npi] = 2 });

        var json = JsonSerializer.Serialize(holder);
        var back = JsonSerializer.Deserialize<Holder>(json)!;

        Assert.Contains("\"Member\":\"PLAN:M1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Npi\":\"1234567893\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Diagnosis\":\"F33.1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"ByNpi\":{\"1234567893\":2}", json, StringComparison.Ordinal);
        Assert.Equal(holder with { ByNpi = back.ByNpi }, back);
        Assert.Equal(2, back.ByNpi[npi]);
    }

    [Theory]
    [InlineData("\"1234567890\"")]
    [InlineData("1234567893")]
    public void Deserialize_InvalidNpi_ThrowsJsonExceptionWithoutValue(string json)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Npi>(json));

        Assert.DoesNotContain("1234567890", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1234567893", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_DefaultValue_ThrowsJsonException()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(default(MemberId)));
    }
}
