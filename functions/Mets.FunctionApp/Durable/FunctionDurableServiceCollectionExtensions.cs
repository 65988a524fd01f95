using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Durable;

/// <summary>The durable side of the function app: orchestrator, activity, blob and timer functions (issue 10).</summary>
public static class FunctionDurableServiceCollectionExtensions
{
    public static IServiceCollection AddMetsFunctionDurable(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
