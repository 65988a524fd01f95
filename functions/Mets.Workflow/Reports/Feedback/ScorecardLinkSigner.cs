using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mets.Domain.Identifiers;
using Mets.Workflow.Links;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Reports.Feedback;

/// <summary>What a valid scorecard link grants: one provider's scorecard over one period, until it expires.</summary>
public sealed record ScorecardLink(Npi Provider, DateOnly From, DateOnly To, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs and verifies the links in provider feedback emails: <c>base64url(payload).base64url(HMAC-SHA256)</c> over
/// <c>scorecard-v1|keyId|npi|from|to|expiryUnixSeconds</c>, with the provider links' keys
/// (<c>Mets:ProviderLinks:Keys</c>, <c>ActiveKeyId</c>). The payload's own version tag keeps the two kinds of link apart:
/// a provider-response token never opens a scorecard and the other way round. Tokens are credentials: never logged.
/// </summary>
public sealed class ScorecardLinkSigner(IOptions<ProviderLinkOptions> keys, IOptions<ProviderFeedbackOptions> options, TimeProvider time)
{
    private const string Version = "scorecard-v1";
    private const string Segment = "provider-feedback";

    /// <summary>The page's base URL (<see cref="ProviderFeedbackOptions.BaseUrl"/>, or derived from the provider links').</summary>
    public string BaseUrl
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(options.Value.BaseUrl))
            {
                return options.Value.BaseUrl.TrimEnd('/');
            }

            var links = keys.Value.BaseUrl.TrimEnd('/');
            var slash = links.LastIndexOf('/');
            return (slash > "https://".Length ? links[..slash] : links) + "/" + Segment;
        }
    }

    public string CreateToken(Npi provider, DateOnly from, DateOnly to, DateTimeOffset issuedAt)
    {
        var keyId = keys.Value.ActiveKeyId;
        var expires = issuedAt + options.Value.LinkLifetime;
        var payload = Encoding.UTF8.GetBytes(string.Join('|', Version, keyId, provider.Value, Date(from), Date(to),
            expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        var signature = HMACSHA256.HashData(ProviderLinkSigner.KeyOf(keys.Value, keyId)!, payload);
        return ProviderLinkSigner.Base64Url(payload) + "." + ProviderLinkSigner.Base64Url(signature);
    }

    public Uri CreateLink(Npi provider, DateOnly from, DateOnly to, DateTimeOffset issuedAt) =>
        new(BaseUrl + "/" + CreateToken(provider, from, to, issuedAt));

    public ProviderLinkRejection Verify(string? token, out ScorecardLink? link)
    {
        link = null;
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return ProviderLinkRejection.Invalid;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || ProviderLinkSigner.FromBase64Url(token[..dot]) is not { } payload || ProviderLinkSigner.FromBase64Url(token[(dot + 1)..]) is not { } signature)
        {
            return ProviderLinkRejection.Invalid;
        }

        string[] parts;
        try
        {
            parts = new UTF8Encoding(false, true).GetString(payload).Split('|');
        }
        catch (DecoderFallbackException)
        {
            return ProviderLinkRejection.Invalid;
        }

        if (parts.Length != 6 || parts[0] != Version || ProviderLinkSigner.KeyOf(keys.Value, parts[1]) is not { } key
            || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), signature)
            || !Npi.TryParse(parts[2], out var npi)
            || !DateOnly.TryParseExact(parts[3], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !DateOnly.TryParseExact(parts[4], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return ProviderLinkRejection.Invalid;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (time.GetUtcNow() >= expires)
        {
            return ProviderLinkRejection.Expired;
        }

        link = new ScorecardLink(npi, from, to, expires);
        return ProviderLinkRejection.None;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
