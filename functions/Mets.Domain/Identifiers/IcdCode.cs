using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Mets.Domain.Diagnoses;

namespace Mets.Domain.Identifiers;

/// <summary>
/// An ICD-10-CM diagnosis code, checked by the structural rules shared with claims
/// (<see cref="Icd10Cm"/>: 3 to 7 characters, a letter, a digit, a digit or a letter only in the
/// letter categories such as <c>M1A</c>, the placeholder <c>X</c> only before a seventh character).
/// Accepted with or without the dot and in any case; written upper case with the dot (<c>F32.A</c>,
/// <c>U07.1</c>, <c>T43.222A</c>). Membership in a code-set release is checked where a date of
/// service is known (<see cref="Icd10CmValidator"/>). A diagnosis is protected health information: keep
/// it out of logs.
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
        if (!Icd10Cm.TryNormalize(value, IcdCodeNotation.DecimalPointOptional, out var compact, out reason))
        {
            return false;
        }

        result = new IcdCode(Icd10Cm.WithDecimalPoint(compact));
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
