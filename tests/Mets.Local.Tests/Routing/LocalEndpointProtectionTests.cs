using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mets.Local.Tests.Routing;

/// <summary>
/// The local host's real composition (its Program.cs) in memory: every endpoint it maps is taken
/// from the EndpointDataSource, so a route added later is covered without touching this test.
/// Anonymous endpoints must be on the allow list; every other one refuses a request without a key.
/// </summary>
public sealed class LocalEndpointProtectionTests : IClassFixture<LocalEndpointProtectionTests.LocalHostFactory>
{
    private static readonly string[] AnonymousPrefixes =
    [
        "/health",
        "/api/provider-responses/{token}",
        "/openapi/{documentName}.json",
        "/scalar",
    ];

    private readonly LocalHostFactory _factory;

    public LocalEndpointProtectionTests(LocalHostFactory factory) => _factory = factory;

    private List<RouteEndpoint> Endpoints()
    {
        using var client = _factory.CreateClient(); // builds the host
        return _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
    }

    [Fact]
    public void AnonymousEndpoints_AreOnlyTheAllowedOnes()
    {
        var anonymous = Endpoints()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => "/" + (e.RoutePattern.RawText ?? string.Empty).TrimStart('/'))
            .ToList();

        Assert.Contains("/health", anonymous);
        Assert.Contains("/openapi/{documentName}.json", anonymous);
        Assert.All(anonymous, pattern => Assert.Contains(AnonymousPrefixes, prefix => pattern.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EveryOtherEndpoint_WithoutKey_Answers401()
    {
        using var client = _factory.CreateClient();
        var requests = Endpoints()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } m ? m : ["GET"])
                .Select(method => (Method: method, Path: SamplePath(e.RoutePattern))))
            .ToList();

        // Each group's prefix, whatever is (or is not yet) mapped under it.
        requests.Add(("GET", "/api/engagements"));
        requests.Add(("POST", "/api/referrals"));
        requests.Add(("GET", "/runtime/webhooks/durabletask/instances"));

        foreach (var (method, path) in requests)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode} without a key.");
        }
    }

    /// <summary>A value the parameter's constraints accept (ids are 32 or 64 hex digits), so the request reaches the route itself.</summary>
    private static string SampleValue(RoutePatternParameterPart parameter)
    {
        var constraints = string.Join(' ', parameter.ParameterPolicies.Select(p => p.Content));
        return constraints.Contains("{64}", StringComparison.Ordinal) ? new string('a', 64)
            : constraints.Contains("{32}", StringComparison.Ordinal) ? new string('b', 32)
            : "sample-1";
    }

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

    /// <summary>The local host's Program in memory, with its own temporary data folder.</summary>
    public sealed class LocalHostFactory : WebApplicationFactory<Program>
    {
        private readonly string _dataFolder = Directory.CreateTempSubdirectory("mets-local-inproc-").FullName;

        public string DataFolder => _dataFolder;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Mets:DataFolder", _dataFolder);

            // Only routing and auth are under test here: without the background services (durable engine,
            // claims inbox) nothing races the container's disposal at class cleanup.
            builder.ConfigureServices(services => services.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>());
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Directory.Exists(_dataFolder))
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
        }
    }
}
