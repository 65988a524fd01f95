using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class OutreachIdTests
{
    [Fact]
    public void For_EngagementAndNpi_FormatsAndParsesBack()
    {
        var engagement = EngagementId.New(Guid.Parse("11111111-2222-3333-4444-555555555555"));
        var id = OutreachId.For(engagement, Npi.Parse("1234567893"));

        Assert.Equal("11111111222233334444555555555555:outreach:1234567893", id.Value);
        Assert.Equal(id, OutreachId.Parse(id.Value));
        Assert.Equal(engagement, id.Engagement);
    }

    [Theory]
    [InlineData("11111111222233334444555555555555:outreach:1234567890")]
    [InlineData("11111111222233334444555555555555:1234567893")]
    [InlineData("bad:outreach:1234567893")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(OutreachId.TryParse(text, out _));
    }
}
