using System.Net;
using System.Text;
using Mets.Api.Tests.Hosting;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Api.Tests.Logging;

/// <summary>
/// Sends requests carrying distinctive sentinels in every place a secret or a member's details
/// could travel (path token, code query, key header, body, exception message, unknown path) and
/// scans every captured log record (message, exception, state, scopes) at Trace level.
/// </summary>
public sealed class RequestLoggingTests : IAsyncLifetime
{
    private const string Sentinel = ProbeEndpoints.Sentinel;

    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(ProbeEndpoints.Map);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Requests_WithSecretsEverywhere_LogsContainNone()
    {
        var token = "tok-" + Sentinel;
        var json = new StringContent($"{{ \"text\": \"{Sentinel}\", \"weeks\": \"{Sentinel}\", \"{Sentinel}\": 1 }}", Encoding.UTF8, "application/json");
        string[] secrets = [Sentinel, ApiTestHost.UserKey, ApiTestHost.SecondUserKey, ApiTestHost.AdminKey];

        await SendAsync(HttpMethod.Get, $"/api/provider-responses/{token}/probe");
        await SendAsync(HttpMethod.Post, $"/api/provider-responses/{token}/probe", content: json);
        await SendAsync(HttpMethod.Post, $"/api/provider-responses/{token}/probe", content: new StringContent("{\"text\": \"" + Sentinel, Encoding.UTF8, "application/json"));
        await SendAsync(HttpMethod.Get, $"/api/probe/actor?code={ApiTestHost.UserKey}&member={Sentinel}");
        await SendAsync(HttpMethod.Get, $"/api/probe/actor?code=wrong-{Sentinel}");
        await SendAsync(HttpMethod.Get, "/api/probe/actor", key: "wrong-" + Sentinel);
        await SendAsync(HttpMethod.Get, "/api/probe/actor", key: ApiTestHost.SecondUserKey);
        await SendAsync(HttpMethod.Get, "/runtime/webhooks/durabletask/probe/instances", key: ApiTestHost.AdminKey);
        await SendAsync(HttpMethod.Post, "/api/probe/referrals", ApiTestHost.UserKey, new StringContent($"{{ \"referralId\": \"{Sentinel}\", \"x\": \"{Sentinel}\" }}", Encoding.UTF8, "application/json"));
        await SendAsync(HttpMethod.Get, "/api/probe/throw", ApiTestHost.UserKey);
        await SendAsync(HttpMethod.Get, "/api/probe/too-large", ApiTestHost.UserKey);
        await SendAsync(HttpMethod.Get, $"/api/{Sentinel}/unknown", ApiTestHost.UserKey);
        await SendAsync(HttpMethod.Get, $"/{Sentinel}", ApiTestHost.UserKey);
        await SendAsync(HttpMethod.Get, "/api/probe/engagements/ENG-42", ApiTestHost.UserKey);

        var records = _host.Logs.GetSnapshot();
        var leaks = records
            .SelectMany(record => Texts(record).Select(text => (record, text)))
            .Where(item => secrets.Any(secret => item.text.Contains(secret, StringComparison.Ordinal)))
            .Select(item => $"{item.record.Category}: {item.text}")
            .ToList();
        Assert.True(leaks.Count == 0, "Leaked into logs:\n" + string.Join('\n', leaks));

        // The request log did run, and shows what it may.
        var lines = records.Where(r => r.Category is not null && r.Category.EndsWith("RequestLoggingMiddleware", StringComparison.Ordinal)).Select(r => r.Message).ToList();
        Assert.Equal(14, lines.Count);
        Assert.Contains(lines, l => l.Contains("GET /api/provider-responses/{token}/probe answered 200 for anonymous", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /api/probe/actor?(2 query parameters) answered 200 for clinician.one", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /api/probe/engagements/ENG-42 answered 200", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /runtime/webhooks/durabletask/probe/instances answered 200 for admin", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /api/... (unmatched) answered 404", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /api/probe/throw answered 500", StringComparison.Ordinal));
    }

    private async Task SendAsync(HttpMethod method, string path, string? key = null, HttpContent? content = null)
    {
        using var request = ApiTestHost.Request(method, path, key, content);
        using var response = await _host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Sentinel, body, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Texts(FakeLogRecord record)
    {
        yield return record.Message;
        if (record.Exception is not null)
        {
            yield return record.Exception.ToString();
        }

        foreach (var (key, value) in record.StructuredState ?? [])
        {
            yield return $"{key}={value}";
        }

        foreach (var scope in record.Scopes)
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    yield return $"{key}={value}";
                }
            }

            yield return scope?.ToString() ?? string.Empty;
        }
    }
}
