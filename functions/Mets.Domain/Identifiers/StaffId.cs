using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// Identifies a member of the METS team (clinician, supervisor, medical director) as the roster
/// names them, e.g. a directory user name. 1-64 ASCII letters, digits and <c>- _ . @</c>; compared
/// case-insensitively (stored lower case).
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<StaffId>))]
public readonly record struct StaffId : IStringValue<StaffId>
{
    public const int MaxLength = 64;

    private StaffId(string value) => Value = value;

    public string Value { get; }

    public static string Description => "staff id";

    public static StaffId Parse(string value) =>
        TryParse(value, out var id, out var reason)
            ? id
            : throw new FormatException($"Not a valid staff id: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out StaffId result) => TryParse(value, out result, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out StaffId result, out string reason)
    {
        result = default;
        var normalized = value?.Trim().ToLowerInvariant();
        if (!OpaqueText.IsValid(normalized, MaxLength, "-_.@", "a staff id", out reason))
        {
            return false;
        }

        result = new StaffId(normalized!);
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
