using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Mets.Api.Tests.Routing;

/// <summary>
/// One route a host serves, as its own route table lists it: the method, the full pattern, whether the host marks it
/// anonymous (ASP.NET Core's <see cref="IAllowAnonymous"/>; a function app function says nothing, its middleware
/// decides), and for a function its name and the Functions host's authorization level.
/// </summary>
internal sealed record HostRoute(string Method, RoutePattern Pattern, bool MarkedAnonymous, string? Function = null, string? AuthLevel = null)
{
    /// <summary>The pattern with a leading slash, parameters as <c>{name}</c> (constraints dropped), literals lower-case.</summary>
    public string Template => RouteCatalog.Normalize(Pattern);

    /// <summary>A path that reaches this route: every parameter replaced by a value its constraints accept.</summary>
    public string SamplePath => RouteCatalog.SamplePath(Pattern);

    /// <summary>Whether it is one of the routes that need no credentials by design (<see cref="RouteCatalog.AnonymousByDesign"/>).</summary>
    public bool AnonymousByDesign => RouteCatalog.AnonymousByDesign.Any(prefix => Template.StartsWith(prefix, StringComparison.Ordinal));

    public override string ToString() => Function is null ? $"{Method} {Template}" : $"{Method} {Template} ({Function})";
}

/// <summary>
/// Every route of a host, enumerated from what the host itself serves, so a route added later is covered without
/// touching a test: the local host's (and the Mets.Api pipeline's) endpoint data source, and the function app's
/// generated <c>functions.metadata</c>. Shared (linked) by the endpoint-protection tests of Mets.Api, the local host and
/// the function app, and by the function app's route-parity test.
/// </summary>
internal static class RouteCatalog
{
    /// <summary>
    /// The only routes that need no credentials (prefixes of <see cref="HostRoute.Template"/>): health, the signed
    /// provider links and scorecard links (the token is the proof), the dashboard page and its assets (no data: the page
    /// calls the API with the caller's credential), and the local host's OpenAPI document and reference page.
    /// </summary>
    public static readonly string[] AnonymousByDesign =
    [
        "/health",
        "/api/health",
        "/api/provider-responses/{token}",
        "/api/provider-feedback/{token}",
        "/dashboard",
        "/api/dashboard",
        "/openapi/{documentname}.json",
        "/scalar",
    ];

    /// <summary>Every route endpoint of the data sources, one entry per method (GET when the endpoint names none).</summary>
    public static IReadOnlyList<HostRoute> FromEndpoints(IEnumerable<Endpoint> endpoints) =>
    [
        .. from endpoint in endpoints.OfType<RouteEndpoint>()
           from method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET"]
           select new HostRoute(method.ToUpperInvariant(), endpoint.RoutePattern, endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null),
    ];

    /// <summary>Every HTTP-triggered function of a built <c>functions.metadata</c>, one entry per method, under <paramref name="routePrefix"/> (host.json).</summary>
    public static IReadOnlyList<HostRoute> FromFunctionsMetadata(string metadataPath, string routePrefix)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var routes = new List<HostRoute>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            foreach (var trigger in function.GetProperty("bindings").EnumerateArray()
                         .Where(b => string.Equals(b.GetProperty("type").GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase)))
            {
                var pattern = RoutePatternFactory.Parse($"{routePrefix}/{trigger.GetProperty("route").GetString()}");
                foreach (var method in trigger.GetProperty("methods").EnumerateArray())
                {
                    routes.Add(new HostRoute(method.GetString()!.ToUpperInvariant(), pattern, MarkedAnonymous: false,
                        function.GetProperty("name").GetString(), trigger.GetProperty("authLevel").GetString()));
                }
            }
        }

        return routes;
    }

    /// <summary>The route with parameters as <c>{name}</c> (constraints dropped), no trailing slash, literals lower-case.</summary>
    public static string Normalize(RoutePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content.ToLowerInvariant(),
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name.ToLowerInvariant() + "}",
            _ => string.Empty,
        })));
        return "/" + string.Join('/', segments.Where(s => s.Length > 0));
    }

    /// <summary>The route with every parameter replaced by a value its constraints accept (ids are 32 or 64 hex digits, NPIs 10 digits, care-plan items a letter and digits).</summary>
    public static string SamplePath(RoutePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var builder = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                builder.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => SampleValue(parameter),
                    _ => string.Empty,
                });
            }
        }

        return builder.Length == 0 ? "/" : builder.ToString();
    }

    private static string SampleValue(RoutePatternParameterPart parameter)
    {
        var constraints = string.Join(' ', parameter.ParameterPolicies.Select(p => p.Content));
        return constraints.Contains("{64}", StringComparison.Ordinal) ? new string('a', 64)
            : constraints.Contains("{32}", StringComparison.Ordinal) ? new string('b', 32)
            : constraints.Contains("[0-9]{10}", StringComparison.Ordinal) ? "1234567893" // an NPI
            : constraints.Contains("[A-Z][1-9]", StringComparison.Ordinal) ? "C1" // a care-plan item id
            : "sample-1";
    }
}
