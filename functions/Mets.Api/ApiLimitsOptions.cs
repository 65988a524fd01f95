using System.ComponentModel.DataAnnotations;

namespace Mets.Api;

/// <summary>Limits of the HTTP surface, bound from <c>Mets:Api</c>.</summary>
public sealed class ApiLimitsOptions : IValidatableObject
{
    public const string SectionName = "Mets:Api";

    public const long DefaultMaxJsonBodyBytes = 256 * 1024;

    /// <summary>Largest JSON body accepted by <see cref="Json.RequestBody"/> (413 above it).</summary>
    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Mets:Api:MaxJsonBodyBytes must be between {1} and {2}.")]
    public long MaxJsonBodyBytes { get; set; } = DefaultMaxJsonBodyBytes;

    /// <summary>Requests one client address may make to the provider-link routes per window.</summary>
    [Range(1, 100_000, ErrorMessage = "Mets:Api:ProviderLinkPermitLimit must be between {1} and {2}.")]
    public int ProviderLinkPermitLimit { get; set; } = 30;

    /// <summary>Largest claims file accepted by <c>POST /api/claims</c> (413 above it).</summary>
    [Range(1024, 16L * 1024 * 1024 * 1024, ErrorMessage = "Mets:Api:MaxClaimsUploadBytes must be between {1} and {2}.")]
    public long MaxClaimsUploadBytes { get; set; } = DefaultMaxClaimsUploadBytes;

    public const long DefaultMaxClaimsUploadBytes = 256L * 1024 * 1024;

    /// <summary>The provider-link rate limit window.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Mets:Api:ProviderLinkWindow must be between {1} and {2}.")]
    public TimeSpan ProviderLinkWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The reverse proxies (addresses, or CIDR ranges such as <c>10.0.0.0/24</c>) whose <c>X-Forwarded-For</c> names
    /// the client the provider-link limit counts (<see cref="RateLimiting.TrustedProxies"/>). Empty (the default; blank
    /// entries count as none): the header is ignored and the connection's address is the client.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(TrustedProxies[i]) && !RateLimiting.TrustedProxies.TryParse(TrustedProxies[i], out _, out _))
            {
                yield return new ValidationResult(
                    $"Mets:Api:TrustedProxies:{i} must be an IP address or a CIDR range (e.g. 10.0.0.4 or 10.0.0.0/24).", [nameof(TrustedProxies)]);
            }
        }
    }
}
