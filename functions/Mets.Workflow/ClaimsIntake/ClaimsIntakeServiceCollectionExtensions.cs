using Mets.Claims;
using Mets.Claims.Ingestion;
using Mets.Workflow.Utilization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.ClaimsIntake;

public static class ClaimsIntakeServiceCollectionExtensions
{
    /// <summary>
    /// Claims ingest (Mets.Claims) joined to the workflow: engaged members come from the case store,
    /// the risk tier reads utilization from the claims store, and triggers become referrals or events.
    /// Settings: "Mets:ClaimsIntake:*" plus Mets.Claims' own ("Claims:Store:DatabasePath", ...).
    /// </summary>
    public static IServiceCollection AddMetsClaimsIntake(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetsClaims(configuration);
        services.AddOptions<ClaimsIntakeOptions>().BindConfiguration(ClaimsIntakeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => new ClaimsMemberIds(sp.GetRequiredService<IOptions<ClaimsIntakeOptions>>().Value.PayerCode));
        services.Replace(ServiceDescriptor.Singleton<IEngagedMemberDirectory, EngagedMemberDirectory>());
        services.Replace(ServiceDescriptor.Singleton<IMemberUtilization, ClaimsMemberUtilization>());
        services.TryAddSingleton<ClaimsTriggerRouter>();
        services.TryAddSingleton<ClaimsFileProcessor>();
        return services;
    }
}
