using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Identifiers;

public class NpiTests
{
    [Theory]
    [InlineData("1234567893")] // the CMS worked example
    [InlineData("1245319599")]
    [InlineData("2000000002")]
    public void Parse_ValidNpi_KeepsDigits(string value)
    {
        var npi = Npi.Parse(value);

        Assert.Equal(value, npi.Value);
    }

    [Theory]
    [InlineData("1234567890")] // wrong check digit
    [InlineData("3234567893")] // leading digit must be 1 or 2
    [InlineData("123456789")]  // too short
    [InlineData("12345678931")] // too long
    [InlineData("12345X7893")]
    [InlineData("")]
    public void TryParse_InvalidNpi_ReturnsFalse(string value)
    {
        Assert.False(Npi.TryParse(value, out _));
    }

    [Fact]
    public void Parse_InvalidNpi_MessageDoesNotEchoValue()
    {
        var ex = Assert.Throws<FormatException>(() => Npi.Parse("1234567890"));

        Assert.DoesNotContain("1234567890", ex.Message, StringComparison.Ordinal);
    }
}
