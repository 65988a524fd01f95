using Mets.Api.Logging;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Builder;

namespace Mets.Api;

/// <summary>The request pipeline of the METS API, in its one correct order.</summary>
public static class ApiApplicationBuilderExtensions
{
    /// <summary>
    /// Forwarded headers (the client address, from configured proxies only; off when none is configured) ->
    /// request log (sees the final status) -> exception handler (500 without details,
    /// 4xx for unreadable requests) -> problem details for bodiless 4xx/5xx (404, 405) -> routing ->
    /// authentication -> authorization -> rate limiting. Call before mapping endpoints.
    /// </summary>
    public static IApplicationBuilder UseMetsApi(this IApplicationBuilder app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<UnhandledExceptionMiddleware>();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
