using Mets.Api.Authentication;
using Mets.Api.CarePlans;
using Mets.Api.Claims;
using Mets.Api.Dashboard;
using Mets.Api.Engagements;
using Mets.Api.Management;
using Mets.Api.OpenApi;
using Mets.Api.ProviderResponses;
using Mets.Api.Queue;
using Mets.Api.RateLimiting;
using Mets.Api.Referrals;
using Mets.Api.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Api.Routing;

/// <summary>Maps the METS HTTP API. Both hosts call <see cref="MapMetsApi"/>, so they serve the same routes.</summary>
public static class MetsApiEndpoints
{
    public const string ApiPrefix = "/api";

    public const string ProviderLinkPrefix = "/api/provider-responses/{token}";

    public const string ManagementPrefix = "/runtime/webhooks/durabletask";

    public const string ProviderFeedbackPrefix = "/api/provider-feedback/{token}";

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
        app.MapDashboard();

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
                .WithTags("Durable management"),
            app.MapGroup(ProviderFeedbackPrefix)
                .AllowAnonymous()
                .RequireRateLimiting(ProviderLinkRateLimit.PolicyName)
                .ProducesProblem(StatusCodes.Status429TooManyRequests)
                .WithTags("Provider feedback"));

        groups.Api.MapReferrals();
        groups.Api.MapEngagements();
        groups.Api.MapCarePlans();
        groups.Api.MapCommunityResources();
        groups.Api.MapWorkQueue();
        // POST /api/claims only where the host has an upload inbox (the local host); on Azure files arrive through blob storage.
        groups.Api.MapClaimsFiles(acceptUploads: app.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(IClaimsUploadInbox)) == true);
        groups.Api.MapReports();
        groups.ProviderLinks.MapProviderResponses();
        groups.ProviderLinks.MapProviderCarePlans();
        groups.ProviderFeedback.MapProviderFeedback();
        groups.Management.MapInstanceManagement();
        return groups;
    }
}
