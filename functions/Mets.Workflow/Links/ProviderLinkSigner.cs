using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mets.Domain.Identifiers;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Links;

/// <summary>Which page a provider link opens: the collaboration request (answered once) or the shared care plan.</summary>
public enum ProviderLinkPurpose
{
    Request,
    CarePlan,
}

/// <summary>What a valid provider link grants: one outreach's page of <paramref name="Purpose"/>, until it expires.</summary>
public sealed record ProviderLink(EngagementId Engagement, Npi Provider, OutreachId Outreach, DateTimeOffset ExpiresAt, string KeyId, ProviderLinkPurpose Purpose = ProviderLinkPurpose.Request);

public enum ProviderLinkRejection
{
    None,

    /// <summary>Not a token this system issued, or altered (bad shape, unknown key id, bad signature).</summary>
    Invalid,

    Expired,
}

/// <summary>
/// Signs and verifies provider response links: <c>base64url(payload).base64url(HMAC-SHA256)</c>, where
/// the payload is <c>v1|keyId|engagementId|npi|outreachId|expiryUnixSeconds</c> for a request link and the same with
/// <c>|care-plan</c> appended for a care-plan link: a link opens only the page it was made for. Tokens are
/// credentials: never log them (this class never does, and its messages never quote one).
/// </summary>
public sealed class ProviderLinkSigner
{
    private const string Version = "v1";
    private const string CarePlanPurpose = "care-plan";
    private readonly ProviderLinkOptions _options;
    private readonly TimeProvider _time;

    public ProviderLinkSigner(IOptions<ProviderLinkOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
    }

    public string CreateToken(OutreachId outreach, DateTimeOffset issuedAt, ProviderLinkPurpose purpose = ProviderLinkPurpose.Request)
    {
        var expires = issuedAt + _options.Lifetime;
        var keyId = _options.ActiveKeyId;
        var payload = string.Join('|', Version, keyId, outreach.Engagement.Value, outreach.Provider.Value, outreach.Value,
            expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        if (purpose == ProviderLinkPurpose.CarePlan)
        {
            payload += "|" + CarePlanPurpose;
        }

        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        var signature = HMACSHA256.HashData(Key(keyId)!, payloadBytes);
        return Base64Url(payloadBytes) + "." + Base64Url(signature);
    }

    /// <summary>The link URL for an outreach (base URL + token; a care-plan link adds <c>/care-plan</c>).</summary>
    public Uri CreateLink(OutreachId outreach, DateTimeOffset issuedAt, ProviderLinkPurpose purpose = ProviderLinkPurpose.Request) =>
        new(_options.BaseUrl.TrimEnd('/') + "/" + CreateToken(outreach, issuedAt, purpose) + (purpose == ProviderLinkPurpose.CarePlan ? "/care-plan" : string.Empty));

    public ProviderLinkRejection Verify(string? token, out ProviderLink? link)
    {
        link = null;
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return ProviderLinkRejection.Invalid;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || FromBase64Url(token[..dot]) is not { } payloadBytes || FromBase64Url(token[(dot + 1)..]) is not { } signature)
        {
            return ProviderLinkRejection.Invalid;
        }

        string[] parts;
        try
        {
            parts = new UTF8Encoding(false, true).GetString(payloadBytes).Split('|');
        }
        catch (DecoderFallbackException)
        {
            return ProviderLinkRejection.Invalid;
        }

        if (parts.Length is not (6 or 7) || (parts.Length == 7 && parts[6] != CarePlanPurpose) || parts[0] != Version || Key(parts[1]) is not { } key
            || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payloadBytes), signature))
        {
            return ProviderLinkRejection.Invalid;
        }

        if (!EngagementId.TryParse(parts[2], out var engagement) || !Npi.TryParse(parts[3], out var npi)
            || !OutreachId.TryParse(parts[4], out var outreach) || outreach != OutreachId.For(engagement, npi)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            return ProviderLinkRejection.Invalid;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        if (_time.GetUtcNow() >= expires)
        {
            return ProviderLinkRejection.Expired;
        }

        link = new ProviderLink(engagement, npi, outreach, expires, parts[1], parts.Length == 7 ? ProviderLinkPurpose.CarePlan : ProviderLinkPurpose.Request);
        return ProviderLinkRejection.None;
    }

    /// <summary>The secret of a configured key id, or null.</summary>
    internal static byte[]? KeyOf(ProviderLinkOptions options, string keyId) =>
        options.Keys.TryGetValue(keyId, out var secret) ? ProviderLinkOptions.DecodeKey(secret) : null;

    private byte[]? Key(string keyId) =>
        _options.Keys.TryGetValue(keyId, out var secret) ? ProviderLinkOptions.DecodeKey(secret) : null;

    /// <summary>base64url without padding (RFC 4648 section 5).</summary>
    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The bytes of a canonical base64url text, or null.</summary>
    internal static byte[]? FromBase64Url(string text)
    {
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return null;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return null;
        }

        // Only the canonical spelling is accepted: the unused low bits of the last character must be zero,
        // so no two different tokens carry the same bytes.
        var bytes = buffer[..written];
        return string.Equals(Base64Url(bytes), text, StringComparison.Ordinal) ? bytes : null;
    }
}
