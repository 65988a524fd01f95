using Mets.Api.Authentication;
using Mets.Api.OpenApi;
using Mets.Api.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mets.Api.Routing;

/// <summary>Maps the METS HTTP API. Both hosts call <see cref="MapMetsApi"/>, so they serve the same routes.</summary>
public static class MetsApiEndpoints
{
    public const string ApiPrefix = "/api";

    public const string ProviderLinkPrefix = "/api/provider-responses/{token}";

    public const string ManagementPrefix = "/runtime/webhooks/durabletask";

    /// <summary>
    /// Maps the OpenAPI document, the reference page and every feature's endpoints into their groups.
    /// This is THE place where features are mapped: add one line per feature below, e.g.
    /// <c>groups.Api.MapEngagements();</c>, <c>groups.ProviderLinks.MapProviderResponses();</c>,
    /// <c>groups.Management.MapInstanceManagement();</c>. /health is mapped by each host (it reports
    /// the host's stores).
    /// </summary>
    public static MetsRouteGroups MapMetsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapApiReference();

        var groups = new MetsRouteGroups(
            app.MapGroup(ApiPrefix)
                .RequireAuthorization(FunctionsKeyDefaults.UserPolicy)
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status403Forbidden),
            app.MapGroup(ProviderLinkPrefix)
                .AllowAnonymous()
                .RequireRateLimiting(ProviderLinkRateLimit.PolicyName)
                .ProducesProblem(StatusCodes.Status429TooManyRequests)
                .WithTags("Provider responses"),
            app.MapGroup(ManagementPrefix)
                .RequireAuthorization(FunctionsKeyDefaults.AdminPolicy)
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .WithTags("Durable management"));

        // Features (issue 5) are mapped here as their application services land:
        //   referrals and engagements  -> groups.Api         (/api/referrals, /api/engagements/...)
        //   work queue                 -> groups.Api         (/api/queue)
        //   claims files               -> groups.Api         (/api/claims, /api/claims/files/{id})
        //   provider responses         -> groups.ProviderLinks (GET/POST /api/provider-responses/{token})
        //   durable management         -> groups.Management  (/runtime/webhooks/durabletask/instances...)
        return groups;
    }
}
