using Mets.Workflow.Application;
using Mets.Workflow.ClaimsIntake;
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
    /// it, the services that start or signal instances become scoped: <see cref="EngagementService"/> and the claims
    /// intake chain that calls it.
    /// </summary>
    public static IServiceCollection AddMetsFunctionDurable(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddScoped<InvocationDurableClient>();
        services.TryAddScoped(sp => sp.GetRequiredService<InvocationDurableClient>().Client);
        services.Replace(ServiceDescriptor.Scoped<EngagementService, EngagementService>());
        services.Replace(ServiceDescriptor.Scoped<ClaimsTriggerRouter, ClaimsTriggerRouter>());
        services.Replace(ServiceDescriptor.Scoped<ClaimsFileProcessor, ClaimsFileProcessor>());
        return services;
    }
}
