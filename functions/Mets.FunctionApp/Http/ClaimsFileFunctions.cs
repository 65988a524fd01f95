using Mets.Api.Claims;
using Mets.Claims.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>
/// <c>GET /api/claims/files/{id}</c>: a claims file's status, and <c>GET /api/claims/files/{id}/acknowledgment</c>: the
/// TA1/999 answering an X12 file, Mets.Api's handlers. There is no upload route: on Azure claims files arrive by blob
/// upload.
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

    /// <summary>Reads the claims store only: no durable client.</summary>
    [Function(HttpFunctionRoutes.GetClaimsFileAcknowledgment)]
    public static Task<IResult> GetClaimsFileAcknowledgment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.ClaimsFileAcknowledgmentRoute)] HttpRequest request,
        string id,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        return ClaimsFileEndpoints.GetAcknowledgment(id, context.InstanceServices.GetRequiredService<IClaimsStore>(), cancellationToken);
    }
}
