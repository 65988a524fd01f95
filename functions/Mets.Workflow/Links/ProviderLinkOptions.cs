using System.ComponentModel.DataAnnotations;

namespace Mets.Workflow.Links;

/// <summary>
/// Signing of provider response links, bound from <see cref="SectionName"/>. <see cref="Keys"/> maps a
/// key id to a base64 secret of at least 32 bytes; links are signed with <see cref="ActiveKeyId"/> and
/// verified with whichever key id they name, so a key can be rotated by adding a new one, making it
/// active, and removing the old one once its links have expired.
/// </summary>
public sealed class ProviderLinkOptions : IValidatableObject
{
    public const string SectionName = "Mets:ProviderLinks";
    public const int MinimumKeyBytes = 32;

    /// <summary>The page providers open, e.g. <c>https://mets.example.org/provider-responses</c>; the token is appended as a path segment.</summary>
    [Required(ErrorMessage = SectionName + ":BaseUrl is required.")]
    public string BaseUrl { get; set; } = string.Empty;

    [Required(ErrorMessage = SectionName + ":ActiveKeyId is required.")]
    public string ActiveKeyId { get; set; } = string.Empty;

    public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long a link stays valid (default 30 days).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ErrorMessage = SectionName + ":Lifetime must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"{SectionName}:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }

        if (!string.IsNullOrEmpty(ActiveKeyId) && !Keys.ContainsKey(ActiveKeyId))
        {
            yield return new ValidationResult($"{SectionName}:ActiveKeyId must name one of {SectionName}:Keys.", [nameof(ActiveKeyId)]);
        }

        foreach (var (id, secret) in Keys)
        {
            if (!IsKeyId(id))
            {
                yield return new ValidationResult($"{SectionName}:Keys has a key id that is not 1-32 letters, digits, '-' or '_'.", [nameof(Keys)]);
            }

            if (DecodeKey(secret) is not { Length: >= MinimumKeyBytes })
            {
                yield return new ValidationResult($"{SectionName}:Keys:{(IsKeyId(id) ? id : "?")} must be base64 of at least {MinimumKeyBytes} bytes.", [nameof(Keys)]);
            }
        }
    }

    internal static bool IsKeyId(string id) =>
        id.Length is >= 1 and <= 32 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    internal static byte[]? DecodeKey(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        var buffer = new byte[secret.Length];
        return Convert.TryFromBase64String(secret, buffer, out var written) ? buffer[..written] : null;
    }
}
