using Mets.Azure;
using Mets.Workflow.Activities;
using Mets.Workflow.Application;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Maintenance;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mets.FunctionApp.Durable;

/// <summary>The durable side of the function app: orchestrator, activity, blob and timer functions.</summary>
public static class FunctionDurableServiceCollectionExtensions
{
    /// <summary>
    /// The invocation's <see cref="DurableTaskClient"/> (<see cref="InvocationDurableClient"/>) and, because they need
    /// it, the services that start or signal instances become scoped: <see cref="EngagementService"/> (and the provider
    /// care-plan service that resolves links through it; the care-plan service, which tells the engagement about
    /// follow-ups; the care-team service, which asks it for a participant's outreach), the claims
    /// intake chain that calls it (and the blob inbox that hands files to it, without its polling worker: the blob
    /// trigger delivers), the repair sweep and the history purge. The workflow's activity classes are registered for
    /// the activity functions to receive (scoped: one per invocation, as Microsoft's worker creates one per call).
    /// Orchestrators get <c>EngagementSchedule</c> (a singleton of the workflow). Call after the workflow, claims intake
    /// and Azure adapters are added. The workflow's tasks are deliberately not added to a DurableTaskRegistry here: the
    /// Durable extension would then add functions of its own for them beside the app's [Function] classes.
    /// </summary>
    public static IServiceCollection AddMetsFunctionDurable(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddScoped<InvocationDurableClient>();
        services.TryAddScoped(sp => sp.GetRequiredService<InvocationDurableClient>().Client);
        services.Replace(ServiceDescriptor.Scoped<EngagementService, EngagementService>());
        services.Replace(ServiceDescriptor.Scoped<Mets.Workflow.CarePlans.ProviderCarePlanService, Mets.Workflow.CarePlans.ProviderCarePlanService>());
        services.Replace(ServiceDescriptor.Scoped<Mets.Workflow.CarePlans.FollowUpNotifier, Mets.Workflow.CarePlans.FollowUpNotifier>());
        services.Replace(ServiceDescriptor.Scoped<Mets.Workflow.CarePlans.CarePlanService, Mets.Workflow.CarePlans.CarePlanService>());
        services.Replace(ServiceDescriptor.Scoped<Mets.Workflow.CarePlans.CareTeamService, Mets.Workflow.CarePlans.CareTeamService>());
        services.Replace(ServiceDescriptor.Scoped<ClaimsTriggerRouter, ClaimsTriggerRouter>());
        services.Replace(ServiceDescriptor.Scoped<ClaimsFileProcessor, ClaimsFileProcessor>());
        services.Replace(ServiceDescriptor.Scoped<EngagementRepairSweep, EngagementRepairSweep>());
        services.Replace(ServiceDescriptor.Scoped<EngagementHistoryPurge, EngagementHistoryPurge>());
        services.AddMetsClaimsBlobTrigger();

        services.TryAddScoped<StartEngagementActivity>();
        services.TryAddScoped<UpdateCaseActivity>();
        services.TryAddScoped<SendEmailActivity>();
        services.TryAddScoped<SendClosureSummariesActivity>();
        services.TryAddScoped<RunningOutreachActivity>();
        services.TryAddScoped<StartProviderOutreachActivity>();
        return services;
    }
}
