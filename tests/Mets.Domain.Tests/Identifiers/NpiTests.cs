using Mets.Domain.Identifiers;
using Xunit.Abstractions;

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

public class NpiCheckDigitPropertyTests(ITestOutputHelper output)
{
    /// <summary>
    /// Cross-checks the "constant 24" shortcut against a plain Luhn over "80840" + the nine base digits
    /// (the CMS definition), for random base numbers and every candidate check digit.
    /// </summary>
    [Fact]
    public void HasValidCheckDigit_AgreesWithFullLuhnOverPrefixedNumber()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed={seed}");
        var random = new Random(seed);

        for (var n = 0; n < 2000; n++)
        {
            var baseDigits = string.Concat((random.Next(2) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                random.Next(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
            var validCount = 0;
            for (var check = 0; check <= 9; check++)
            {
                var npi = baseDigits + check.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var expected = FullLuhnValid("80840" + npi);
                Assert.Equal(expected, Npi.HasValidCheckDigit(npi));
                validCount += expected ? 1 : 0;
            }

            Assert.Equal(1, validCount);
        }
    }

    private static bool FullLuhnValid(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return sum % 10 == 0;
    }
}
