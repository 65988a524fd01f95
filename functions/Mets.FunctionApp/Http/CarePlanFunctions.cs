using Mets.Api.Authentication;
using Mets.Api.CarePlans;
using Mets.Workflow.CarePlans;
using Mets.Workflow.Consent;
using Mets.Workflow.Roster;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Http;

/// <summary>
/// <c>/api/engagements/{id}/...</c> care-plan routes: consents, goals, barriers, interventions, care team, level of
/// care, Mets.Api's handlers. Consents only edit the case document and take no durable client; the care-plan service
/// tells the engagement's orchestration about follow-ups, so its functions take the invocation's client.
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

    [Function(HttpFunctionRoutes.AddGoal)]
    public static Task<IResult> AddGoal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.GoalsRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.AddGoal(id, request, request.HttpContext.GetActor(), services.GetRequiredService<CarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.ChangeGoal)]
    public static Task<IResult> ChangeGoal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.GoalRoute)] HttpRequest request,
        string id,
        string itemId,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.ChangeGoal(id, itemId, request, request.HttpContext.GetActor(), services.GetRequiredService<CarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.AddBarrier)]
    public static Task<IResult> AddBarrier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.BarriersRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.AddBarrier(id, request, request.HttpContext.GetActor(), services.GetRequiredService<CarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.ChangeBarrier)]
    public static Task<IResult> ChangeBarrier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.BarrierRoute)] HttpRequest request,
        string id,
        string itemId,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.ChangeBarrier(id, itemId, request, request.HttpContext.GetActor(), services.GetRequiredService<CarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.AddIntervention)]
    public static Task<IResult> AddIntervention(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.InterventionsRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.AddIntervention(id, request, request.HttpContext.GetActor(), services.GetRequiredService<CarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    [Function(HttpFunctionRoutes.ChangeIntervention)]
    public static Task<IResult> ChangeIntervention(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.InterventionRoute)] HttpRequest request,
        string id,
        string itemId,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.ChangeIntervention(id, itemId, request, request.HttpContext.GetActor(), services.GetRequiredService<CarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    /// <summary>Emails care-plan links to the collaborating providers (the provider-link service resolves links through the engagement service).</summary>
    [Function(HttpFunctionRoutes.ShareCarePlan)]
    public static Task<IResult> ShareCarePlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.CarePlanShareRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.ShareCarePlan(id, request, request.HttpContext.GetActor(), services.GetRequiredService<ProviderCarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    /// <summary>The care plan behind a provider's care-plan link (anonymous: the signed link is the proof; rate-limited).</summary>
    [Function(HttpFunctionRoutes.ShowProviderCarePlan)]
    public static Task<IResult> ShowProviderCarePlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.ProviderCarePlanRoute)] HttpRequest request,
        string token,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return ProviderCarePlanEndpoints.ShowCarePlan(token, request.HttpContext, services.GetRequiredService<ProviderCarePlanService>(), cancellationToken);
    }

    /// <summary>A provider's answer to a shared goal (anonymous: the signed link is the proof; rate-limited).</summary>
    [Function(HttpFunctionRoutes.RecordProviderGoalAnswer)]
    public static Task<IResult> RecordProviderGoalAnswer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.ProviderCarePlanRoute)] HttpRequest request,
        string token,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var services = context.WithDurableClient(client);
        return ProviderCarePlanEndpoints.AnswerGoal(token, request, services.GetRequiredService<ProviderCarePlanService>(), cancellationToken);
    }

    /// <summary>The community-resource directory loaded at start: no durable client.</summary>
    [Function(HttpFunctionRoutes.SearchCommunityResources)]
    public static IResult SearchCommunityResources(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HttpFunctionRoutes.CommunityResourcesRoute)] HttpRequest request,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CommunityResourceEndpoints.SearchCommunityResources(HttpQuery.Text(request, "need"), HttpQuery.Text(request, "area"),
            context.InstanceServices.GetRequiredService<Mets.Workflow.CommunitySupports.CommunityResourceDirectory>());
    }

    /// <summary>A care-team participant; with contact the engagement starts their outreach, so the function takes the invocation's client.</summary>
    [Function(HttpFunctionRoutes.AddCareTeamMember)]
    public static Task<IResult> AddCareTeamMember(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.CareTeamRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.AddCareTeamMember(id, request, request.HttpContext.GetActor(), services.GetRequiredService<CareTeamService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }

    /// <summary>A level-of-care recommendation, sent to the providers with the shared care plan.</summary>
    [Function(HttpFunctionRoutes.RecommendLevelOfCare)]
    public static Task<IResult> RecommendLevelOfCare(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = HttpFunctionRoutes.LevelOfCareRoute)] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var services = context.WithDurableClient(client);
        return CarePlanEndpoints.RecommendLevelOfCare(id, request, request.HttpContext.GetActor(), services.GetRequiredService<ProviderCarePlanService>(),
            services.GetRequiredService<IOptions<RosterOptions>>(), cancellationToken);
    }
}
