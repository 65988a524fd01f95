using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Local.Tests.Routing;

/// <summary>
/// Every /api route that takes a JSON body (enumerated from the endpoint data source of the real
/// composition, so a new route is covered) answers problem details for a malformed body (400), an
/// unknown field (400 at its path) and an oversize body (413): never a 500, never an echo.
/// </summary>
public sealed class BodyProblemTests : IClassFixture<LocalEndpointProtectionTests.LocalHostFactory>
{
    private const string Sentinel = "ZQBODY-6610";
    private readonly LocalEndpointProtectionTests.LocalHostFactory _factory;

    public BodyProblemTests(LocalEndpointProtectionTests.LocalHostFactory factory) => _factory = factory;

    [Fact]
    public async Task EveryJsonRoute_MalformedUnknownFieldAndOversizeBodies_AnswerProblemDetails()
    {
        using var client = _factory.CreateClient();
        var key = (await File.ReadAllTextAsync(Path.Combine(_factory.DataFolder, "keys", "api.key"))).Trim();
        var routes = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => (e.RoutePattern.RawText ?? string.Empty).TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)
            .Select(e => Mets.Api.Tests.Routing.RouteCatalog.SamplePath(e.RoutePattern))
            .ToList();
        Assert.True(routes.Count >= 7, "Expected the referral, step and provider-response routes.");

        foreach (var path in routes)
        {
            var malformed = await SendAsync(client, path, key, "{\"a\": \"" + Sentinel);
            await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, path, "$");

            var unknown = await SendAsync(client, path, key, $"{{\"zzUnknown{Sentinel[..2]}\": \"{Sentinel}\"}}");
            await AssertProblemAsync(unknown, HttpStatusCode.BadRequest, path, "$.zzUnknownZQ");

            var oversize = await SendAsync(client, path, key, "{\"a\": \"" + new string('x', 300_000) + Sentinel + "\"}");
            await AssertProblemAsync(oversize, HttpStatusCode.RequestEntityTooLarge, path, errorPath: null);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", key);
        return await client.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string path, string? errorPath)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"POST {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(Sentinel, text, StringComparison.Ordinal);
            if (errorPath is not null)
            {
                using var problem = JsonDocument.Parse(text);
                Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(errorPath, out _), $"POST {path}: no error at {errorPath}: {text}");
            }
        }
    }
}
