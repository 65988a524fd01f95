using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// Identifies the outreach to one treating provider within one engagement; also the
/// sub-orchestration instance id. Written <c>{engagementId}:outreach:{npi}</c>.
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<OutreachId>))]
public readonly record struct OutreachId : IStringValue<OutreachId>
{
    private const string Infix = ":outreach:";

    private OutreachId(EngagementId engagement, Npi provider)
    {
        Engagement = engagement;
        Provider = provider;
        Value = string.Concat(engagement.Value, Infix, provider.Value);
    }

    public EngagementId Engagement { get; }

    public Npi Provider { get; }

    public string Value { get; }

    public static string Description => "outreach id";

    public static OutreachId For(EngagementId engagement, Npi provider)
    {
        if (engagement.Value is null || provider.Value is null)
        {
            throw new ArgumentException("An outreach id needs an initialized engagement id and NPI.");
        }

        return new OutreachId(engagement, provider);
    }

    public static OutreachId Parse(string value) =>
        TryParse(value, out var id, out var reason)
            ? id
            : throw new FormatException($"Not a valid outreach id: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out OutreachId result) => TryParse(value, out result, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out OutreachId result, out string reason)
    {
        result = default;
        var at = value?.IndexOf(Infix, StringComparison.Ordinal) ?? -1;
        if (value is null || at < 0)
        {
            reason = "an outreach id is written {engagementId}:outreach:{npi}";
            return false;
        }

        if (!EngagementId.TryParse(value[..at], out var engagement, out reason)
            || !Npi.TryParse(value[(at + Infix.Length)..], out var npi, out reason))
        {
            return false;
        }

        result = new OutreachId(engagement, npi);
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
