using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// An ICD-10-CM diagnosis code by shape: a letter, a digit, a digit or letter (the category, e.g.
/// <c>F32</c>, <c>M1A</c>), then up to four letters or digits after the decimal point. Accepted with or
/// without the dot and in any case; written upper case with the dot (<c>F32.A</c>, <c>T43.222A</c>).
/// Only the shape is checked, not membership in a code-set release. A diagnosis is protected health
/// information: keep it out of logs.
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<IcdCode>))]
public readonly record struct IcdCode : IStringValue<IcdCode>
{
    private IcdCode(string value) => Value = value;

    public string Value { get; }

    /// <summary>The three-character category, e.g. <c>F32</c>.</summary>
    public string Category => Value is null ? string.Empty : Value[..3];

    public static string Description => "ICD-10-CM code";

    public static IcdCode Parse(string value) =>
        TryParse(value, out var code, out var reason)
            ? code
            : throw new FormatException($"Not a valid ICD-10-CM code: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out IcdCode result) => TryParse(value, out result, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out IcdCode result, out string reason)
    {
        result = default;
        var text = value?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(text))
        {
            reason = "a diagnosis code is required";
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0 && (dot != 3 || text.Length == 4))
        {
            reason = "the decimal point follows the three-character category and is followed by 1 to 4 characters";
            return false;
        }

        var compact = dot >= 0 ? text.Remove(dot, 1) : text;
        if (compact.Length is < 3 or > 7)
        {
            reason = "an ICD-10-CM code has 3 to 7 characters";
            return false;
        }

        if (!char.IsAsciiLetterUpper(compact[0]) || !char.IsAsciiDigit(compact[1]) || !char.IsAsciiLetterOrDigit(compact[2]))
        {
            reason = "the category is a letter, a digit, then a letter or digit";
            return false;
        }

        for (var i = 3; i < compact.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(compact[i]))
            {
                reason = "the characters after the category are letters or digits";
                return false;
            }
        }

        result = new IcdCode(compact.Length == 3 ? compact : string.Concat(compact.AsSpan(0, 3), ".", compact.AsSpan(3)));
        reason = string.Empty;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
