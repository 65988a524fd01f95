using Mets.Api.Authentication;
using Mets.Api.Queue;
using Mets.Workflow.Application;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary><c>GET /api/queue</c> (<c>?clinician=</c>, <c>?view=supervisor</c>): Mets.Api's handler.</summary>
public static class QueueFunctions
{
    [Function(HttpFunctionRoutes.GetWorkQueue)]
    public static Task<IResult> GetWorkQueue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.QueueRoute)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return QueueEndpoints.GetQueue(HttpQuery.Text(request, "clinician"), HttpQuery.Text(request, "view"), request.HttpContext.GetActor(),
            services.GetRequiredService<EngagementService>(), cancellationToken);
    }
}
