using System.Globalization;
using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// What the local host's pipeline adds around its handlers, on the function app's middleware: the provider-link
/// rate limit, exceptions as problem details, and the request log (authorization: <see cref="TokenTests"/>).
/// </summary>
public sealed class CrossCuttingTests : IAsyncLifetime
{
    private const string Sentinel = "ZQX-SENTINEL-7731";

    private static readonly string Clinician = TestTokens.Person(TestTokens.ClinicianObjectId, EntraDefaults.Clinician);

    private FunctionAppTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = FunctionAppTestHost.Start(new Dictionary<string, string?>
        {
            ["Mets:Api:ProviderLinkPermitLimit"] = "3",
            ["Mets:Api:ProviderLinkWindow"] = "01:00:00",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<Answer> ShowLinkAsync(string address, string token = "not-a-signed-token") =>
        _host.InvokeAsync(HttpFunctionRoutes.ShowProviderRequest, FunctionAppTestHost.Request("GET", $"/api/provider-responses/{token}", clientAddress: address,
                routeValues: new Dictionary<string, string> { ["token"] = token }),
            (context, client) => ProviderResponseFunctions.ShowProviderRequest(context.GetHttpContext()!.Request, token, client, context, CancellationToken.None));

    private IEnumerable<string> RequestLogLines() => _host.Logs.GetSnapshot()
        .Where(r => r.Category is not null && r.Category.EndsWith("MetsHttpMiddleware", StringComparison.Ordinal) && r.Message.StartsWith("HTTP ", StringComparison.Ordinal))
        .Select(r => r.Message);

    [Fact]
    public async Task ProviderLinks_OverTheLimit_Answer429PerAddress()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await ShowLinkAsync("198.51.100.1")).FunctionRan);
        }

        var refused = await ShowLinkAsync("198.51.100.1");
        var post = await _host.InvokeAsync(HttpFunctionRoutes.RecordProviderResponse,
            FunctionAppTestHost.Request("POST", "/api/provider-responses/t", body: """{ "response": "willCollaborate" }""", clientAddress: "198.51.100.1"),
            (context, client) => ProviderResponseFunctions.RecordProviderResponse(context.GetHttpContext()!.Request, "t", client, context, CancellationToken.None));
        var other = await ShowLinkAsync("198.51.100.2");

        Assert.Equal(StatusCodes.Status429TooManyRequests, refused.Status);
        Assert.Equal("Too many requests from this address.", refused.ProblemTitle);
        Assert.True(int.Parse(refused.Headers.RetryAfter.ToString(), CultureInfo.InvariantCulture) > 0);
        Assert.False(refused.FunctionRan);
        Assert.Equal(StatusCodes.Status429TooManyRequests, post.Status);
        Assert.True(other.FunctionRan);
    }

    [Fact]
    public async Task StaffRoutes_AreNotLimitedByTheProviderLinkLimit()
    {
        for (var i = 0; i < 6; i++)
        {
            var answer = await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue", Clinician, clientAddress: "198.51.100.9"),
                (context, client) => QueueFunctions.GetWorkQueue(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
            Assert.Equal(StatusCodes.Status200OK, answer.Status);
        }
    }

    [Fact]
    public async Task Exception_InTheFunction_Answers500WithoutDetails()
    {
        var answer = await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue", Clinician),
            (_, _) => ReadMemberRecord());

        Assert.Equal(StatusCodes.Status500InternalServerError, answer.Status);
        Assert.Equal("The request could not be completed.", answer.ProblemTitle);
        Assert.DoesNotContain(Sentinel, answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", answer.Body, StringComparison.Ordinal);
        Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.EmptyHttpResult>(answer.Leftover);

        // The log keeps the type and the frames, not the message.
        var record = Assert.Single(_host.Logs.GetSnapshot(), r => r.Message == "Unhandled System.InvalidOperationException while handling GET api/queue");
        var logged = Assert.IsType<Mets.Api.Logging.RedactedException>(record.Exception).ToString();
        Assert.StartsWith("System.InvalidOperationException: (message redacted)", logged, StringComparison.Ordinal);
        Assert.Contains($"{nameof(CrossCuttingTests)}.{nameof(ReadMemberRecord)}()", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Sentinel, logged, StringComparison.Ordinal);
        Assert.DoesNotContain("1970", logged, StringComparison.Ordinal);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Task<IResult> ReadMemberRecord() => throw new InvalidOperationException($"member {Sentinel} born 1970-01-01");

    [Fact]
    public async Task Exception_WhileWritingTheResult_Answers500()
    {
        var answer = await _host.InvokeAsync(HttpFunctionRoutes.GetHealth, FunctionAppTestHost.Request("GET", "/api/health"),
            (_, _) => Task.FromResult<IResult>(new ThrowingResult()));

        Assert.Equal(StatusCodes.Status500InternalServerError, answer.Status);
        Assert.Equal("The request could not be completed.", answer.ProblemTitle);
        Assert.DoesNotContain(Sentinel, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadableRequest_KeepsIts4xx()
    {
        var answer = await _host.InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, "{}"),
            (_, _) => throw new BadHttpRequestException("too large " + Sentinel, StatusCodes.Status413PayloadTooLarge));

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, answer.Status);
        Assert.Equal("The request body is too large.", answer.ProblemTitle);
        Assert.DoesNotContain(Sentinel, answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnlistedHttpFunction_IsRefused()
    {
        var answer = await _host.InvokeAsync("SomeNewFunction", FunctionAppTestHost.Request("GET", "/api/new"),
            (_, _) => Task.FromResult<IResult>(TypedResults.Ok("served")));

        Assert.Equal(StatusCodes.Status500InternalServerError, answer.Status);
        Assert.False(answer.FunctionRan);
        Assert.Contains(_host.Logs.GetSnapshot(), r => r.Message.Contains("SomeNewFunction is not listed in HttpFunctionRoutes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestLog_OneLinePerRequest_RouteWithIdsOnly_FinalStatus()
    {
        var id = "0123456789abcdef0123456789abcdef";
        await _host.InvokeAsync(HttpFunctionRoutes.GetEngagement,
            FunctionAppTestHost.Request("GET", $"/api/engagements/{id}?x=1&y=2", Clinician, routeValues: new Dictionary<string, string> { ["id"] = id }),
            (context, client) => EngagementFunctions.GetEngagement(context.GetHttpContext()!.Request, id, client, context, CancellationToken.None));
        await _host.InvokeAsync(HttpFunctionRoutes.GetEngagement,
            FunctionAppTestHost.Request("GET", $"/api/engagements/{Sentinel}", Clinician, routeValues: new Dictionary<string, string> { ["id"] = Sentinel }),
            (context, client) => EngagementFunctions.GetEngagement(context.GetHttpContext()!.Request, Sentinel, client, context, CancellationToken.None));
        await ShowLinkAsync("198.51.100.20", "tok-" + Sentinel);
        await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue"),
            (context, client) => QueueFunctions.GetWorkQueue(context.GetHttpContext()!.Request, client, context, CancellationToken.None));

        var lines = RequestLogLines().ToList();
        Assert.Equal(4, lines.Count);
        Assert.Matches($"^HTTP GET /api/engagements/{id}\\?\\(2 query parameters\\) answered 404 for clinician\\.one in [0-9.]+ ms$", lines[0]);
        Assert.Matches("^HTTP GET /api/engagements/\\{id\\} answered 404 for clinician\\.one in [0-9.]+ ms$", lines[1]);
        Assert.Matches("^HTTP GET /api/provider-responses/\\{token\\} answered 403 for anonymous in [0-9.]+ ms$", lines[2]);
        Assert.Matches("^HTTP GET /api/queue answered 401 for anonymous in [0-9.]+ ms$", lines[3]);
    }

    [Fact]
    public async Task Logs_CarryNoMemberDataNoTokenNoQuery()
    {
        const string member = "PLAN:ZQSENTINEL4711";
        const string provider = "Dr Sentinel Quillfeather";
        var referral = FunctionTests.Referral("REF-" + Sentinel, member).Replace("Dr Avery Stone", provider, StringComparison.Ordinal);
        var fhir = Mets.Local.Tests.FhirSamples.Bundle("REF-FHIR-" + Sentinel, "PLAN:ZQFHIRSENT01");
        var expired = TestTokens.Create(new Dictionary<string, object> { ["oid"] = TestTokens.ClinicianObjectId, ["name"] = Sentinel }, expires: DateTime.UtcNow.AddHours(-1));
        string[] secrets = [Sentinel, member, provider, "ZQFHIRSENT01", Clinician, expired, TestTokens.ClinicianObjectId];

        var submitted = await _host.InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", $"/api/referrals?member={member}", Clinician, referral),
            (context, client) => ReferralFunctions.SubmitReferral(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
        await _host.InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, fhir, "application/fhir+json"),
            (context, client) => ReferralFunctions.SubmitReferral(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
        await _host.InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, $$"""{ "referralId": "{{Sentinel}}", "memberId": "{{member}}" }"""),
            (context, client) => ReferralFunctions.SubmitReferral(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
        await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", $"/api/queue?clinician={Sentinel}", expired),
            (context, client) => QueueFunctions.GetWorkQueue(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
        await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", $"/api/queue?clinician={Sentinel}", Clinician),
            (context, client) => QueueFunctions.GetWorkQueue(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
        await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue", Clinician),
            (_, _) => throw new InvalidOperationException($"member {member} {provider}"));
        await ShowLinkAsync("198.51.100.30", "tok-" + Sentinel);
        Assert.Equal(StatusCodes.Status202Accepted, submitted.Status);

        var records = _host.Logs.GetSnapshot();
        var leaks = records
            .SelectMany(record => Texts(record).Select(text => (record, text)))
            .Where(item => secrets.Any(secret => item.text.Contains(secret, StringComparison.Ordinal)))
            .Select(item => $"{item.record.Category}: {item.text}")
            .ToList();
        Assert.True(leaks.Count == 0, "Leaked into logs:\n" + string.Join('\n', leaks));
        Assert.Equal(7, RequestLogLines().Count());
        Assert.Contains(RequestLogLines(), l => l.StartsWith("HTTP POST /api/referrals?(1 query parameters) answered 202 for clinician.one", StringComparison.Ordinal));
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

    /// <summary>A result that fails while it writes (a serializer or a broken stream would).</summary>
    private sealed class ThrowingResult : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => throw new InvalidOperationException("writing failed for " + Sentinel);
    }
}
