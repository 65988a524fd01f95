using System.Diagnostics;
using System.Globalization;
using Mets.Durable;
using Mets.Durable.Engine;
using Mets.Durable.Replay;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;

// Benchmarks of the embedded durable engine. Figures and how to read them: docs/durable-engine.md.
//   dotnet run -c Release --project tests/Mets.Durable.Bench -- actions [instances] [activitiesPerInstance]
//   dotnet run -c Release --project tests/Mets.Durable.Bench -- timers [instances] [spreadMinutes]
//   dotnet run -c Release --project tests/Mets.Durable.Bench -- replay
var mode = args.Length > 0 ? args[0] : "actions";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

switch (mode)
{
    case "actions":
        await ActionsAsync(Arg(1, 200), Arg(2, 25));
        break;
    case "timers":
        await TimersAsync(Arg(1, 100_000), Arg(2, 60));
        break;
    case "replay":
        Replay();
        break;
    default:
        Console.Error.WriteLine("modes: actions | timers | replay");
        return 2;
}

return 0;

static async Task ActionsAsync(int instances, int activities)
{
    Console.WriteLine($"Durable actions: {instances} instances x {activities} sequential activities (schedule + complete round trips)");
    var memory = await RunActionsAsync(new InMemoryOrchestrationStore(), instances, activities);
    var sqlite = await RunActionsAsync(new SqliteOrchestrationStore(TempDatabase()), instances, activities);
    Console.WriteLine($"  in-memory : {memory,10:N0} actions/s");
    Console.WriteLine($"  SQLite    : {sqlite,10:N0} actions/s  ({sqlite / memory:P0} of in-memory; target >= 2,000/s)");
}

static async Task<double> RunActionsAsync(IOrchestrationStore store, int instances, int activities)
{
    var registry = new DurableTaskRegistry()
        .AddActivityFunc<int, int>("Increment", (_, x) => Task.FromResult(x + 1))
        .AddOrchestratorFunc<int, int>("Chain", async (ctx, count) =>
        {
            var value = 0;
            for (var i = 0; i < count; i++)
            {
                value = await ctx.CallActivityAsync<int>("Increment", value);
            }

            return value;
        });
    await using var engine = new DurableEngine(store, registry, TimeProvider.System);
    await engine.StartAsync();
    var clock = Stopwatch.StartNew();
    var ids = new List<string>();
    for (var i = 0; i < instances; i++)
    {
        ids.Add(await engine.Client.ScheduleNewOrchestrationInstanceAsync("Chain", activities));
    }

    foreach (var id in ids)
    {
        var done = await engine.Client.WaitForInstanceCompletionAsync(id, true);
        if (done.ReadOutputAs<int>() != activities)
        {
            throw new InvalidOperationException($"{id} returned a wrong result");
        }
    }

    clock.Stop();
    await store.DisposeAsync();
    return instances * activities / clock.Elapsed.TotalSeconds;
}

static async Task TimersAsync(int instances, int spreadMinutes)
{
    Console.WriteLine($"Open instances: {instances:N0} waiting on an event raced against a timer due evenly over {spreadMinutes} min (SQLite)");
    var registry = new DurableTaskRegistry().AddOrchestratorFunc<DateTime, long>("Waiter", async (ctx, fireAt) =>
    {
        using var cts = new CancellationTokenSource();
        var evt = ctx.WaitForExternalEvent<string>("answer", cts.Token);
        var timer = ctx.CreateTimer(fireAt, cts.Token);
        await Task.WhenAny(evt, timer);
        cts.Cancel();
        return (ctx.CurrentUtcDateTime - fireAt).Ticks; // lateness as the orchestrator saw it
    });
    var database = TempDatabase();
    await using var store = new SqliteOrchestrationStore(database);
    await using var engine = new DurableEngine(store, registry, TimeProvider.System);
    await engine.StartAsync();

    var baselineRss = Environment.WorkingSet;
    var start = DateTime.UtcNow.AddMinutes(1); // first timers after the instances are created
    var spread = TimeSpan.FromMinutes(spreadMinutes);
    var create = Stopwatch.StartNew();
    for (var i = 0; i < instances; i++)
    {
        var fireAt = start + (spread * i / instances);
        await engine.Client.ScheduleNewOrchestrationInstanceAsync("Waiter", fireAt, new StartOrchestrationOptions($"w{i:D6}"));
    }

    using (var idle = new CancellationTokenSource(TimeSpan.FromMinutes(30)))
    {
        await engine.WaitForIdleAsync(idle.Token);
    }

    create.Stop();
    Console.WriteLine($"  created and started {instances:N0} instances in {create.Elapsed.TotalSeconds:N1} s ({instances / create.Elapsed.TotalSeconds:N0}/s)");
    Console.WriteLine($"  RSS with all instances open: {Environment.WorkingSet / 1048576.0:N0} MB (process baseline {baselineRss / 1048576.0:N0} MB; target < 1 GB)");

    var peak = Environment.WorkingSet;
    var lateness = new List<double>(instances);
    for (var i = 0; i < instances; i++)
    {
        var done = await engine.Client.WaitForInstanceCompletionAsync($"w{i:D6}", true);
        lateness.Add(TimeSpan.FromTicks(done.ReadOutputAs<long>()).TotalMilliseconds);
        if (i % 1000 == 0)
        {
            peak = Math.Max(peak, Environment.WorkingSet);
        }
    }

    lateness.Sort();
    Console.WriteLine($"  timer lateness: p50 {Percentile(lateness, 0.50):N0} ms, p99 {Percentile(lateness, 0.99):N0} ms, max {lateness[^1]:N0} ms (target p99 < 1,000 ms)");
    Console.WriteLine($"  peak RSS while timers fired: {peak / 1048576.0:N0} MB; database {new FileInfo(database).Length / 1048576.0:N0} MB");
}

static void Replay()
{
    Console.WriteLine("Replay cost against history length (in-memory executor, no I/O)");
    var warmup = BuildHistory(1_000, out var warmupRegistry);
    var warmupReplayer = new OrchestrationReplayer(warmupRegistry);
    for (var i = 0; i < 500; i++)
    {
        Check(warmupReplayer.Replay(warmup)); // tiered JIT settles before anything is timed
    }

    double? baseline = null;
    foreach (var events in new[] { 100, 1_000, 10_000 })
    {
        var history = BuildHistory(events, out var registry);
        var replayer = new OrchestrationReplayer(registry);
        var iterations = Math.Max(5, 200_000 / history.Events.Count);
        for (var i = 0; i < 3; i++)
        {
            Check(replayer.Replay(history));
        }

        var samples = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            Check(replayer.Replay(history));
            samples.Add(clock.Elapsed.TotalMicroseconds);
        }

        samples.Sort();
        var median = Percentile(samples, 0.5);
        var perEvent = median / history.Events.Count;
        baseline ??= perEvent;
        Console.WriteLine($"  {history.Events.Count,6:N0} events: median {median / 1000,8:N2} ms per replay, {perEvent:N2} us/event ({perEvent / baseline:N2}x the 100-event cost per event)");
    }
}

static void Check(ReplayResult result)
{
    if (!result.IsDeterministic)
    {
        throw new InvalidOperationException(result.Problem);
    }
}

static ExportedHistory BuildHistory(int targetEvents, out DurableTaskRegistry registry)
{
    // Each activity adds three events (OrchestratorStarted, TaskScheduled, TaskCompleted).
    var activities = Math.Max(1, (targetEvents - 3) / 3);
    registry = new DurableTaskRegistry()
        .AddActivityFunc<int, int>("Increment", (_, x) => Task.FromResult(x + 1))
        .AddOrchestratorFunc<int, int>("Chain", async (ctx, count) =>
        {
            var value = 0;
            for (var i = 0; i < count; i++)
            {
                value = await ctx.CallActivityAsync<int>("Increment", value);
            }

            return value;
        });
    var store = new InMemoryOrchestrationStore();
    var engine = new DurableEngine(store, registry, TimeProvider.System);
    engine.StartAsync().GetAwaiter().GetResult();
    var id = engine.Client.ScheduleNewOrchestrationInstanceAsync("Chain", activities).GetAwaiter().GetResult();
    engine.Client.WaitForInstanceCompletionAsync(id).GetAwaiter().GetResult();
    var history = ExportedHistory.ExportAsync(engine.Client, id).GetAwaiter().GetResult();
    engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
    return history;
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static string TempDatabase() => Path.Combine(Directory.CreateTempSubdirectory("mets-bench-").FullName, "durable.db");
