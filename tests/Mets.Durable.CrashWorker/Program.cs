using Mets.Durable;
using Mets.Durable.CrashWorker;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Usage: Mets.Durable.CrashWorker <database path> <instance count> [sqlite | journal]
// Schedules the workload (idempotently), prints STARTED, runs until every instance is terminal,
// prints DONE and exits 0. Composed with Microsoft's hosting API, as a host composes the engine.
if (args.Length is < 2 or > 3 || !int.TryParse(args[1], out var count) || (args.Length == 3 && args[2] is not ("sqlite" or "journal")))
{
    Console.Error.WriteLine("usage: Mets.Durable.CrashWorker <database path> <instance count> [sqlite | journal]");
    return 2;
}

var journal = args.Length == 3 && args[2] == "journal";

var services = new ServiceCollection();
services.AddSingleton<IOrchestrationStore>(_ => journal ? new JournaledOrchestrationStore(args[0], compactAfterBytes: 256 << 10) : new SqliteOrchestrationStore(args[0]));
services.AddDurableTaskWorker(b => b.AddTasks(CrashWorkload.Register).UseEmbeddedEngine(o => o.MaxConcurrentActivities = 4));
services.AddDurableTaskClient(b => b.UseEmbeddedEngine());
await using var provider = services.BuildServiceProvider();
var worker = provider.GetServices<IHostedService>().OfType<EmbeddedDurableTaskWorker>().Single();
await worker.StartAsync(CancellationToken.None);
var client = provider.GetRequiredService<DurableTaskClient>();

for (var n = 0; n < count; n++)
{
    if (await client.GetInstanceAsync(CrashWorkload.InstanceId(n)) is null)
    {
        await client.ScheduleNewOrchestrationInstanceAsync(
            CrashWorkload.Orchestrator, new CrashWorkload.WorkloadInput(n), new StartOrchestrationOptions(CrashWorkload.InstanceId(n)));
    }
}

Console.WriteLine("STARTED");
for (var n = 0; n < count; n++)
{
    await client.WaitForInstanceCompletionAsync(CrashWorkload.InstanceId(n));
}

Console.WriteLine("DONE");
await worker.StopAsync(CancellationToken.None);
return 0;
