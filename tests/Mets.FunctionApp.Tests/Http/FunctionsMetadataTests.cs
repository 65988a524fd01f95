using System.Text.Json;
using Mets.Api;
using Mets.Api.Claims;
using Mets.Api.Health;
using Mets.Api.Routing;
using Mets.Api.Tests.Routing;
using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// The HTTP functions as the Functions host will load them: <c>functions.metadata</c> from the function app's own
/// build output (functions/Mets.FunctionApp/bin/{Configuration}/net10.0, found from this test assembly's folder),
/// compared with the expected functions, with <see cref="HttpFunctionRoutes"/> and with the routes the local host maps.
/// </summary>
public sealed class FunctionsMetadataTests
{
    /// <summary>Every HTTP function the app must have: name, method, route (host.json adds the api prefix).</summary>
    private static readonly (string Name, string Method, string Route)[] Expected =
    [
        ("SubmitReferral", "POST", "referrals"),
        ("GetEngagement", "GET", "engagements/{id}"),
        ("GetEngagementAudit", "GET", "engagements/{id}/audit"),
        ("ListEngagements", "GET", "engagements"),
        ("RecordAssessment", "POST", "engagements/{id}/assessment"),
        ("RecordContactAttempt", "POST", "engagements/{id}/contact-attempts"),
        ("RecordReview", "POST", "engagements/{id}/reviews"),
        ("DecideClosureReview", "POST", "engagements/{id}/closure-review"),
        ("RequestClosure", "POST", "engagements/{id}/closure"),
        ("RecordPeerReview", "POST", "engagements/{id}/outreach/{npi}/peer-review"),
        ("RecordConsent", "POST", "engagements/{id}/consents"),
        ("RevokeConsent", "POST", "engagements/{id}/consents/{itemId}/revocation"),
        ("AddGoal", "POST", "engagements/{id}/care-plan/goals"),
        ("ChangeGoal", "POST", "engagements/{id}/care-plan/goals/{itemId}"),
        ("AddBarrier", "POST", "engagements/{id}/care-plan/barriers"),
        ("ChangeBarrier", "POST", "engagements/{id}/care-plan/barriers/{itemId}"),
        ("AddIntervention", "POST", "engagements/{id}/care-plan/interventions"),
        ("ChangeIntervention", "POST", "engagements/{id}/care-plan/interventions/{itemId}"),
        ("ShareCarePlan", "POST", "engagements/{id}/care-plan/share"),
        ("SearchCommunityResources", "GET", "community-resources"),
        ("AddCareTeamMember", "POST", "engagements/{id}/care-team"),
        ("RecommendLevelOfCare", "POST", "engagements/{id}/care-plan/level-of-care"),
        ("ShowProviderCarePlan", "GET", "provider-responses/{token}/care-plan"),
        ("RecordProviderGoalAnswer", "POST", "provider-responses/{token}/care-plan"),
        ("GetWorkQueue", "GET", "queue"),
        ("GetClaimsFileStatus", "GET", "claims/files/{id}"),
        ("GetClaimsFileAcknowledgment", "GET", "claims/files/{id}/acknowledgment"),
        ("ShowProviderRequest", "GET", "provider-responses/{token}"),
        ("RecordProviderResponse", "POST", "provider-responses/{token}"),
        ("GetHealth", "GET", "health"),
        ("GetOutcomeReport", "GET", "reports/outcomes"),
        ("GetProviderScorecard", "GET", "reports/providers/{npi}"),
        ("ShowProviderFeedback", "GET", "provider-feedback/{token}"),
        ("ShowDashboard", "GET", "dashboard"),
        ("GetDashboardAsset", "GET", "dashboard/assets/{name}"),
    ];

    /// <summary>HTTP functions that call Mets.Api's engagement service and so take the invocation's durable client.</summary>
    private static readonly string[] WithDurableClient =
    [
        "SubmitReferral", "GetEngagement", "RecordAssessment", "RecordContactAttempt", "RecordReview", "DecideClosureReview",
        "RequestClosure", "RecordPeerReview", "GetWorkQueue", "ShowProviderRequest", "RecordProviderResponse",
        "ShareCarePlan", "ShowProviderCarePlan", "RecordProviderGoalAnswer",
        "AddGoal", "ChangeGoal", "AddBarrier", "ChangeBarrier", "AddIntervention", "ChangeIntervention", "AddCareTeamMember",
        "RecommendLevelOfCare",
    ];

    /// <summary>Routes the local host maps that the function app leaves out on purpose (prefix match, normalised).</summary>
    private static readonly (string Method, string RoutePrefix, string Why)[] NotOnTheFunctionApp =
    [
        ("*", "/runtime/webhooks/durabletask", "management: Azure serves Durable Functions' own HTTP API behind the system key"),
        ("*", "/openapi", "the OpenAPI document is the local host's"),
        ("*", "/scalar", "the API reference page is the local host's"),
        ("POST", "/api/claims", "uploads: on Azure claims files arrive by blob upload"),
    ];

    /// <summary>functions.metadata of the function app's build in this test's configuration.</summary>
    private static List<JsonElement> BuiltFunctions()
    {
        Assert.True(File.Exists(FunctionAppBuild.MetadataPath), $"The function app's build output has no {FunctionAppBuild.MetadataPath}.");
        using var document = JsonDocument.Parse(File.ReadAllText(FunctionAppBuild.MetadataPath));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static JsonElement? HttpTrigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Cast<JsonElement?>()
            .FirstOrDefault(b => string.Equals(b!.Value.GetProperty("type").GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase));

    /// <summary>The built HTTP functions (<see cref="RouteCatalog"/>): name, method, route without the host's prefix, authorization level.</summary>
    private static IEnumerable<(string Name, string Method, string Route, string AuthLevel)> BuiltHttpFunctions() =>
        RouteCatalog.FromFunctionsMetadata(FunctionAppBuild.MetadataPath, HttpFunctionRoutes.RoutePrefix)
            .Select(f => (f.Function!, f.Method, f.Pattern.RawText![(HttpFunctionRoutes.RoutePrefix.Length + 1)..], f.AuthLevel!));

    [Fact]
    public void FunctionsMetadata_HasEveryExpectedHttpFunction_AnonymousWithItsRouteAndMethod()
    {
        var built = BuiltHttpFunctions().ToList();

        Assert.Equal(Expected.Select(e => e.Name).Order(), built.Select(b => b.Name).Order());
        foreach (var (name, method, route) in Expected)
        {
            var function = Assert.Single(built, b => b.Name == name);
            Assert.Equal(method, function.Method);
            Assert.Equal(route, function.Route);
            Assert.Equal("Anonymous", function.AuthLevel);
        }
    }

    [Fact]
    public void FunctionsMetadata_DurableClientWhereTheHandlerNeedsTheEngagementService()
    {
        var withClient = BuiltFunctions()
            .Where(f => HttpTrigger(f) is not null)
            .Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "durableClient"))
            .Select(f => f.GetProperty("name").GetString())
            .Order();

        Assert.Equal(WithDurableClient.Order(), withClient);
    }

    [Fact]
    public void RouteTable_MatchesTheBuiltFunctions_AndHostJson()
    {
        var built = BuiltHttpFunctions().Select(b => (b.Name, b.Method, b.Route)).Order();
        var table = HttpFunctionRoutes.All.Values.Select(r => (r.Name, r.Method, r.Route)).Order();
        using var hostJson = JsonDocument.Parse(File.ReadAllText(FunctionAppBuild.RepositoryFile("host.json")));

        Assert.Equal(built, table);
        Assert.Equal(HttpFunctionRoutes.RoutePrefix, hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void Routes_SameAsTheLocalHost_ButTheNamedExclusions()
    {
        var functions = RouteCatalog.FromFunctionsMetadata(FunctionAppBuild.MetadataPath, HttpFunctionRoutes.RoutePrefix)
            .Select(f => (f.Method, Route: f.Function == HttpFunctionRoutes.GetHealth
                ? "/health" // the local host serves /health at the root; the Functions host puts every function under /api
                : f.Function is HttpFunctionRoutes.ShowDashboard or HttpFunctionRoutes.GetDashboardAsset
                    ? f.Template["/api".Length..] // the same: the local host's /dashboard is the function app's /api/dashboard
                    : f.Template))
            .ToHashSet();
        var local = LocalHostRoutes()
            .Where(r => !NotOnTheFunctionApp.Any(x => (x.Method == "*" || x.Method == r.Method) && r.Route.StartsWith(x.RoutePrefix, StringComparison.Ordinal)))
            .ToHashSet();

        Assert.Contains(("GET", "/api/engagements/{id}"), local); // the local routes were read
        Assert.True(local.SetEquals(functions),
            $"Only on the local host: {string.Join(", ", local.Except(functions))}; only on the function app: {string.Join(", ", functions.Except(local))}");
        // Every exclusion stands for something the local host really maps.
        Assert.All(NotOnTheFunctionApp, x => Assert.Contains(LocalHostRoutes(), r => r.Route.StartsWith(x.RoutePrefix, StringComparison.Ordinal)));
    }

    /// <summary>
    /// The local host's routes: Mets.Api's <c>MapMetsApi</c> with the services that decide what it maps (an upload
    /// inbox, as the local host registers), plus /health as the local host maps it, read from the endpoint data sources.
    /// </summary>
    private static List<(string Method, string Route)> LocalHostRoutes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMetsApi(new ConfigurationBuilder().Build());
        builder.Services.AddSingleton<IClaimsUploadInbox>(new Moq.Mock<IClaimsUploadInbox>().Object);
        using var app = builder.Build();
        app.MapHealth("local", new Dictionary<string, string>());
        app.MapMetsApi();
        return [.. RouteCatalog.FromEndpoints(((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)).Select(r => (r.Method, r.Template)).Distinct()];
    }
}
