using Mets.Domain.Diagnoses;

namespace Mets.Domain.Tests.Diagnoses;

public class Icd10CmTests
{
    [Theory]
    [InlineData("F32.9", IcdCodeNotation.DecimalPointOptional, "F329")]
    [InlineData("f329", IcdCodeNotation.WithoutDecimalPoint, "F329")]
    [InlineData("U07.1", IcdCodeNotation.DecimalPointOptional, "U071")]
    [InlineData("U099", IcdCodeNotation.WithoutDecimalPoint, "U099")]
    [InlineData("F32.A", IcdCodeNotation.DecimalPointOptional, "F32A")]
    [InlineData("M1A0710", IcdCodeNotation.WithoutDecimalPoint, "M1A0710")]
    [InlineData("O9A.111", IcdCodeNotation.DecimalPointOptional, "O9A111")]
    [InlineData("T40.1X1A", IcdCodeNotation.DecimalPointOptional, "T401X1A")]
    [InlineData("T07XXXA", IcdCodeNotation.WithoutDecimalPoint, "T07XXXA")]
    [InlineData("H40.11X0", IcdCodeNotation.DecimalPointOptional, "H4011X0")]
    [InlineData(" z59.00 ", IcdCodeNotation.DecimalPointOptional, "Z5900")]
    public void TryNormalize_ValidStructure_ReturnsCompactUpperCase(string text, IcdCodeNotation notation, string expected)
    {
        Assert.True(Icd10Cm.TryNormalize(text, notation, out var code, out var reason), reason);
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("F3X9", "third character")]                // X is a placeholder, never a category letter
    [InlineData("F3A9", "third character")]                // a letter third only in the letter categories
    [InlineData("", "required")]
    [InlineData("F3", "at least 3")]
    [InlineData("F32.90123", "at most 7")]
    [InlineData("332.9", "first character")]
    [InlineData("FF2.9", "second character")]
    [InlineData("F32.", "followed by 1 to 4")]
    [InlineData("F3.29", "decimal point may only follow")]
    [InlineData("F32.9.1", "decimal point may only follow")]
    [InlineData("F32-9", "only letters")]
    [InlineData("T401X1", "placeholder X stands only in a seven-character code")]   // X before a missing 7th character
    [InlineData("T40X", "placeholder X stands only in a seven-character code")]
    [InlineData("S0101XX", "seventh character is never the placeholder")]
    public void TryNormalize_WrongStructure_IsRefusedWithTheRule(string text, string reasonPart)
    {
        Assert.False(Icd10Cm.TryNormalize(text, IcdCodeNotation.DecimalPointOptional, out var code, out var reason));
        Assert.Null(code);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("F32.9")]
    [InlineData("U07.1")]
    [InlineData("F329.")]
    public void TryNormalize_DecimalPointInX12_IsAnError(string text)
    {
        Assert.False(Icd10Cm.TryNormalize(text, IcdCodeNotation.WithoutDecimalPoint, out _, out var reason));
        Assert.Equal("X12 carries ICD-10-CM codes without the decimal point", reason);
    }

    [Fact]
    public void TryNormalize_Reasons_NeverRepeatTheValue()
    {
        const string Sentinel = "Q7Z";
        foreach (var text in new[] { "F3X" + Sentinel, Sentinel + "..", "F32." + Sentinel + "99", "F32" + Sentinel + Sentinel })
        {
            Assert.False(Icd10Cm.TryNormalize(text, IcdCodeNotation.DecimalPointOptional, out _, out var reason));
            Assert.DoesNotContain(Sentinel, reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("F329", "F32.9")]
    [InlineData("F20", "F20")]
    [InlineData("T401X1A", "T40.1X1A")]
    public void WithDecimalPoint_PutsThePointAfterTheCategory(string compact, string expected) =>
        Assert.Equal(expected, Icd10Cm.WithDecimalPoint(compact));
}
