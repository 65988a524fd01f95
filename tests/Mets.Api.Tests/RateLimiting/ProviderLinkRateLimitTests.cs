using System.Net;
using Mets.Api.Tests.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Mets.Api.Tests.RateLimiting;

public sealed class ProviderLinkRateLimitTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(
        ProbeEndpoints.Map,
        new Dictionary<string, string?>
        {
            ["Mets:Api:ProviderLinkPermitLimit"] = "3",
            ["Mets:Api:ProviderLinkWindow"] = "01:00:00",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpContext> GetFromAsync(string address, string path) => _host.Server.SendAsync(context =>
    {
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
    });

    [Fact]
    public async Task ProviderLink_OverTheLimit_Answers429PerAddress()
    {
        for (var i = 0; i < 3; i++)
        {
            var allowed = await GetFromAsync("10.0.0.1", $"/api/provider-responses/token-{i}/probe");
            Assert.Equal(StatusCodes.Status200OK, allowed.Response.StatusCode);
        }

        var refused = await GetFromAsync("10.0.0.1", "/api/provider-responses/token-4/probe");
        var other = await GetFromAsync("10.0.0.2", "/api/provider-responses/token-5/probe");

        Assert.Equal(StatusCodes.Status429TooManyRequests, refused.Response.StatusCode);
        Assert.Equal("application/problem+json", refused.Response.ContentType);
        Assert.True(int.Parse(refused.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(StatusCodes.Status200OK, other.Response.StatusCode);
    }

    [Fact]
    public async Task ApiRoutes_AreNotLimitedByTheProviderLinkPolicy()
    {
        for (var i = 0; i < 6; i++)
        {
            using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/actor", ApiTestHost.UserKey));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
