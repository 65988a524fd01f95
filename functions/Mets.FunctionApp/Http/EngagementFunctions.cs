using Mets.Api.Authentication;
using Mets.Api.Engagements;
using Mets.Workflow.Application;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Roster;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Http;

/// <summary><c>/api/engagements...</c>: reading engagements and recording their steps, Mets.Api's handlers.</summary>
public static class EngagementFunctions
{
    [Function(HttpFunctionRoutes.GetEngagement)]
    public static Task<IResult> GetEngagement(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.EngagementRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.GetEngagement(id, services.GetRequiredService<EngagementService>(), services.GetRequiredService<TimeProvider>(), cancellationToken);
    }

    /// <summary>Reads the case store and the audit anchors only: no durable client.</summary>
    [Function(HttpFunctionRoutes.GetEngagementAudit)]
    public static Task<IResult> GetEngagementAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.EngagementAuditRoute)] HttpRequest request,
        string id,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return EngagementEndpoints.GetEngagementAudit(id, context.InstanceServices.GetRequiredService<TimelineAudit>(), cancellationToken);
    }

    /// <summary>Reads the case store only: no durable client.</summary>
    [Function(HttpFunctionRoutes.ListEngagements)]
    public static Task<IResult> ListEngagements(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.EngagementsRoute)] HttpRequest request,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!HttpQuery.TryFlag(request, "overdue", out var overdue, out var problem))
        {
            return Task.FromResult(problem!);
        }

        var services = context.InstanceServices;
        return EngagementEndpoints.ListEngagements(HttpQuery.Text(request, "status"), HttpQuery.Text(request, "clinician"), overdue,
            services.GetRequiredService<ICaseStore>(), services.GetRequiredService<TimeProvider>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.RecordAssessment)]
    public static Task<IResult> RecordAssessment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.AssessmentRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.RecordAssessment(id, request, request.HttpContext.GetActor(), services.GetRequiredService<EngagementService>(),
            services.GetRequiredService<TimeProvider>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.RecordContactAttempt)]
    public static Task<IResult> RecordContactAttempt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ContactAttemptsRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.RecordContactAttempt(id, request, request.HttpContext.GetActor(), services.GetRequiredService<EngagementService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.RecordReview)]
    public static Task<IResult> RecordReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ReviewsRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.RecordReview(id, request, request.HttpContext.GetActor(), services.GetRequiredService<EngagementService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.DecideClosureReview)]
    public static Task<IResult> DecideClosureReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ClosureReviewRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.DecideClosureReview(id, request, request.HttpContext.GetActor(), services.GetRequiredService<EngagementService>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.RequestClosure)]
    public static Task<IResult> RequestClosure(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ClosureRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.RequestClosure(id, request, request.HttpContext.GetActor(), services.GetRequiredService<EngagementService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    /// <summary>The medical director's peer-to-peer review of an escalated outreach (medical directors on the roster only: 403 otherwise).</summary>
    [Function(HttpFunctionRoutes.RecordPeerReview)]
    public static Task<IResult> RecordPeerReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.PeerReviewRoute)] HttpRequest request,
        string id,
        string npi,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return EngagementEndpoints.RecordPeerReview(id, npi, request, request.HttpContext.GetActor(), services.GetRequiredService<EngagementService>(), cancellationToken);
    }
}
