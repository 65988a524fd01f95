using Mets.Azure;
using Mets.FunctionApp.Configuration;
using Mets.FunctionApp.Durable;
using Mets.FunctionApp.Http;
using Mets.Workflow;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Reports;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp;

/// <summary>The function app's composition: the workflow, claims intake and Azure adapters, plus its HTTP and durable parts.</summary>
public static class FunctionAppServiceCollectionExtensions
{
    /// <summary>Everything the app's functions need (Program.cs calls this; tests build the same container).</summary>
    public static IServiceCollection AddMetsFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(configuration);
        services.AddMetsWorkflowCore();
        services.AddMetsClaimsIntake(configuration);
        services.AddMetsReports();
        services.AddMetsAzureAdapters(configuration);
        AzureStoresRule.AddAzureStoresRule(services, configuration);
        services.AddMetsFunctionHttp(configuration);
        services.AddMetsFunctionDurable(configuration);
        return services;
    }

    /// <summary>The worker middleware around every function (HTTP: authentication, rate limit, problem details, request log).</summary>
    public static FunctionsApplicationBuilder UseMetsFunctionMiddleware(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseMetsHttpMiddleware();
        return builder;
    }
}
