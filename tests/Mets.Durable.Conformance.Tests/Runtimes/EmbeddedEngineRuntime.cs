using DurableTask.Core.History;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mets.Durable.Conformance.Tests.Runtimes;

/// <summary>
/// Our runtime: the embedded engine (functions/Mets.Durable) on a SQLite store in a temporary folder and the system
/// clock, composed with Microsoft's hosting API exactly as the local host composes it
/// (<c>AddDurableTaskWorker(b =&gt; b.AddTasks(...).UseEmbeddedEngine())</c>, <c>AddDurableTaskClient(b =&gt; b.UseEmbeddedEngine())</c>).
/// </summary>
public sealed class EmbeddedEngineRuntime : IDurableRuntime
{
    private readonly ServiceProvider services;
    private readonly IHostedService worker;
    private readonly string folder;

    private EmbeddedEngineRuntime(ServiceProvider services, IHostedService worker, string folder)
    {
        this.services = services;
        this.worker = worker;
        this.folder = folder;
        Client = services.GetRequiredService<DurableTaskClient>();
    }

    /// <inheritdoc />
    public string Name => RuntimeNames.EmbeddedEngine;

    /// <inheritdoc />
    public DurableTaskClient Client { get; }

    /// <summary>Starts the embedded engine with the given tasks.</summary>
    /// <param name="registerTasks">Registers the orchestrators and activities.</param>
    /// <param name="cancellation">Cancels the start.</param>
    /// <returns>The started runtime.</returns>
    public static async Task<IDurableRuntime> StartAsync(Action<DurableTaskRegistry> registerTasks, CancellationToken cancellation)
    {
        var folder = Directory.CreateTempSubdirectory("mets-conformance-").FullName;
        var collection = new ServiceCollection();
        collection.AddSingleton<IOrchestrationStore>(_ => new SqliteOrchestrationStore(Path.Combine(folder, "durable.db")));
        collection.AddDurableTaskWorker(b => b.AddTasks(registerTasks).UseEmbeddedEngine());
        collection.AddDurableTaskClient(b => b.UseEmbeddedEngine());
        var provider = collection.BuildServiceProvider();
        var worker = provider.GetServices<IHostedService>().OfType<EmbeddedDurableTaskWorker>().Single();
        await worker.StartAsync(cancellation);
        return new EmbeddedEngineRuntime(provider, worker, folder);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellation)
    {
        if (await Client.GetInstanceAsync(instanceId, cancellation) is null)
        {
            return [];
        }

        return [.. await Client.GetOrchestrationHistoryAsync(instanceId, cancellation)];
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await worker.StopAsync(timeout.Token);
        }

        await services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind does not fail a run
        }
    }
}
