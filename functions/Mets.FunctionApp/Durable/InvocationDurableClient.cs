using Microsoft.DurableTask.Client;

namespace Mets.FunctionApp.Durable;

/// <summary>
/// The <see cref="DurableTaskClient"/> of the current function invocation. The isolated worker has no client in
/// dependency injection: it arrives per invocation through a <c>[DurableClient]</c> parameter, and the function hands
/// it over here (<see cref="Use"/>) before it resolves any application service that needs it. Scoped: one per
/// invocation (<c>FunctionContext.InstanceServices</c>).
/// </summary>
public sealed class InvocationDurableClient
{
    private DurableTaskClient? client;

    /// <summary>The client the function handed over.</summary>
    /// <exception cref="InvalidOperationException">The function resolved a service needing the client before handing it over.</exception>
    public DurableTaskClient Client => client
        ?? throw new InvalidOperationException("This invocation has no DurableTaskClient: the function must declare a [DurableClient] parameter and call InvocationDurableClient.Use before resolving services that need it.");

    /// <summary>Sets the invocation's client (once; a second, different client is a programming error).</summary>
    public void Use(DurableTaskClient durableClient)
    {
        ArgumentNullException.ThrowIfNull(durableClient);
        if (client is not null && !ReferenceEquals(client, durableClient))
        {
            throw new InvalidOperationException("This invocation already has a different DurableTaskClient.");
        }

        client = durableClient;
    }
}
