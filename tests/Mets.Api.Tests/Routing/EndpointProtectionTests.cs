using System.Net;
using System.Text;
using Mets.Api.Tests.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Api.Tests.Routing;

/// <summary>
/// Enumerates every endpoint the pipeline knows (<see cref="RouteCatalog"/> over the EndpointDataSource), so a new
/// route cannot slip through: anonymous ones must be routes anonymous by design, all others must refuse a request
/// without a key, or with a wrong one, with 401.
/// </summary>
public sealed class EndpointProtectionTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(ProbeEndpoints.Map);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IReadOnlyList<HostRoute> Routes() => RouteCatalog.FromEndpoints(_host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints);

    [Fact]
    public void EveryAnonymousEndpoint_IsAnonymousByDesign()
    {
        var anonymous = Routes().Where(r => r.MarkedAnonymous).ToList();

        Assert.NotEmpty(anonymous);
        Assert.All(anonymous, route => Assert.True(route.AnonymousByDesign, $"{route} is anonymous"));
    }

    [Fact]
    public async Task EveryOtherEndpoint_NoKeyOrAWrongKey_Answers401()
    {
        var refused = new List<string>();
        foreach (var route in Routes().Where(r => !r.MarkedAnonymous))
        {
            foreach (var key in new[] { null, "not-a-key-of-this-host-0123456789" })
            {
                using var request = ApiTestHost.Request(new HttpMethod(route.Method), route.SamplePath, key);
                if (route.Method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await _host.Client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                    $"{route} answered {(int)response.StatusCode} {(key is null ? "without a key" : "with a wrong key")}.");
            }

            refused.Add(route.ToString());
        }

        // The probe endpoints of the api and management groups and the ungrouped one, at least.
        Assert.True(refused.Count >= 8, "Only refused: " + string.Join(", ", refused));
    }
}
