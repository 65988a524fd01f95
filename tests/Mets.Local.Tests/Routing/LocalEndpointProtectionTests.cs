using System.Net;
using System.Text;
using Mets.Api.Tests.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mets.Local.Tests.Routing;

/// <summary>
/// The local host's real composition (its Program.cs) in memory: every route it maps is taken from the
/// EndpointDataSource (<see cref="RouteCatalog"/>, shared with the function app's and Mets.Api's tests), so a route
/// added later is covered without touching this test. Anonymous routes must be anonymous by design (health, the signed
/// provider links, the OpenAPI document and reference page); every other one refuses a request without a key, or
/// with a wrong one.
/// </summary>
public sealed class LocalEndpointProtectionTests : IClassFixture<LocalEndpointProtectionTests.LocalHostFactory>
{
    private readonly LocalHostFactory _factory;

    public LocalEndpointProtectionTests(LocalHostFactory factory) => _factory = factory;

    private IReadOnlyList<HostRoute> Routes()
    {
        using var client = _factory.CreateClient(); // builds the host
        return RouteCatalog.FromEndpoints(_factory.Services.GetRequiredService<EndpointDataSource>().Endpoints);
    }

    [Fact]
    public void AnonymousRoutes_AreOnlyThoseAnonymousByDesign()
    {
        var anonymous = Routes().Where(r => r.MarkedAnonymous).ToList();

        Assert.Contains(anonymous, r => r.Template == "/health");
        Assert.Contains(anonymous, r => r.Template == "/api/provider-responses/{token}" && r.Method == "POST");
        Assert.Contains(anonymous, r => r.Template == "/openapi/{documentname}.json");
        Assert.All(anonymous, route => Assert.True(route.AnonymousByDesign, $"{route} is anonymous"));
    }

    [Fact]
    public async Task EveryOtherRoute_NoKeyOrAWrongKey_Answers401()
    {
        using var client = _factory.CreateClient();
        var routes = Routes().Where(r => !r.MarkedAnonymous).Select(r => (r.Method, Path: r.SamplePath)).ToList();
        Assert.Contains(routes, r => r == ("POST", "/api/claims"));
        Assert.Contains(routes, r => r.Path.StartsWith("/runtime/webhooks/durabletask/", StringComparison.Ordinal));

        // Each group's prefix, whatever is (or is not yet) mapped under it.
        routes.Add(("GET", "/api/engagements"));
        routes.Add(("POST", "/api/referrals"));
        routes.Add(("GET", "/runtime/webhooks/durabletask/instances"));

        foreach (var (method, path) in routes)
        {
            foreach (var key in new[] { null, "not-a-key-of-this-host-0123456789" })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
                if (key is not null)
                {
                    request.Headers.Add("x-functions-key", key);
                }

                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                    $"{method} {path} answered {(int)response.StatusCode} {(key is null ? "without a key" : "with a wrong key")}.");
            }
        }
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
