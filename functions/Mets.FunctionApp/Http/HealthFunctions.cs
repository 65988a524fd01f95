using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>
/// <c>GET /api/health</c> (the host's <c>api</c> route prefix applies to every function): anonymous, no PHI, the
/// version and the stores in use, like the local host's <c>/health</c>.
/// </summary>
public static class HealthFunctions
{
    [Function(HttpFunctionRoutes.GetHealth)]
    public static IResult GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.HealthRoute)] HttpRequest request,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TypedResults.Ok(context.InstanceServices.GetRequiredService<FunctionHealth>().Report);
    }
}
