using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mets.Api.Tests.Hosting;

namespace Mets.Api.Tests.OpenApi;

public sealed partial class ApiReferenceTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(ProbeEndpoints.Map);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task OpenApiDocument_Anonymous_DescribesKeySchemeAndRoutes()
    {
        using var response = await _host.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var document = JsonDocument.Parse(text).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("functionsKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("x-functions-key", scheme.GetProperty("name").GetString());

        var paths = document.GetProperty("paths");
        var secured = paths.GetProperty("/api/probe/referrals").GetProperty("post");
        Assert.True(secured.TryGetProperty("security", out _));
        var anonymous = paths.GetProperty("/api/provider-responses/{token}").GetProperty("get");
        Assert.False(anonymous.TryGetProperty("security", out _));
        Assert.True(secured.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(anonymous.GetProperty("responses").TryGetProperty("429", out _));
        Assert.True(paths.GetProperty("/runtime/webhooks/durabletask/instances").GetProperty("get").GetProperty("responses").TryGetProperty("403", out _));
    }

    [Fact]
    public async Task ReferencePage_WithoutTrailingSlash_RedirectsToThePage()
    {
        using var response = await _host.Client.GetAsync(new Uri("/scalar", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.EndsWith("scalar/", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferencePage_Anonymous_LoadsNothingFromOutside()
    {
        using var response = await _host.Client.GetAsync(new Uri("/scalar/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var sources = ScriptOrLinkSource().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.NotEmpty(sources);
        // The page resolves the document against the site root (scalar.aspnetcore.js), i.e. /openapi/v1.json.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        Assert.All(sources, url => Assert.DoesNotMatch("^(https?:)?//", url));
        Assert.DoesNotContain("fonts.", html, StringComparison.OrdinalIgnoreCase);

        // scalar.js falls back to its public request proxy when proxyUrl is absent; it must be set, empty.
        Assert.Contains("\"proxyUrl\":\"\"", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferencePageScripts_ServedLocally()
    {
        using var page = await _host.Client.GetAsync(new Uri("/scalar/", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var scripts = ScriptOrLinkSource().Matches(html).Select(m => m.Groups["url"].Value).Where(u => u.EndsWith(".js", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var uri = new Uri(new Uri("http://localhost/scalar/"), script);
            using var response = await _host.Client.GetAsync(new Uri(uri.PathAndQuery, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var length = (await response.Content.ReadAsByteArrayAsync()).Length;
            Assert.True(length > (script == "scalar.js" ? 1_000_000 : 100), $"{script} is {length} bytes");
        }
    }

    [GeneratedRegex("""(?:src|href)\s*=\s*["'](?<url>[^"']+)["']""")]
    private static partial Regex ScriptOrLinkSource();
}
