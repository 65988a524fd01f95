using Mets.Api.Authentication;
using Mets.Api.CarePlans;
using Mets.Workflow.Consent;
using Mets.Workflow.Roster;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Http;

/// <summary>
/// <c>/api/engagements/{id}/...</c> care-plan routes: consents, goals, barriers, interventions, care team, level of
/// care, Mets.Api's handlers. Those that only edit the case document take no durable client.
/// </summary>
public static class CarePlanFunctions
{
    [Function(HttpFunctionRoutes.RecordConsent)]
    public static Task<IResult> RecordConsent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ConsentsRoute)] HttpRequest request,
        string id,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var services = context.InstanceServices;
        return CarePlanEndpoints.RecordConsent(id, request, request.HttpContext.GetActor(), services.GetRequiredService<ConsentService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.RevokeConsent)]
    public static Task<IResult> RevokeConsent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ConsentRevocationRoute)] HttpRequest request,
        string id,
        string itemId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var services = context.InstanceServices;
        return CarePlanEndpoints.RevokeConsent(id, itemId, request, request.HttpContext.GetActor(), services.GetRequiredService<ConsentService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }
}
