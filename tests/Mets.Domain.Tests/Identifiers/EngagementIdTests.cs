using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class EngagementIdTests
{
    private static readonly Guid Known = Guid.Parse("0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21");

    [Fact]
    public void New_FromGuid_WritesThirtyTwoLowerHexDigits()
    {
        var id = EngagementId.New(Known);

        Assert.Equal("0b7e6a5c1f2d4c3b9a8e7d6c5b4a3f21", id.Value);
        Assert.Equal(Known, id.AsGuid);
    }

    [Theory]
    [InlineData("0b7e6a5c1f2d4c3b9a8e7d6c5b4a3f21")]
    [InlineData("0B7E6A5C-1F2D-4C3B-9A8E-7D6C5B4A3F21")]
    public void Parse_NOrDFormat_RoundTripsToCanonical(string text)
    {
        Assert.Equal(EngagementId.New(Known), EngagementId.Parse(text));
    }

    [Fact]
    public void New_EmptyGuid_Throws()
    {
        Assert.Throws<ArgumentException>(() => EngagementId.New(Guid.Empty));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("not-a-guid")]
    [InlineData("{0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21}")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(EngagementId.TryParse(text, out _));
    }
}
