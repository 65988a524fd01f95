using System.Net;
using System.Text.Json;
using Mets.Local.Tests.Hosting;

namespace Mets.Local.Tests;

[Collection(HostProcessGroup.Name)]
public class HealthTests
{
    [Fact]
    public async Task GetHealth_BuiltHostOnLoopback_ReportsVersionAndStores()
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", body.GetProperty("version").GetString());
        Assert.Equal("local", body.GetProperty("host").GetString());
        Assert.True(body.GetProperty("stores").EnumerateObject().Any());
    }
}
