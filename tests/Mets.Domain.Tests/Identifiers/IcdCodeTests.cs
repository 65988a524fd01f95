using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class IcdCodeTests
{
    [Theory]
    [InlineData("F32.9", "F32.9", "F32")]
    [InlineData("f329", "F32.9", "F32")]
    [InlineData("F20", "F20", "F20")]
    [InlineData("F32.A", "F32.A", "F32")]
    [InlineData("M1A.0710", "M1A.0710", "M1A")]
    [InlineData("T43222A", "T43.222A", "T43")]
    [InlineData(" z59.00 ", "Z59.00", "Z59")]
    [InlineData("U07.1", "U07.1", "U07")]
    [InlineData("u099", "U09.9", "U09")]
    public void Parse_ValidShapes_Normalizes(string text, string expected, string category)
    {
        var code = IcdCode.Parse(text);

        Assert.Equal(expected, code.Value);
        Assert.Equal(category, code.Category);
    }

    [Theory]
    [InlineData("")]
    [InlineData("F3")]          // too short
    [InlineData("F32.90123")]   // too long
    [InlineData("332.9")]       // starts with a digit
    [InlineData("FF2.9")]       // second character must be a digit
    [InlineData("F32.")]        // dot with nothing after
    [InlineData("F3.29")]       // dot in the wrong place
    [InlineData("F32-9")]
    [InlineData("F32.9.1")]
    [InlineData("F3X9")]        // X never stands third: the bug of issue 13
    [InlineData("T40.1X1")]     // the placeholder X needs a seventh character
    public void TryParse_WrongShape_ReturnsFalse(string text)
    {
        Assert.False(IcdCode.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Reason_NamesTheRuleForTheReferralApi()
    {
        Assert.False(IcdCode.TryParse("F3X9", out _, out var reason));

        Assert.Equal("the third character is a digit, or a letter only in the categories C4A, C7A, C7B, D3A, M1A, O9A, Z3A", reason);
    }
}
