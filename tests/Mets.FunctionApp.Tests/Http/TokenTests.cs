using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// Who is calling, through the real middleware and JwtBearer handler: a token must be valid (issuer, audience,
/// signature, lifetime) -> else 401 problem; carry a role the route needs -> else 403; and name a mapped caller ->
/// else 403. A valid token's caller becomes the same actor an API key gives on the local host.
/// </summary>
public sealed class TokenTests : IAsyncLifetime
{
    private FunctionAppTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = FunctionAppTestHost.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>GET /api/queue (staff) with this bearer token; the function answers with the caller's queue.</summary>
    private Task<Answer> QueueAsync(string? token) =>
        _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue", token),
            (context, client) => QueueFunctions.GetWorkQueue(context.GetHttpContext()!.Request, client, context, CancellationToken.None));

    [Fact]
    public async Task ValidToken_MappedClinician_RunsAsThatUser()
    {
        var answer = await QueueAsync(TestTokens.Person(TestTokens.ClinicianObjectId, EntraDefaults.Clinician));

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.True(answer.FunctionRan);
        Assert.Equal(TestTokens.ClinicianUser, answer.Json.GetProperty("view").GetString());
    }

    [Fact]
    public async Task NoToken_Answers401Problem()
    {
        var answer = await QueueAsync(null);

        Assert.Equal(StatusCodes.Status401Unauthorized, answer.Status);
        Assert.Equal("A valid access token is required.", answer.ProblemTitle);
        Assert.Equal("Bearer", answer.Headers.WWWAuthenticate.ToString());
        Assert.False(answer.FunctionRan);
    }

    public static TheoryData<string, string> InvalidTokens() => new()
    {
        { "expired", TestTokens.Create(PersonClaims(), expires: DateTime.UtcNow.AddHours(-1)) },
        { "wrong audience", TestTokens.Create(PersonClaims(), audience: "api://someone-else") },
        { "wrong issuer", TestTokens.Create(PersonClaims(), issuer: $"https://login.microsoftonline.com/{Guid.NewGuid()}/v2.0") },
        { "bad signature", TestTokens.Create(PersonClaims(), key: TestTokens.ForgedKey) },
        { "unsigned", TestTokens.Unsigned(TestTokens.ClinicianObjectId, EntraDefaults.Clinician) },
        { "not yet valid", TestTokens.Create(PersonClaims(), notBefore: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2)) },
        { "not a token", "not-a-jwt" },
    };

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task InvalidToken_Answers401Problem(string why, string token)
    {
        var answer = await QueueAsync(token);

        Assert.True(answer.Status == StatusCodes.Status401Unauthorized, $"{why}: {answer.Status}");
        Assert.Equal("A valid access token is required.", answer.ProblemTitle);
        Assert.Equal("Bearer error=\"invalid_token\"", answer.Headers.WWWAuthenticate.ToString());
        Assert.False(answer.FunctionRan);
    }

    [Fact]
    public async Task ValidToken_WithoutAStaffRole_Answers403()
    {
        var noRole = await QueueAsync(TestTokens.Person(TestTokens.ClinicianObjectId));
        var referralSource = await QueueAsync(TestTokens.Person(TestTokens.ClinicianObjectId, EntraDefaults.ReferralSource));

        Assert.Equal(StatusCodes.Status403Forbidden, noRole.Status);
        Assert.Equal("This caller's roles do not open this route.", noRole.ProblemTitle);
        Assert.Equal(StatusCodes.Status403Forbidden, referralSource.Status);
        Assert.False(noRole.FunctionRan || referralSource.FunctionRan);
    }

    [Fact]
    public async Task ValidToken_CallerNotMapped_Answers403()
    {
        var answer = await QueueAsync(TestTokens.Person(TestTokens.StrangerObjectId, EntraDefaults.Supervisor));

        Assert.Equal(StatusCodes.Status403Forbidden, answer.Status);
        Assert.Equal("This caller is not a METS user.", answer.ProblemTitle);
        Assert.False(answer.FunctionRan);
    }

    [Fact]
    public async Task PersonUsingTheDaemonsClientApp_IsNotTheDaemon()
    {
        // A delegated token names the client app it came through in azp: that must not make the person the daemon.
        var token = TestTokens.Create(new Dictionary<string, object>
        {
            ["oid"] = TestTokens.StrangerObjectId,
            ["sub"] = "pairwise-subject",
            ["scp"] = "access_as_user",
            ["azp"] = TestTokens.DaemonClientId,
            ["roles"] = new[] { EntraDefaults.Clinician },
        });

        var answer = await QueueAsync(token);

        Assert.Equal(StatusCodes.Status403Forbidden, answer.Status);
        Assert.Equal("This caller is not a METS user.", answer.ProblemTitle);
    }

    [Fact]
    public async Task SupervisorToken_IsTheSupervisorActor()
    {
        var answer = await _host.InvokeAsync(HttpFunctionRoutes.GetWorkQueue,
            FunctionAppTestHost.Request("GET", "/api/queue?view=supervisor", TestTokens.Person(TestTokens.SupervisorObjectId, EntraDefaults.Supervisor)),
            (context, client) => QueueFunctions.GetWorkQueue(context.GetHttpContext()!.Request, client, context, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal("supervisor", answer.Json.GetProperty("view").GetString());
        Assert.Contains(_host.Logs.GetSnapshot(), r => r.Message.Contains($"for {TestTokens.SupervisorUser} in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DaemonReferralSource_OpensReferralSubmissionOnly()
    {
        var token = TestTokens.Daemon(TestTokens.DaemonClientId, TestTokens.DaemonObjectId, EntraDefaults.ReferralSource);

        var submit = await _host.InvokeAsync(HttpFunctionRoutes.SubmitReferral,
            FunctionAppTestHost.Request("POST", "/api/referrals", token, FunctionTests.Referral("REF-DAEMON-1", "PLAN:M0000777")),
            (context, client) => ReferralFunctions.SubmitReferral(context.GetHttpContext()!.Request, client, context, CancellationToken.None));
        var queue = await QueueAsync(token);

        Assert.Equal(StatusCodes.Status202Accepted, submit.Status);
        Assert.Contains(_host.Logs.GetSnapshot(), r => r.Message.Contains($"answered 202 for {TestTokens.DaemonUser} in", StringComparison.Ordinal));
        Assert.Equal(StatusCodes.Status403Forbidden, queue.Status);
        Assert.Equal("This caller's roles do not open this route.", queue.ProblemTitle);
    }

    [Fact]
    public async Task TokenClaims_NeverBecomeTheActor()
    {
        // A token whose own claims look like an actor (name, the key scheme as authentication method) from a caller
        // no entry maps: the actor comes only from METS's mapping.
        var token = TestTokens.Create(new Dictionary<string, object>
        {
            ["oid"] = TestTokens.StrangerObjectId,
            ["sub"] = "pairwise-subject",
            ["scp"] = "access_as_user",
            ["name"] = TestTokens.ClinicianUser,
            ["unique_name"] = TestTokens.ClinicianUser,
            ["http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod"] = "FunctionsKey",
            ["roles"] = new[] { EntraDefaults.Clinician },
        });

        var answer = await QueueAsync(token);

        Assert.Equal(StatusCodes.Status403Forbidden, answer.Status);
        Assert.Equal("This caller is not a METS user.", answer.ProblemTitle);
    }

    private static Dictionary<string, object> PersonClaims() => new()
    {
        ["oid"] = TestTokens.ClinicianObjectId,
        ["sub"] = "pairwise-subject",
        ["scp"] = "access_as_user",
        ["roles"] = new[] { EntraDefaults.Clinician },
    };
}
