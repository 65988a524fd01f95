using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Mets.Domain.Identifiers;

/// <summary>
/// An e-mail address as used for provider outreach: <c>local@domain</c> only (no display name),
/// at most 254 characters, a dot-separated host name of letters, digits and hyphens. The domain is
/// stored lower case; the local part is kept as given.
/// </summary>
[JsonConverter(typeof(StringValueJsonConverter<Email>))]
public readonly record struct Email : IStringValue<Email>
{
    public const int MaxLength = 254;
    private const string LocalPartSpecials = "!#$%&'*+-/=?^_`{|}~.";

    private Email(string value) => Value = value;

    public string Value { get; }

    public string Domain => Value is null ? string.Empty : Value[(Value.LastIndexOf('@') + 1)..];

    public static string Description => "e-mail address";

    public static Email Parse(string value) =>
        TryParse(value, out var email, out var reason)
            ? email
            : throw new FormatException($"Not a valid e-mail address: {reason}.");

    public static bool TryParse([NotNullWhen(true)] string? value, out Email result) => TryParse(value, out result, out _);

    public static bool TryParse([NotNullWhen(true)] string? value, out Email result, out string reason)
    {
        result = default;
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            reason = "an e-mail address is required";
            return false;
        }

        if (text.Length > MaxLength)
        {
            reason = $"an e-mail address is at most {MaxLength} characters";
            return false;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != text.LastIndexOf('@') || at == text.Length - 1)
        {
            reason = "an e-mail address has one @ with text on both sides";
            return false;
        }

        var local = text[..at];
        if (local.Length > 64 || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal)
            || !local.All(c => char.IsAsciiLetterOrDigit(c) || LocalPartSpecials.Contains(c, StringComparison.Ordinal)))
        {
            reason = "the part before @ is at most 64 letters, digits or permitted symbols, without leading, trailing or double dots";
            return false;
        }

        var domain = text[(at + 1)..].ToUpperInvariant();
        var labels = domain.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length is 0 or > 63 || l.StartsWith('-') || l.EndsWith('-')
                || !l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            reason = "the part after @ is a host name such as example.org";
            return false;
        }

        result = new Email(string.Concat(local, "@", domain.ToLowerInvariant()));
        reason = string.Empty;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
