using Mets.Api.Engagements;
using Mets.Api.Health;
using Mets.Api.Problems;
using Mets.FunctionApp.Http;
using Mets.Domain.Identifiers;
using Mets.Workflow.Links;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Infra.Tests.Scripts;

/// <summary>
/// A loopback stand-in for the deployed function app, answering the smoke test's requests the way the app does
/// (its health report, 401 without a valid token, the provider-link page) — or, for the tests that show the script
/// fails, with one flaw (<see cref="StubFlaw"/>). Its routes and who may call them are the function app's own
/// (<see cref="HttpFunctionRoutes"/>), so the script cannot ask for a route the app does not have; refusals are the
/// app's answers (problem details with <c>WWW-Authenticate: Bearer</c> for 401, as MetsHttpMiddleware writes them;
/// the link page's texts from <see cref="CommandAnswers"/>). Provider links are verified with the real
/// <see cref="ProviderLinkSigner"/>, so the script's bash signing is checked against the app's own format.
/// </summary>
internal sealed class AppStub : IAsyncDisposable
{
    public const string KeyId = "k7";

    /// <summary>The signing key the "deployment" stored (base64 of 32 bytes).</summary>
    public static string Key { get; } = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());

    private readonly WebApplication _app;

    private AppStub(WebApplication app, string realLinkToken)
    {
        _app = app;
        RealLinkToken = realLinkToken;
    }

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    /// <summary>The token of a link from a "real" outreach email (the stub shows its page).</summary>
    public string RealLinkToken { get; }

    public static async Task<AppStub> StartAsync(StubFlaw flaw = StubFlaw.None)
    {
        var signer = new ProviderLinkSigner(Options.Create(new ProviderLinkOptions
        {
            BaseUrl = "https://stub.example/api/provider-responses",
            ActiveKeyId = KeyId,
            Keys = { [KeyId] = Key },
        }), TimeProvider.System);
        var known = OutreachId.For(EngagementId.Parse("5f3a8c9d2b7e4a1f9c0d6e8b7a5f4c3d"), Npi.Parse("1234567893"));
        var realToken = signer.CreateToken(known, DateTimeOffset.UtcNow);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        var health = HttpFunctionRoutes.All[HttpFunctionRoutes.GetHealth];
        Assert.Equal(HttpAccess.Anonymous, health.Access);
        app.MapMethods(Path(health), [health.Method], () => TypedResults.Ok(new HealthReport("healthy", "0.1.0", "azure-functions", new Dictionary<string, string>
        {
            ["engine"] = "durable-functions",
            ["cases"] = flaw == StubFlaw.LocalStores ? "sqlite" : "cosmos",
            ["claims"] = flaw == StubFlaw.LocalStores ? "sqlite" : "cosmos",
            ["claimsInbox"] = "blob",
            ["mail"] = flaw == StubFlaw.LocalStores ? "outbox" : "sendgrid",
        })));

        // Staff routes: the app validates Microsoft Entra ID tokens; the smoke test sends none, or one no tenant signed.
        foreach (var staff in HttpFunctionRoutes.All.Values.Where(r => r.Access == HttpAccess.Staff))
        {
            app.MapMethods(Path(staff), [staff.Method], (RequestDelegate)(context => flaw switch
            {
                StubFlaw.AnonymousCallersAllowed => context.Response.WriteAsJsonAsync(Array.Empty<object>()),
                StubFlaw.BareUnauthorized => BareUnauthorizedAsync(context),
                _ => RefuseAsync(context),
            }));
        }

        var page = HttpFunctionRoutes.All[HttpFunctionRoutes.ShowProviderRequest];
        Assert.Equal(HttpAccess.ProviderLink, page.Access);
        app.MapMethods(Path(page), [page.Method], (string token) =>
        {
            if (flaw == StubFlaw.ProviderLinksUnchecked)
            {
                return Page(StatusCodes.Status200OK, "Request");
            }

            if (signer.Verify(token, out var link) != ProviderLinkRejection.None)
            {
                return Page(StatusCodes.Status403Forbidden, CommandAnswers.DetailFor("LinkInvalid"));
            }

            return link!.Outreach == known
                ? Page(StatusCodes.Status200OK, "Request")
                : Page(StatusCodes.Status404NotFound, CommandAnswers.DetailFor("OutreachNotFound"));
        });

        await app.StartAsync();
        return new AppStub(app, realToken);
    }

    /// <summary>The route as requests arrive on it: <c>/api/...</c>.</summary>
    private static string Path(HttpFunctionRoute route) => "/" + route.Pattern.RawText;

    /// <summary>The 401 MetsHttpMiddleware answers without a valid token.</summary>
    private static Task RefuseAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problem.WriteAsync(context, StatusCodes.Status401Unauthorized, "A valid access token is required.");
    }

    private static Task BareUnauthorizedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    private static IResult Page(int status, string text) =>
        Results.Content($"<!doctype html><html><body><p>{text}</p></body></html>", "text/html; charset=utf-8", statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One way the stub differs from a correctly deployed app.</summary>
internal enum StubFlaw
{
    None,

    /// <summary>The API answers callers without a token (authentication not wired).</summary>
    AnonymousCallersAllowed,

    /// <summary>401 without problem details or a WWW-Authenticate challenge (not the app's middleware answering).</summary>
    BareUnauthorized,

    /// <summary>The app runs on its local stores (no Cosmos section, no SendGrid section).</summary>
    LocalStores,

    /// <summary>Any token opens the provider page (links not verified).</summary>
    ProviderLinksUnchecked,
}
