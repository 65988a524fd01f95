using System.Net;
using System.Text;
using Mets.Api.Tests.Hosting;
using Mets.Api.Tests.Problems;

namespace Mets.Api.Tests.Json;

public sealed class RequestBodyHttpTests : IAsyncLifetime
{
    private const string Body = """
        { "referralId": "R-1", "member": { "memberId": "M-1", "dateOfBirth": "1980-02-03" }, "goals": [], "urgency": "routine" }
        """;

    private ApiTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(
        ProbeEndpoints.Map,
        new Dictionary<string, string?> { ["Mets:Api:MaxJsonBodyBytes"] = "2048" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(HttpContent content) =>
        _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Post, "/api/probe/referrals", ApiTestHost.UserKey, content));

    [Fact]
    public async Task Post_ValidBody_HandlerGetsValueAndActor()
    {
        using var response = await PostAsync(new StringContent(Body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("/api/engagements/R-1", response.Headers.Location?.ToString());
        Assert.Contains(ApiTestHost.UserName, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnknownField_Answers400WithFieldError()
    {
        using var response = await PostAsync(new StringContent(Body.Replace("\"goals\"", $"\"ssn\": \"{ProbeEndpoints.Sentinel}\", \"goals\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.ssn", out _));
        Assert.DoesNotContain(ProbeEndpoints.Sentinel, problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_MalformedJson_Answers400()
    {
        using var response = await PostAsync(new StringContent("{\"referralId\": ", Encoding.UTF8, "application/json"));

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$", out _));
    }

    [Fact]
    public async Task Post_OverTheCapWithLength_Answers413()
    {
        var padded = Body.Replace("\"R-1\"", "\"" + new string('x', 4096) + "\"", StringComparison.Ordinal);

        using var response = await PostAsync(new StringContent(padded, Encoding.UTF8, "application/json"));

        await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Post_OverTheCapChunked_Answers413()
    {
        var padded = Encoding.UTF8.GetBytes(Body.Replace("\"R-1\"", "\"" + new string('x', 4096) + "\"", StringComparison.Ordinal));
        using var content = new StreamContent(new NoLengthStream(padded));
        content.Headers.ContentType = new("application/json");

        using var response = await PostAsync(content);

        await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Post_NotJson_Answers415()
    {
        using var response = await PostAsync(new StringContent(Body, Encoding.UTF8, "text/plain"));

        await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Post_EmptyBody_Answers400()
    {
        using var response = await PostAsync(new StringContent(string.Empty, Encoding.UTF8, "application/json"));

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("A JSON body is required.", problem.GetProperty("errors").GetProperty("$")[0].GetString());
    }

    [Fact]
    public async Task Response_EnumValue_WrittenAsCamelCaseName()
    {
        using var response = await _host.Client.SendAsync(ApiTestHost.Request(HttpMethod.Get, "/api/probe/urgency", ApiTestHost.UserKey));

        Assert.Equal("{\"urgency\":\"urgent\"}", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A stream that will not tell its length, so the body is sent without Content-Length.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
