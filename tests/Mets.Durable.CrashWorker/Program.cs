using Mets.Durable;
using Mets.Durable.CrashWorker;
using Mets.Durable.Engine;
using Mets.Durable.Storage.Sqlite;

// Usage: Mets.Durable.CrashWorker <database path> <instance count>
// Schedules the workload (idempotently), prints STARTED, runs until every instance is terminal,
// prints DONE and exits 0.
if (args.Length != 2 || !int.TryParse(args[1], out var count))
{
    Console.Error.WriteLine("usage: Mets.Durable.CrashWorker <database path> <instance count>");
    return 2;
}

var registry = new DurableTaskRegistry();
CrashWorkload.Register(registry);
await using var store = new SqliteOrchestrationStore(args[0]);
await using var engine = new DurableEngine(store, registry, TimeProvider.System, new DurableEngineOptions { MaxConcurrentActivities = 4 });
await engine.StartAsync();

for (var n = 0; n < count; n++)
{
    if (await engine.Client.GetInstanceAsync(CrashWorkload.InstanceId(n)) is null)
    {
        await engine.Client.ScheduleNewOrchestrationInstanceAsync(
            CrashWorkload.Orchestrator, new CrashWorkload.WorkloadInput(n), new StartOrchestrationOptions(CrashWorkload.InstanceId(n)));
    }
}

Console.WriteLine("STARTED");
for (var n = 0; n < count; n++)
{
    await engine.Client.WaitForInstanceCompletionAsync(CrashWorkload.InstanceId(n));
}

Console.WriteLine("DONE");
return 0;
