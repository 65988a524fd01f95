using Mets.FunctionApp.Http;
using Mets.Workflow.Reports.Feedback;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// The report functions through the app's middleware on its real container: the outcome report as JSON and CSV for a
/// staff token, the scorecard, the signed scorecard page (anonymous), the dashboard page and its assets (anonymous, no
/// data, nothing external).
/// </summary>
public sealed class ReportFunctionTests : IAsyncLifetime
{
    private static readonly string Clinician = TestTokens.Person(TestTokens.ClinicianObjectId, EntraDefaults.Clinician);

    private FunctionAppTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = FunctionAppTestHost.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<Answer> InvokeAsync(string name, HttpContext http, Func<HttpRequest, FunctionContext, Task<IResult>> function) =>
        _host.InvokeAsync(name, http, (context, _) => function(context.GetHttpContext()!.Request, context));

    [Fact]
    public async Task GetOutcomeReport_StaffToken_JsonAndCsv()
    {
        var json = await InvokeAsync(HttpFunctionRoutes.GetOutcomeReport, FunctionAppTestHost.Request("GET", "/api/reports/outcomes?from=2026-01-01&to=2026-03-31", Clinician),
            (r, c) => ReportFunctions.GetOutcomeReport(r, c, CancellationToken.None));
        var csv = await InvokeAsync(HttpFunctionRoutes.GetOutcomeReport, FunctionAppTestHost.Request("GET", "/api/reports/outcomes?from=2026-01-01&to=2026-03-31&format=csv", Clinician),
            (r, c) => ReportFunctions.GetOutcomeReport(r, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, json.Status);
        Assert.Equal("2026-01-01", json.Json.GetProperty("from").GetString());
        Assert.Equal(11, json.Json.GetProperty("minimumCellCount").GetInt32());
        Assert.Contains(json.Json.GetProperty("sections").EnumerateArray(), s => s.GetProperty("id").GetString() == "funnel");
        Assert.Equal(StatusCodes.Status200OK, csv.Status);
        Assert.StartsWith("text/csv", csv.ContentType, StringComparison.Ordinal);
        Assert.StartsWith("section,key,label,value,unit,suppressed", csv.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOutcomeReport_BadPeriod_400WithFieldErrors()
    {
        var answer = await InvokeAsync(HttpFunctionRoutes.GetOutcomeReport, FunctionAppTestHost.Request("GET", "/api/reports/outcomes?from=2026-13-01&to=2025-01-01", Clinician),
            (r, c) => ReportFunctions.GetOutcomeReport(r, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, answer.Status);
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty("$.from", out _));
    }

    [Fact]
    public async Task GetProviderScorecard_StaffToken_200_BadNpi400()
    {
        var good = await InvokeAsync(HttpFunctionRoutes.GetProviderScorecard, FunctionAppTestHost.Request("GET", "/api/reports/providers/1234567893?from=2026-01-01&to=2026-03-31", Clinician),
            (r, c) => ReportFunctions.GetProviderScorecard(r, "1234567893", c, CancellationToken.None));
        var bad = await InvokeAsync(HttpFunctionRoutes.GetProviderScorecard, FunctionAppTestHost.Request("GET", "/api/reports/providers/1234567890?from=2026-01-01&to=2026-03-31", Clinician),
            (r, c) => ReportFunctions.GetProviderScorecard(r, "1234567890", c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, good.Status);
        Assert.Equal("1234567893", good.Json.GetProperty("npi").GetString());
        Assert.Equal(StatusCodes.Status400BadRequest, bad.Status);
        Assert.True(bad.Json.GetProperty("errors").TryGetProperty("$.npi", out _));
    }

    [Fact]
    public async Task ShowProviderFeedback_SignedLinkAnonymous200_TamperedLink403()
    {
        var links = _host.Services.GetRequiredService<ScorecardLinkSigner>();
        var token = links.CreateToken(Mets.Domain.Identifiers.Npi.Parse("1234567893"), new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31), DateTimeOffset.UtcNow);

        var page = await InvokeAsync(HttpFunctionRoutes.ShowProviderFeedback, FunctionAppTestHost.Request("GET", "/api/provider-feedback/" + token),
            (r, c) => ReportFunctions.ShowProviderFeedback(r, token, c, CancellationToken.None));
        var tampered = await InvokeAsync(HttpFunctionRoutes.ShowProviderFeedback, FunctionAppTestHost.Request("GET", "/api/provider-feedback/x" + token),
            (r, c) => ReportFunctions.ShowProviderFeedback(r, "x" + token, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, page.Status);
        Assert.Contains("METS provider feedback", page.Body, StringComparison.Ordinal);
        Assert.Contains("1234567893", page.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl.ToString());
        Assert.Equal(StatusCodes.Status403Forbidden, tampered.Status);
    }

    [Fact]
    public async Task Dashboard_PageAndAssets_AnonymousWithASelfOnlyPolicy()
    {
        var page = await _host.InvokeAsync(HttpFunctionRoutes.ShowDashboard, FunctionAppTestHost.Request("GET", "/api/dashboard"),
            (c, _) => Task.FromResult(ReportFunctions.ShowDashboard(c.GetHttpContext()!.Request)));
        var script = await _host.InvokeAsync(HttpFunctionRoutes.GetDashboardAsset, FunctionAppTestHost.Request("GET", "/api/dashboard/assets/dashboard.js"),
            (c, _) => Task.FromResult(ReportFunctions.GetDashboardAsset(c.GetHttpContext()!.Request, "dashboard.js")));
        var missing = await _host.InvokeAsync(HttpFunctionRoutes.GetDashboardAsset, FunctionAppTestHost.Request("GET", "/api/dashboard/assets/other.js"),
            (c, _) => Task.FromResult(ReportFunctions.GetDashboardAsset(c.GetHttpContext()!.Request, "other.js")));

        Assert.Equal(StatusCodes.Status200OK, page.Status);
        Assert.StartsWith("text/html", page.ContentType, StringComparison.Ordinal);
        Assert.Contains("dashboard/assets/dashboard.js", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page.Body, StringComparison.Ordinal); // nothing external
        Assert.Contains("script-src 'self'", page.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status200OK, script.Status);
        Assert.StartsWith("text/javascript", script.ContentType, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status404NotFound, missing.Status);
    }
}
