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
    public void TryParse_WrongShape_ReturnsFalse(string text)
    {
        Assert.False(IcdCode.TryParse(text, out _));
    }
}
