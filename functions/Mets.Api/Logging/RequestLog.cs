using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Logging;

namespace Mets.Api.Logging;

/// <summary>
/// The request log line both hosts write (the local host from <see cref="RequestLoggingMiddleware"/>, the function
/// app from its worker middleware): method, route (pattern, with only the route values marked loggable), how many
/// query parameters it had (never their names or values, so a <c>code</c> key never appears), status, actor and
/// duration. Never a body, a header, a key or a token.
/// </summary>
internal static partial class RequestLog
{
    private static readonly string[] KnownFirstSegments = ["api", "runtime", "openapi", "scalar", "health"];

    /// <summary>
    /// The route as the log may show it: literals as they are, a parameter as <c>{name}</c> unless it is loggable
    /// (<paramref name="mayShow"/> says yes for its name and value), then its value.
    /// </summary>
    public static string DescribeRoute(RoutePattern pattern, RouteValueDictionary values, Func<string, object?, bool> mayShow)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(mayShow);
        var builder = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
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
                    case RoutePatternParameterPart parameter when values.TryGetValue(parameter.Name, out var value) && mayShow(parameter.Name, value):
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

    /// <summary>No route matched: the path is the caller's text. Only a known first segment is shown.</summary>
    public static string DescribeUnmatched(PathString path)
    {
        var first = (path.Value ?? "/").TrimStart('/').Split('/', 2)[0];
        return KnownFirstSegments.Contains(first, StringComparer.OrdinalIgnoreCase)
            ? $"/{first.ToLowerInvariant()}/... (unmatched)"
            : "/... (unmatched)";
    }

    /// <summary>Only how many query parameters there were: names and values are the caller's text.</summary>
    public static string DescribeQuery(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"?({query.Count} query parameters)");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "HTTP {Method} {Route}{Query} answered {StatusCode} for {Actor} in {ElapsedMilliseconds} ms")]
    public static partial void Write(ILogger logger, string method, string route, string query, int statusCode, string actor, double elapsedMilliseconds);
}
