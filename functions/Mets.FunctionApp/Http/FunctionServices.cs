using Mets.FunctionApp.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Http;

/// <summary>The invocation's services, for the HTTP functions.</summary>
internal static class FunctionServices
{
    /// <summary>
    /// Hands the invocation's <see cref="DurableTaskClient"/> (its <c>[DurableClient]</c> parameter) to
    /// <see cref="InvocationDurableClient"/>, then returns the invocation's services: the application services that
    /// start or signal instances can be resolved from them only after this.
    /// </summary>
    public static IServiceProvider WithDurableClient(this FunctionContext context, DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.InstanceServices;
        services.GetRequiredService<InvocationDurableClient>().Use(client);
        return services;
    }
}
