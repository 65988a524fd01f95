using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// Identifies one METS engagement; also the orchestration instance id. Written as 32 lower-case
/// hex digits (a GUID in "N" format), which is safe in instance ids, document ids and URLs.
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<EngagementId>))]
public readonly record struct EngagementId : IStringValue<EngagementId>
{
    private EngagementId(Guid guid)
    {
        AsGuid = guid;
        Value = guid.ToString("N", CultureInfo.InvariantCulture);
    }

    public Guid AsGuid { get; }

    public string Value { get; }

    public static string Description => "engagement id";

    /// <summary>A new id from a GUID the caller generated (outside orchestrator code).</summary>
    public static EngagementId New(Guid value) =>
        value == Guid.Empty
            ? throw new ArgumentException("An engagement id cannot be the empty GUID.", nameof(value))
            : new EngagementId(value);

    public static EngagementId Parse(string value) =>
        TryParse(value, out var id, out var reason)
            ? id
            : throw new FormatException($"Not a valid engagement id: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out EngagementId result) => TryParse(value, out result, out _);

    /// <summary>Accepts the "N" (32 digits) and "D" (hyphenated) GUID formats.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out EngagementId result, out string reason)
    {
        result = default;
        if (value is null
            || !(Guid.TryParseExact(value, "N", out var guid) || Guid.TryParseExact(value, "D", out guid)))
        {
            reason = "an engagement id is 32 hexadecimal digits";
            return false;
        }

        if (guid == Guid.Empty)
        {
            reason = "an engagement id cannot be all zeros";
            return false;
        }

        result = new EngagementId(guid);
        reason = string.Empty;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
