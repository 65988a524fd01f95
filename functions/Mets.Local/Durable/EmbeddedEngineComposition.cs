using Mets.Durable;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Mets.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;

namespace Mets.Local.Durable;

/// <summary>
/// The local host's durable backend: Microsoft.DurableTask's worker and client, composed with Microsoft's
/// hosting API exactly as on Azure, but running on the embedded engine, its state in memory and journaled to SQLite
/// (<see cref="JournaledOrchestrationStore"/>, <c>mets-durable-journal.db</c> in the data folder; docs/durable-engine.md).
/// Settings: <c>Mets:Durable</c> (<see cref="DurableEngineOptions"/>).
/// </summary>
public static class EmbeddedEngineComposition
{
    public static IServiceCollection AddMetsEmbeddedEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DurableEngineOptions>().BindConfiguration(DurableEngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IOrchestrationStore>(sp =>
        {
            var workflow = sp.GetRequiredService<IOptions<WorkflowOptions>>().Value;
            Directory.CreateDirectory(workflow.DataFolder);
            return new JournaledOrchestrationStore(workflow.DurableJournalPath);
        });
        services.AddDurableTaskWorker(b => b.AddMetsTasks().UseEmbeddedEngine());
        services.AddDurableTaskClient(b => b.UseEmbeddedEngine());
        return services;
    }
}
