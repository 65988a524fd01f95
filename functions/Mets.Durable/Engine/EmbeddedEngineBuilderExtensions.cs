using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mets.Durable;

/// <summary>
/// Plugs the embedded engine into Microsoft.DurableTask's hosting the way <c>UseGrpc()</c> plugs in
/// Microsoft's own backend, so a host composes it with Microsoft's API:
/// <code>
/// services.AddSingleton&lt;IOrchestrationStore&gt;(_ =&gt; new SqliteOrchestrationStore(path));
/// services.AddDurableTaskWorker(b =&gt; b.AddTasks(r =&gt; r.AddOrchestrator&lt;MyOrchestrator&gt;()).UseEmbeddedEngine());
/// services.AddDurableTaskClient(b =&gt; b.UseEmbeddedEngine());
/// </code>
/// The worker and the client share one <see cref="EmbeddedTaskHub"/> over the registered
/// <see cref="IOrchestrationStore"/> and the registered <see cref="TimeProvider"/> (the system clock when none is).
/// </summary>
public static class EmbeddedEngineBuilderExtensions
{
    /// <summary>Runs the worker's tasks on the embedded engine (<see cref="EmbeddedDurableTaskWorker"/>).</summary>
    public static IDurableTaskWorkerBuilder UseEmbeddedEngine(this IDurableTaskWorkerBuilder builder, Action<DurableEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddTaskHub(builder.Services);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.UseBuildTarget<EmbeddedDurableTaskWorker>();
    }

    /// <summary>Makes the client talk to the embedded engine in this process (<see cref="EmbeddedDurableTaskClient"/>).</summary>
    public static IDurableTaskClientBuilder UseEmbeddedEngine(this IDurableTaskClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddTaskHub(builder.Services);
        return builder.UseBuildTarget<EmbeddedDurableTaskClient>();
    }

    private static void AddTaskHub(IServiceCollection services)
    {
        services.AddOptions<DurableEngineOptions>();
        services.TryAddSingleton(sp => new EmbeddedTaskHub(
            sp.GetService<IOrchestrationStore>() ?? throw new InvalidOperationException(
                "The embedded durable engine needs an IOrchestrationStore: register a SqliteOrchestrationStore (or, in tests, an InMemoryOrchestrationStore)."),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
    }
}
