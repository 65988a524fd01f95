using System.Globalization;
using System.Text;
using Mets.Api.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Logging;

namespace Mets.Api.Logging;

/// <summary>
/// One log line per request: method, route (pattern, with only the route values marked loggable),
/// how many query parameters it had (never their names or values, so a <c>code</c> key never appears),
/// status, actor and duration. Never a body, a header, a key or a token.
/// </summary>
internal sealed partial class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger, TimeProvider timeProvider)
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
                var query = DescribeQuery(context.Request.Query);
                var actor = context.FindActor()?.UserName ?? "anonymous";
                LogRequest(logger, context.Request.Method, route, query, context.Response.StatusCode, actor, elapsed);
            }
        }
    }

    private static readonly string[] KnownFirstSegments = ["api", "runtime", "openapi", "scalar", "health"];

    /// <summary>The route as the log may show it.</summary>
    internal static string DescribeRoute(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            // No route matched: the path is the caller's text. Show only a known first segment.
            var path = context.Request.Path.Value ?? "/";
            var first = path.TrimStart('/').Split('/', 2)[0];
            return KnownFirstSegments.Contains(first, StringComparer.OrdinalIgnoreCase)
                ? $"/{first.ToLowerInvariant()}/... (unmatched)"
                : "/... (unmatched)";
        }

        var loggable = endpoint.Metadata.GetMetadata<LoggedRouteValuesMetadata>()?.Names ?? [];
        var builder = new StringBuilder();
        foreach (var segment in endpoint.RoutePattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        builder.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        builder.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter when loggable.Contains(parameter.Name, StringComparer.OrdinalIgnoreCase)
                        && context.Request.RouteValues.TryGetValue(parameter.Name, out var value):
                        builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                    case RoutePatternParameterPart parameter:
                        builder.Append('{').Append(parameter.Name).Append('}');
                        break;
                }
            }
        }

        return builder.Length == 0 ? "/" : builder.ToString();
    }

    /// <summary>Only how many query parameters there were: names and values are the caller's text.</summary>
    internal static string DescribeQuery(IQueryCollection query) =>
        query.Count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"?({query.Count} query parameters)");

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "HTTP {Method} {Route}{Query} answered {StatusCode} for {Actor} in {ElapsedMilliseconds} ms")]
    private static partial void LogRequest(ILogger logger, string method, string route, string query, int statusCode, string actor, double elapsedMilliseconds);
}
