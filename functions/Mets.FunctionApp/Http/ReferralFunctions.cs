using Mets.Api.Referrals;
using Mets.Workflow.Application;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary><c>POST /api/referrals</c>: METS JSON or FHIR R4 (the content type decides), Mets.Api's handler.</summary>
public static class ReferralFunctions
{
    [Function(HttpFunctionRoutes.SubmitReferral)]
    public static Task<IResult> SubmitReferral(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ReferralsRoute)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var services = context.WithDurableClient(client);
        return ReferralEndpoints.SubmitReferral(request, services.GetRequiredService<EngagementService>(), services.GetRequiredService<TimeProvider>(), cancellationToken);
    }
}
