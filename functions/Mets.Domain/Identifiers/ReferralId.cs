using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// The referring system's own id for a referral: the idempotency key of intake (the same referral
/// id is the same engagement). Opaque, case-sensitive, 1-64 ASCII letters, digits and <c>- _ . :</c>.
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<ReferralId>))]
public readonly record struct ReferralId : IStringValue<ReferralId>
{
    public const int MaxLength = 64;

    private ReferralId(string value) => Value = value;

    public string Value { get; }

    public static string Description => "referral id";

    public static ReferralId Parse(string value) =>
        TryParse(value, out var id, out var reason)
            ? id
            : throw new FormatException($"Not a valid referral id: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out ReferralId result) => TryParse(value, out result, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out ReferralId result, out string reason)
    {
        result = default;
        if (!OpaqueText.IsValid(value, MaxLength, "-_.:", "a referral id", out reason))
        {
            return false;
        }

        result = new ReferralId(value!);
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
