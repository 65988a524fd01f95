using Mets.Api.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Mets.Api.Logging;

/// <summary>
/// One log line per request (<see cref="RequestLog"/>): method, route (pattern, with only the route values marked
/// loggable), how many query parameters it had, status, actor and duration. Never a body, a header, a key or a token.
/// </summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger, TimeProvider timeProvider)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = timeProvider.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var elapsed = Math.Round(timeProvider.GetElapsedTime(started).TotalMilliseconds, 1);
                var route = DescribeRoute(context);
                var query = RequestLog.DescribeQuery(context.Request.Query);
                var actor = context.FindActor()?.UserName ?? "anonymous";
                RequestLog.Write(logger, context.Request.Method, route, query, context.Response.StatusCode, actor, elapsed);
            }
        }
    }

    /// <summary>
    /// The route as the log may show it. A value is shown only for a name marked loggable on the endpoint
    /// (<see cref="LoggedRouteValuesMetadata"/>), whose route constraint already limits it to an id.
    /// </summary>
    internal static string DescribeRoute(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return RequestLog.DescribeUnmatched(context.Request.Path);
        }

        var loggable = endpoint.Metadata.GetMetadata<LoggedRouteValuesMetadata>()?.Names ?? [];
        return RequestLog.DescribeRoute(endpoint.RoutePattern, context.Request.RouteValues,
            (name, _) => loggable.Contains(name, StringComparer.OrdinalIgnoreCase));
    }
}
