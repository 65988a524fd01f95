using System.Collections.Frozen;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mets.Api.Dashboard;

/// <summary>
/// The supervisors' dashboard (<c>GET /dashboard</c> and its assets under <c>/dashboard/assets/</c>): a page and its
/// script and style sheet, embedded in this assembly and served by the app itself (nothing from a CDN). The page and
/// its assets hold no data and need no credential; every figure the page shows comes from the <c>/api</c> routes,
/// which the page calls with the credential the supervisor enters (an API key on the local host, an Entra ID access
/// token on Azure), kept in the tab's sessionStorage only (docs/outcomes.md, "Dashboard").
/// </summary>
public static class DashboardEndpoints
{
    public const string PagePath = "/dashboard";

    /// <summary>The assets the page loads, by file name: embedded resource and media type.</summary>
    private static readonly FrozenDictionary<string, (string Resource, string MediaType)> Assets = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["dashboard.js"] = ("Mets.Api.Dashboard.Assets.dashboard.js", "text/javascript; charset=utf-8"),
        ["dashboard.css"] = ("Mets.Api.Dashboard.Assets.dashboard.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string PageResource = "Mets.Api.Dashboard.Assets.index.html";

    /// <summary>Scripts and styles from this app only; API calls to this app only; no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var dashboard = app.MapGroup(PagePath).AllowAnonymous().WithTags("Dashboard").ExcludeFromDescription();
        dashboard.MapGet(string.Empty, ShowDashboard).WithName("ShowDashboard");
        dashboard.MapGet("/assets/{name}", GetDashboardAsset).WithName("GetDashboardAsset");
        return app;
    }

    internal static IResult ShowDashboard(HttpContext context) => Embedded(context, PageResource, "text/html; charset=utf-8");

    internal static IResult GetDashboardAsset(string name, HttpContext context) =>
        Assets.TryGetValue(name, out var asset)
            ? Embedded(context, asset.Resource, asset.MediaType)
            : Problem.NotFound("Not found.", "The dashboard has no such file.");

    private static Microsoft.AspNetCore.Http.HttpResults.FileStreamHttpResult Embedded(HttpContext context, string resource, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The dashboard resource {resource} is missing from the build.");
        return TypedResults.Stream(stream, mediaType);
    }
}
