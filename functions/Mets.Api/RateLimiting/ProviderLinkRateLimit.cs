using System.Globalization;
using System.Threading.RateLimiting;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.Api.RateLimiting;

/// <summary>
/// The anonymous provider-link routes are limited per client address with a fixed window
/// (<c>Mets:Api:ProviderLinkPermitLimit</c> requests per <c>Mets:Api:ProviderLinkWindow</c>).
/// A refused request gets 429 problem details with Retry-After.
/// </summary>
public static class ProviderLinkRateLimit
{
    public const string PolicyName = "provider-links";

    internal static IServiceCollection AddProviderLinkRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PolicyName, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<ApiLimitsOptions>>().Value;
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.ProviderLinkPermitLimit,
                    Window = limits.ProviderLinkWindow,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter =
                        Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                await Problem.WriteAsync(
                    rejected.HttpContext,
                    StatusCodes.Status429TooManyRequests,
                    "Too many requests from this address.",
                    "Wait and try again later.").ConfigureAwait(false);
            };
        });
        return services;
    }
}
