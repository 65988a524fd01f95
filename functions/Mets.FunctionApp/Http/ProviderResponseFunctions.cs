using Mets.Api.ProviderResponses;
using Mets.Workflow.Application;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>
/// <c>GET</c>/<c>POST /api/provider-responses/{token}</c>: the provider's page behind the signed link in their email
/// and their answer, Mets.Api's handlers. No access token (the signed link is the proof); rate-limited per client
/// address; the request log never shows the token.
/// </summary>
public static class ProviderResponseFunctions
{
    [Function(HttpFunctionRoutes.ShowProviderRequest)]
    public static Task<IResult> ShowProviderRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.ProviderResponseRoute)] HttpRequest request,
        string token,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return ProviderResponseEndpoints.ShowRequest(token, request.HttpContext, services.GetRequiredService<EngagementService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.RecordProviderResponse)]
    public static Task<IResult> RecordProviderResponse(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ProviderResponseRoute)] HttpRequest request,
        string token,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var services = context.WithDurableClient(client);
        return ProviderResponseEndpoints.RecordResponse(token, request, services.GetRequiredService<EngagementService>(), cancellationToken);
    }
}
