using Mets.Api.Logging;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Mets.Api;

/// <summary>The request pipeline of the METS API, in its one correct order.</summary>
public static class ApiApplicationBuilderExtensions
{
    /// <summary>
    /// Forwarded headers (the client address, from configured proxies only; off when none is configured) ->
    /// request log (sees the final status) -> exception handler (500 without details,
    /// 4xx for unreadable requests) -> problem details for bodiless 4xx/5xx (404, 405, 415; JSON whatever the Accept
    /// header lists) -> routing ->
    /// authentication -> authorization -> rate limiting. Call before mapping endpoints.
    /// </summary>
    public static IApplicationBuilder UseMetsApi(this IApplicationBuilder app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<UnhandledExceptionMiddleware>();
        app.UseStatusCodePages(context => WriteStatusCodeProblemAsync(context.HttpContext));
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// The body of a 4xx/5xx that has none (no route matched, a method or a media type the route does not take):
    /// problem details with a fixed title and detail per status, whatever the caller's Accept header lists (the
    /// framework's default writer answers text/plain to a caller that does not accept JSON).
    /// </summary>
    private static Task WriteStatusCodeProblemAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (title, detail) = status switch
        {
            StatusCodes.Status404NotFound => ("Not found.", "Nothing is at this address: check the route and the id (engagement ids are 32 hex digits)."),
            StatusCodes.Status405MethodNotAllowed => ("The method is not allowed on this route.", "See /openapi/v1.json for the methods each route takes."),
            StatusCodes.Status415UnsupportedMediaType => ("The body's media type is not accepted.",
                "Send the Content-Type this route takes: application/json (referrals also application/fhir+json; provider responses also application/x-www-form-urlencoded)."),
            _ => (ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request failed.", (string?)null),
        };
        return Problem.WriteAsync(context, status, title, detail);
    }
}
