using System.Net;
using System.Text.Json;
using Mets.Api.Tests.Hosting;

namespace Mets.Api.Tests.Authentication;

public sealed class FunctionsKeyAuthenticationTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(ProbeEndpoints.Map);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ApiRoute_NoKey_Answers401ProblemDetails()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/actor"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("x-functions-key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiRoute_WrongKey_Answers401WithoutEchoingIt()
    {
        const string wrong = "not-a-configured-key-" + ProbeEndpoints.Sentinel;
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/actor", wrong));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(ProbeEndpoints.Sentinel, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ApiTestHost.UserKey, ApiTestHost.UserName)]
    [InlineData(ApiTestHost.SecondUserKey, ApiTestHost.SecondUserName)]
    public async Task ApiRoute_HeaderKey_ActorIsTheKeysUser(string key, string user)
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/actor", key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(user, body.GetProperty("actor").GetString());
        Assert.Equal(user, body.GetProperty("accessor").GetString());
    }

    [Fact]
    public async Task ApiRoute_CodeQuery_ActorIsTheKeysUser()
    {
        using var response = await _host.Client.GetAsync(new Uri($"/api/probe/actor?code={Uri.EscapeDataString(ApiTestHost.SecondUserKey)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ApiTestHost.SecondUserName, body.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task ApiRoute_ValidHeaderWinsOverWrongCode_Succeeds()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/actor?code=wrong", ApiTestHost.UserKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiRoute_AdminKey_Answers403()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/actor", ApiTestHost.AdminKey));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ManagementRoute_UserKey_Answers403()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/runtime/webhooks/durabletask/probe/instances", ApiTestHost.UserKey));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ManagementRoute_AdminKey_Succeeds()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/runtime/webhooks/durabletask/probe/instances", ApiTestHost.AdminKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("admin", body.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task ManagementRoute_NoKey_Answers401()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/runtime/webhooks/durabletask/probe/instances"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RouteOutsideEveryGroup_NoKey_Answers401()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/ungrouped/probe"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ProviderLink_NoKey_IsServed()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/provider-responses/abc123/probe"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
