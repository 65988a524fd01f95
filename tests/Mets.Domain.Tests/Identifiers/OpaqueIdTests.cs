using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class OpaqueIdTests
{
    [Fact]
    public void ReferralId_KeepsCaseAndAllowedSymbols()
    {
        Assert.Equal("UM-2026:Ref_0042.a", ReferralId.Parse("UM-2026:Ref_0042.a").Value);
        Assert.NotEqual(ReferralId.Parse("abc"), ReferralId.Parse("ABC"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    public void ReferralId_Invalid_ReturnsFalse(string text)
    {
        Assert.False(ReferralId.TryParse(text, out _));
        Assert.False(ReferralId.TryParse(new string('a', ReferralId.MaxLength + 1), out _));
    }

    [Fact]
    public void StaffId_ComparesCaseInsensitively()
    {
        Assert.Equal(StaffId.Parse("J.Doe@Plan"), StaffId.Parse("j.doe@plan"));
        Assert.False(StaffId.TryParse("j doe", out _));
    }
}
