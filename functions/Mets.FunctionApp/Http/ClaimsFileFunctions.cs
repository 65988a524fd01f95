using Mets.Api.Claims;
using Mets.Claims.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>
/// <c>GET /api/claims/files/{id}</c>: a claims file's status, Mets.Api's handler. There is no upload route: on Azure
/// claims files arrive by blob upload.
/// </summary>
public static class ClaimsFileFunctions
{
    /// <summary>Reads the claims store only: no durable client.</summary>
    [Function(HttpFunctionRoutes.GetClaimsFileStatus)]
    public static Task<IResult> GetClaimsFileStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.ClaimsFileRoute)] HttpRequest request,
        string id,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ClaimsFileEndpoints.GetStatus(id, request.HttpContext, context.InstanceServices.GetRequiredService<IClaimsStore>(), cancellationToken);
    }
}
