using System.Globalization;
using Mets.Domain.Identifiers;
using Mets.Workflow.Links;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Reports.Feedback;

/// <summary>What a valid scorecard link grants: one provider's scorecard over one period, until it expires.</summary>
public sealed record ScorecardLink(Npi Provider, DateOnly From, DateOnly To, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs and verifies the links in provider feedback emails (envelope: <see cref="SignedToken"/>), payload
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

    public string CreateToken(Npi provider, DateOnly from, DateOnly to, DateTimeOffset issuedAt) =>
        SignedToken.Create(keys.Value, Version, provider.Value, Date(from), Date(to),
            (issuedAt + options.Value.LinkLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

    public Uri CreateLink(Npi provider, DateOnly from, DateOnly to, DateTimeOffset issuedAt) =>
        new(BaseUrl + "/" + CreateToken(provider, from, to, issuedAt));

    public ProviderLinkRejection Verify(string? token, out ScorecardLink? link)
    {
        link = null;
        if (!SignedToken.TryOpen(keys.Value, token, Version, out _, out var fields) || fields.Length != 4
            || !Npi.TryParse(fields[0], out var npi)
            || !DateOnly.TryParseExact(fields[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !DateOnly.TryParseExact(fields[2], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
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
