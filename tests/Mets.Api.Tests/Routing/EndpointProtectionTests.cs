using System.Net;
using System.Text;
using Mets.Api.Tests.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Api.Tests.Routing;

/// <summary>
/// Enumerates every endpoint the pipeline knows (from the EndpointDataSource), so a new route
/// cannot slip through: anonymous ones must be on the short list below, all others must refuse a
/// request without a key with 401.
/// </summary>
public sealed class EndpointProtectionTests : IAsyncLifetime
{
    /// <summary>The only route patterns allowed to be anonymous (issue 5).</summary>
    internal static readonly string[] AnonymousPrefixes =
    [
        "/health",
        "/api/provider-responses/{token}",
        "/openapi/{documentName}.json",
        "/scalar",
    ];

    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(ProbeEndpoints.Map);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void EveryAnonymousEndpoint_IsOnTheAllowList()
    {
        var anonymous = RouteEndpoints(_host.App).Where(IsAnonymous).Select(e => Normalize(e.RoutePattern.RawText)).ToList();

        Assert.NotEmpty(anonymous);
        Assert.All(anonymous, pattern => Assert.Contains(AnonymousPrefixes, prefix => pattern.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EveryOtherEndpoint_NoKey_Answers401()
    {
        var protectedEndpoints = RouteEndpoints(_host.App).Where(e => !IsAnonymous(e)).ToList();
        var refused = new List<string>();

        foreach (var endpoint in protectedEndpoints)
        {
            foreach (var method in Methods(endpoint))
            {
                using var request = ApiTestHost.Request(new HttpMethod(method), SamplePath(endpoint.RoutePattern));
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await _host.Client.SendAsync(request);
                Assert.True(
                    response.StatusCode == HttpStatusCode.Unauthorized,
                    $"{method} {endpoint.RoutePattern.RawText} answered {(int)response.StatusCode} without a key.");
                refused.Add($"{method} {endpoint.RoutePattern.RawText}");
            }
        }

        // The probe endpoints of the api and management groups and the ungrouped one, at least.
        Assert.True(refused.Count >= 8, "Only refused: " + string.Join(", ", refused));
    }

    internal static IEnumerable<RouteEndpoint> RouteEndpoints(WebApplication app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    internal static bool IsAnonymous(Endpoint endpoint) => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    internal static IEnumerable<string> Methods(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET"];

    /// <summary>A value the parameter's constraints accept (ids are 32 or 64 hex digits), so the request reaches the route itself.</summary>
    private static string SampleValue(RoutePatternParameterPart parameter)
    {
        var constraints = string.Join(' ', parameter.ParameterPolicies.Select(p => p.Content));
        return constraints.Contains("{64}", StringComparison.Ordinal) ? new string('a', 64)
            : constraints.Contains("{32}", StringComparison.Ordinal) ? new string('b', 32)
            : "sample-1";
    }

    /// <summary>The route with every parameter replaced by a plausible value.</summary>
    internal static string SamplePath(RoutePattern pattern)
    {
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

    private static string Normalize(string? raw) => "/" + (raw ?? string.Empty).TrimStart('/');
}
