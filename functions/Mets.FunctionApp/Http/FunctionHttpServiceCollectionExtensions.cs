using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>The HTTP side of the function app: Mets.Api's handlers behind Entra ID access tokens (issue 10).</summary>
public static class FunctionHttpServiceCollectionExtensions
{
    public static IServiceCollection AddMetsFunctionHttp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }

    public static FunctionsApplicationBuilder UseMetsHttpMiddleware(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
