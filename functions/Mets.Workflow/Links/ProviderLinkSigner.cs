using System.Globalization;
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
/// Signs and verifies provider response links (envelope: <see cref="SignedToken"/>), where the payload is <c>v1|keyId|engagementId|npi|outreachId|expiryUnixSeconds</c> for a request link and the same with
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
        var expires = (issuedAt + _options.Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return purpose == ProviderLinkPurpose.CarePlan
            ? SignedToken.Create(_options, Version, outreach.Engagement.Value, outreach.Provider.Value, outreach.Value, expires, CarePlanPurpose)
            : SignedToken.Create(_options, Version, outreach.Engagement.Value, outreach.Provider.Value, outreach.Value, expires);
    }

    /// <summary>The link URL for an outreach (base URL + token; a care-plan link adds <c>/care-plan</c>).</summary>
    public Uri CreateLink(OutreachId outreach, DateTimeOffset issuedAt, ProviderLinkPurpose purpose = ProviderLinkPurpose.Request) =>
        new(_options.BaseUrl.TrimEnd('/') + "/" + CreateToken(outreach, issuedAt, purpose) + (purpose == ProviderLinkPurpose.CarePlan ? "/care-plan" : string.Empty));

    public ProviderLinkRejection Verify(string? token, out ProviderLink? link)
    {
        link = null;
        if (!SignedToken.TryOpen(_options, token, Version, out var keyId, out var fields)
            || fields.Length is not (4 or 5) || (fields.Length == 5 && fields[4] != CarePlanPurpose))
        {
            return ProviderLinkRejection.Invalid;
        }

        if (!EngagementId.TryParse(fields[0], out var engagement) || !Npi.TryParse(fields[1], out var npi)
            || !OutreachId.TryParse(fields[2], out var outreach) || outreach != OutreachId.For(engagement, npi)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            return ProviderLinkRejection.Invalid;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        if (_time.GetUtcNow() >= expires)
        {
            return ProviderLinkRejection.Expired;
        }

        link = new ProviderLink(engagement, npi, outreach, expires, keyId, fields.Length == 5 ? ProviderLinkPurpose.CarePlan : ProviderLinkPurpose.Request);
        return ProviderLinkRejection.None;
    }
}
