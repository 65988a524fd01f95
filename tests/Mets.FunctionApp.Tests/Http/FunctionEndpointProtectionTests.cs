using Mets.Api.Tests.Routing;
using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Http;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// Every HTTP function of the built <c>functions.metadata</c> (<see cref="RouteCatalog"/>, shared with the local
/// host's and Mets.Api's tests), so a function added later is covered without touching this test: only the routes
/// anonymous by design (health, the signed provider links) may be reached without a token, and every other one, through
/// the app's worker middleware, answers 401 to a request without a token or with an invalid one, before the function
/// runs.
/// </summary>
public sealed class FunctionEndpointProtectionTests : IAsyncLifetime
{
    private FunctionAppTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = FunctionAppTestHost.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static IReadOnlyList<HostRoute> Functions() => RouteCatalog.FromFunctionsMetadata(FunctionAppBuild.MetadataPath, HttpFunctionRoutes.RoutePrefix);

    [Fact]
    public void FunctionsOpenWithoutAToken_AreOnlyThoseAnonymousByDesign()
    {
        var functions = Functions();
        Assert.Contains(functions, f => f.Template == "/api/health");
        Assert.Contains(functions, f => f.Template == "/api/provider-responses/{token}" && f.Method == "POST");

        // The middleware's table decides who may call: a function it opens to anyone must be anonymous by design, and
        // the other way round.
        Assert.All(functions, function => Assert.True(
            (HttpFunctionRoutes.All[function.Function!].Access is HttpAccess.Anonymous or HttpAccess.ProviderLink) == function.AnonymousByDesign,
            $"{function}: access {HttpFunctionRoutes.All[function.Function!].Access}"));
    }

    public static TheoryData<string, string?> Callers() => new()
    {
        { "no token", null },
        { "not a token", "not-a-jwt" },
        { "expired", TestTokens.Create(new Dictionary<string, object> { ["oid"] = TestTokens.ClinicianObjectId, ["roles"] = new[] { EntraDefaults.Clinician } }, expires: DateTime.UtcNow.AddHours(-1)) },
        { "forged", TestTokens.Create(new Dictionary<string, object> { ["oid"] = TestTokens.ClinicianObjectId, ["roles"] = new[] { EntraDefaults.Clinician } }, key: TestTokens.ForgedKey) },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task EveryOtherFunction_WithoutAValidToken_Answers401BeforeItRuns(string why, string? bearer)
    {
        var refused = new List<string>();
        foreach (var function in Functions().Where(f => !f.AnonymousByDesign))
        {
            var body = function.Method is "POST" ? "{}" : null;
            var answer = await _host.InvokeAsync(function.Function!, FunctionAppTestHost.Request(function.Method, function.SamplePath, bearer, body),
                (_, _) => Task.FromResult<IResult>(TypedResults.Ok("served")));

            Assert.True(answer.Status == StatusCodes.Status401Unauthorized, $"{function} answered {answer.Status} with {why}.");
            Assert.False(answer.FunctionRan, $"{function} ran with {why}.");
            Assert.StartsWith("Bearer", answer.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
            refused.Add(function.ToString());
        }

        Assert.True(refused.Count >= 10, "Only refused: " + string.Join(", ", refused));
    }
}
