using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class MemberIdTests
{
    [Fact]
    public void Parse_PayerAndNumber_NormalizesToUpperCase()
    {
        var id = MemberId.Parse(" medicaid-fl:ab1234567-01 ");

        Assert.Equal("MEDICAID-FL", id.Payer);
        Assert.Equal("AB1234567-01", id.Number);
        Assert.Equal("MEDICAID-FL:AB1234567-01", id.Value);
    }

    [Fact]
    public void Create_SameNumberDifferentPayer_AreDifferentMembers()
    {
        Assert.NotEqual(MemberId.Create("PLANA", "123"), MemberId.Create("PLANB", "123"));
        Assert.Equal(MemberId.Create("plana", "x1"), MemberId.Parse("PLANA:X1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("NOPAYER")]
    [InlineData(":123")]
    [InlineData("PLAN:")]
    [InlineData("PLAN:12 34")]
    [InlineData("PLAN:12:34")]
    [InlineData("PAYER-CODE-TOO-LONG:1")]
    public void TryParse_Malformed_ReturnsFalseWithReason(string value)
    {
        Assert.False(MemberId.TryParse(value, out _, out var reason));
        Assert.NotEmpty(reason);
    }

    [Fact]
    public void ToString_IsRedacted()
    {
        var id = MemberId.Create("PLAN", "SENTINEL777");

        Assert.DoesNotContain("SENTINEL777", id.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SENTINEL777", $"{id}", StringComparison.Ordinal);
    }
}
