using System.Net;
using System.Text.Json;
using Mets.Api.Logging;
using Mets.Api.Tests.Hosting;

namespace Mets.Api.Tests.Problems;

public sealed class ProblemDetailsTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(ProbeEndpoints.Map);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task UnknownRoute_WithKey_Answers404ProblemDetails()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/no-such-route", ApiTestHost.UserKey));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownRoute_WithoutKey_Answers401SoTheRouteMapStaysHidden()
    {
        // The fallback policy also covers requests no endpoint matched: a caller without a key
        // cannot probe which routes exist.
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/no-such-route"));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongMethod_Answers405ProblemDetails()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Delete, "/api/probe/actor", ApiTestHost.UserKey));

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    /// <summary>Found by the HTTP fuzzer (docs/reliability.md): a caller that does not accept JSON got the framework's
    /// text/plain "Status Code: 404" for a bodiless 4xx.</summary>
    [Theory]
    [InlineData("text/html")]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task BodilessStatus_CallerNotAcceptingJson_StillGetsProblemDetails(string accept)
    {
        using var unknown = ApiTestHost.Request(HttpMethod.Get, "/api/no-such-route", ApiTestHost.UserKey);
        unknown.Headers.Accept.ParseAdd(accept);
        using var wrongMethod = ApiTestHost.Request(HttpMethod.Delete, "/api/probe/actor", ApiTestHost.UserKey);
        wrongMethod.Headers.Accept.ParseAdd(accept);

        var notFound = await AssertProblemAsync(await _host.Client.SendAsync(unknown), HttpStatusCode.NotFound);
        var notAllowed = await AssertProblemAsync(await _host.Client.SendAsync(wrongMethod), HttpStatusCode.MethodNotAllowed);

        Assert.False(string.IsNullOrWhiteSpace(notFound.GetProperty("detail").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(notAllowed.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task HandlerThrows_Answers500WithoutDetails()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/throw", ApiTestHost.UserKey));

        var problem = await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        var text = problem.GetRawText();
        Assert.DoesNotContain(ProbeEndpoints.Sentinel, text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1970", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Equal("The request could not be completed.", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task HandlerThrows_LogsTypesAndStackFrames_NeverTheMessages()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/throw", ApiTestHost.UserKey));

        var record = Assert.Single(_host.Logs.GetSnapshot(), r => r.Message.StartsWith("Unhandled", StringComparison.Ordinal));
        Assert.Contains("System.InvalidOperationException", record.Message, StringComparison.Ordinal);
        Assert.Contains("/api/probe/throw", record.Message, StringComparison.Ordinal);
        var logged = Assert.IsType<RedactedException>(record.Exception);
        var text = logged.ToString();
        Assert.StartsWith("System.InvalidOperationException: (message redacted) ---> System.FormatException: (message redacted)", text, StringComparison.Ordinal);
        Assert.Contains("ProbeEndpoints.ParseBirthDate()", text, StringComparison.Ordinal); // the inner exception's frame
        Assert.Contains("ProbeEndpoints.ReadMemberRecord()", text, StringComparison.Ordinal); // the outer one's
        Assert.Contains("ProbeEndpoints.ReadMemberRecord()", logged.StackTrace, StringComparison.Ordinal);
        Assert.Empty(logged.Data);
        foreach (var logText in new[] { record.Message, text, logged.Message, logged.InnerException!.Message, string.Join(' ', record.StructuredState ?? []) })
        {
            Assert.DoesNotContain(ProbeEndpoints.Sentinel, logText, StringComparison.Ordinal);
            Assert.DoesNotContain("1970", logText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BadHttpRequest413_KeepsItsStatus()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/too-large", ApiTestHost.UserKey));

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.DoesNotContain(ProbeEndpoints.Sentinel, problem.GetRawText(), StringComparison.Ordinal);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.True(problem.TryGetProperty("type", out _));
        return problem;
    }
}
