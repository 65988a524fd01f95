using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Local.Tests.Routing;

/// <summary>Mets.Local.http has a request for every route the host maps (taken from the endpoint data source).</summary>
public sealed class HttpFileCoverageTests : IClassFixture<LocalEndpointProtectionTests.LocalHostFactory>
{
    private readonly LocalEndpointProtectionTests.LocalHostFactory _factory;

    public HttpFileCoverageTests(LocalEndpointProtectionTests.LocalHostFactory factory) => _factory = factory;

    [Fact]
    public void HttpFile_HasARequestForEveryRoute()
    {
        using var client = _factory.CreateClient();
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !(e.RoutePattern.RawText ?? string.Empty).TrimStart('/').StartsWith("scalar", StringComparison.Ordinal))
            .ToList();
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "functions", "Mets.Local", "Mets.Local.http"));

        var missing = new List<string>();
        foreach (var endpoint in endpoints)
        {
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var pattern = new Regex("^" + method + @" \{\{baseUrl\}\}" + PathRegex(endpoint.RoutePattern) + @"(\?\S*)?$");
                if (!lines.Any(pattern.IsMatch))
                {
                    missing.Add($"{method} {endpoint.RoutePattern.RawText}");
                }
            }
        }

        Assert.True(endpoints.Count > 15, "The host should map the whole API.");
        Assert.True(missing.Count == 0, "Mets.Local.http has no request for: " + string.Join(", ", missing));
    }

    private static string PathRegex(RoutePattern pattern)
    {
        var builder = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                builder.Append(part switch
                {
                    RoutePatternLiteralPart literal => Regex.Escape(literal.Content),
                    RoutePatternSeparatorPart separator => Regex.Escape(separator.Content),
                    RoutePatternParameterPart => @"[^/?\s]+",
                    _ => string.Empty,
                });
            }
        }

        return builder.Length == 0 ? "/" : builder.ToString();
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Could not find the repository root (Serverless.sln).");
    }
}
