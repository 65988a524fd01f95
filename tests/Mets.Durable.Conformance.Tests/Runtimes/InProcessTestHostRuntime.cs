using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mets.Durable.Conformance.Tests.Runtimes;

/// <summary>
/// Microsoft's runtime: <see cref="DurableTaskTestHost"/> (Microsoft.DurableTask.InProcessTestHost), an in-memory
/// Durable Task Framework backend behind a gRPC sidecar on a random local port, with Microsoft's gRPC worker and client.
/// </summary>
public sealed class InProcessTestHostRuntime : IDurableRuntime
{
    private const int StartAttempts = 3;

    private readonly DurableTaskTestHost host;
    private readonly object instanceStore;
    private readonly IDictionary instances;

    private InProcessTestHostRuntime(DurableTaskTestHost host)
    {
        this.host = host;

        // The history lives only in the sidecar's in-memory store: this host's sidecar answers
        // GetOrchestrationHistoryAsync with an empty list (it streams history only for work items over 1 MiB),
        // and InMemoryOrchestrationService.GetOrchestrationHistoryAsync throws NotImplementedException. So the
        // history is read from the store's private fields, pinned to 0.2.3-preview.1 (see README.md).
        var sidecar = (IHost)Field(host, "sidecarHost");
        var service = (InMemoryOrchestrationService)sidecar.Services.GetRequiredService<IOrchestrationService>();
        instanceStore = Field(service, "instanceStore");
        instances = (IDictionary)Field(instanceStore, "store");
    }

    /// <inheritdoc />
    public string Name => RuntimeNames.InProcessTestHost;

    /// <inheritdoc />
    public DurableTaskClient Client => host.Client;

    /// <summary>Starts the in-process test host (its port is random: a start that loses the port is retried).</summary>
    /// <param name="registerTasks">Registers the orchestrators and activities.</param>
    /// <param name="cancellation">Cancels the start.</param>
    /// <returns>The started runtime.</returns>
    public static async Task<IDurableRuntime> StartAsync(Action<DurableTaskRegistry> registerTasks, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var host = await DurableTaskTestHost.StartAsync(registerTasks, new DurableTaskTestHostOptions(), cancellation);
                return new InProcessTestHostRuntime(host);
            }
            catch (IOException) when (attempt < StartAttempts)
            {
                // Kestrel could not bind the randomly chosen port: pick another.
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation)
    {
        var state = instances[instanceId];
        if (state is null)
        {
            return Task.FromResult<IReadOnlyList<HistoryEvent>>([]);
        }

        var events = (JsonArray)(state.GetType().GetProperty("HistoryEventsJson")
            ?? throw new MissingMemberException(state.GetType().FullName, "HistoryEventsJson")).GetValue(state)!;

        // The store appends and clears under a lock on the instance's state object.
        lock (state)
        {
            return Task.FromResult<IReadOnlyList<HistoryEvent>>(events.Select(e => e!.GetValue<HistoryEvent>()).ToList());
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => host.DisposeAsync();

    private static object Field(object owner, string name) =>
        (owner.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new MissingFieldException(owner.GetType().FullName, name)).GetValue(owner)
        ?? throw new InvalidOperationException($"{owner.GetType().Name}.{name} is null.");
}
