using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mets.Api.Health;

/// <summary>GET /health: anonymous, no PHI, the version and the stores in use.</summary>
public static class HealthEndpoint
{
    public static string ProductVersion { get; } =
        typeof(HealthEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app, string host, IReadOnlyDictionary<string, string> stores)
    {
        ArgumentNullException.ThrowIfNull(app);
        var report = new HealthReport("healthy", ProductVersion, host, stores);
        app.MapGet("/health", () => TypedResults.Ok(report))
            .WithName("GetHealth")
            .AllowAnonymous();
        return app;
    }
}
