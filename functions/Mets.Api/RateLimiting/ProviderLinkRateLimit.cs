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
/// A refused request gets 429 problem details with Retry-After. The local host applies it with ASP.NET Core's
/// rate limiter (the <see cref="PolicyName"/> policy); the function app with <see cref="CreateLimiter"/> in its
/// worker middleware. Both use <see cref="Partition"/> and <see cref="RejectAsync"/>.
/// </summary>
public static class ProviderLinkRateLimit
{
    public const string PolicyName = "provider-links";

    internal static IServiceCollection AddProviderLinkRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PolicyName, Partition);
            limiter.OnRejected = (rejected, _) => new ValueTask(RejectAsync(rejected.HttpContext, rejected.Lease));
        });
        return services;
    }

    /// <summary>A limiter of its own for hosts without ASP.NET Core's rate limiting middleware (the function app).</summary>
    internal static PartitionedRateLimiter<HttpContext> CreateLimiter() => PartitionedRateLimiter.Create<HttpContext, string>(Partition);

    /// <summary>
    /// One fixed window per client address: the connection's, or where a trusted proxy forwarded the request, the
    /// client it names (<see cref="TrustedProxies"/>: both hosts set <c>RemoteIpAddress</c> so before this runs).
    /// </summary>
    internal static RateLimitPartition<string> Partition(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = context.RequestServices.GetRequiredService<IOptions<ApiLimitsOptions>>().Value;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.ProviderLinkPermitLimit,
            Window = limits.ProviderLinkWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>The 429 answer: Retry-After in whole seconds when the limiter knows it, and problem details.</summary>
    internal static async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        await Problem.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            "Too many requests from this address.",
            "Wait and try again later.").ConfigureAwait(false);
    }
}
