using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// A National Provider Identifier: ten digits, the first 1 or 2, the last a Luhn check digit
/// computed over the nine leading digits prefixed with the card issuer prefix 80840.
/// Exception messages never echo the rejected value.
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<Npi>))]
public readonly record struct Npi : IStringValue<Npi>
{
    private Npi(string value) => Value = value;

    public string Value { get; }

    public static string Description => "NPI";

    public static Npi Parse(string value) =>
        TryParse(value, out var npi, out var reason)
            ? npi
            : throw new FormatException($"Not a valid NPI: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out Npi npi) => TryParse(value, out npi, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out Npi result, out string reason)
    {
        result = default;
        if (string.IsNullOrEmpty(value) || value.Length != 10 || !value.All(char.IsAsciiDigit))
        {
            reason = "an NPI is exactly 10 digits";
            return false;
        }

        if (value[0] is not ('1' or '2'))
        {
            reason = "an NPI starts with 1 or 2";
            return false;
        }

        if (!HasValidCheckDigit(value))
        {
            reason = "the check digit does not match";
            return false;
        }

        result = new Npi(value);
        reason = string.Empty;
        return true;
    }

    /// <summary>Luhn over "80840" + the first nine digits; the tenth digit is the check digit.</summary>
    public static bool HasValidCheckDigit(ReadOnlySpan<char> tenDigits)
    {
        if (tenDigits.Length != 10)
        {
            return false;
        }

        // The prefix 80840 contributes a constant 24 to the Luhn sum (CMS NPI check digit standard).
        var sum = 24;
        var doubleIt = true;
        for (var i = 8; i >= 0; i--)
        {
            var digit = tenDigits[i] - '0';
            if (doubleIt)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            doubleIt = !doubleIt;
        }

        var check = (10 - (sum % 10)) % 10;
        return tenDigits[9] - '0' == check;
    }

    public override string ToString() => Value ?? string.Empty;
}
