using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// A member identifier scoped by payer: the payer's code and the member number that payer issued
/// (Medicaid, commercial and Medicare numbers are opaque and may carry a dependent suffix).
/// Written as <c>PAYER:NUMBER</c>, upper case. A member id is protected health information:
/// <see cref="ToString"/> is redacted so string interpolation into a log cannot leak it; read
/// <see cref="Value"/> deliberately where the id itself is needed (storage, JSON).
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<MemberId>))]
public readonly record struct MemberId : IStringValue<MemberId>
{
    public const char Separator = ':';
    public const int MaxPayerLength = 16;
    public const int MaxNumberLength = 40;

    private MemberId(string payer, string number)
    {
        Payer = payer;
        Number = number;
        Value = string.Concat(payer, Separator.ToString(), number);
    }

    /// <summary>The payer (plan or line of business) code, e.g. <c>MEDICAID-FL</c>.</summary>
    public string Payer { get; }

    /// <summary>The member number the payer issued.</summary>
    public string Number { get; }

    public string Value { get; }

    public static string Description => "member id";

    public static MemberId Create(string payer, string memberNumber) =>
        TryCreate(payer, memberNumber, out var id, out var reason)
            ? id
            : throw new FormatException($"Not a valid member id: {reason}.");

    public static bool TryCreate(string? payer, string? memberNumber, out MemberId id, out string reason)
    {
        id = default;
        var p = payer?.Trim().ToUpperInvariant();
        var n = memberNumber?.Trim().ToUpperInvariant();
        if (!OpaqueText.IsValid(p, MaxPayerLength, "-_", "the payer code", out reason)
            || !OpaqueText.IsValid(n, MaxNumberLength, "-_.", "the member number", out reason))
        {
            return false;
        }

        id = new MemberId(p!, n!);
        return true;
    }

    /// <summary>Parses <c>PAYER:NUMBER</c>.</summary>
    public static MemberId Parse(string value) =>
        TryParse(value, out var id, out var reason)
            ? id
            : throw new FormatException($"Not a valid member id: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out MemberId result) => TryParse(value, out result, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out MemberId result, out string reason)
    {
        result = default;
        var at = value?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (value is null || at < 0)
        {
            reason = "a member id is written PAYER:NUMBER";
            return false;
        }

        return TryCreate(value[..at], value[(at + 1)..], out result, out reason);
    }

    /// <summary>Redacted on purpose (protected health information); use <see cref="Value"/>.</summary>
    public override string ToString() => "MemberId(redacted)";
}
