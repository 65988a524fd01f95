using System.Diagnostics;
using System.Globalization;
using Mets.Durable;
using Mets.Durable.Engine;
using Mets.Durable.Replay;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
    (string Name, Func<IOrchestrationStore> Create)[] stores =
    [
        ("in-memory", () => new InMemoryOrchestrationStore()),
        ("SQLite", () => new SqliteOrchestrationStore(TempDatabase())),
        ("journal", () => new JournaledOrchestrationStore(TempDatabase())),
    ];

    // Every store first runs two rounds of the measured size, not timed, so that the code it runs (the engine's,
    // which they share, and its own) is at its steady tier when timed: a round is about a tenth of a second, shorter
    // than the JIT's tiering of code that only one store runs (the journal's encoder was several times slower in its
    // first rounds). Then three timed rounds each, alternated; the median round of each store is reported.
    foreach (var (_, create) in stores)
    {
        await RunActionsAsync(create(), instances, activities);
        await RunActionsAsync(create(), instances, activities);
    }

    var rounds = stores.Select(_ => new List<(double PerSecond, double Cpu)>()).ToArray();
    for (var round = 0; round < 3; round++)
    {
        for (var s = 0; s < stores.Length; s++)
        {
            rounds[s].Add(await RunActionsAsync(stores[s].Create(), instances, activities));
        }
    }

    var medians = rounds.Select(r => r.OrderBy(x => x.PerSecond).ElementAt(r.Count / 2)).ToArray();
    var memory = medians[0].PerSecond;
    Console.WriteLine($"  in-memory : {memory,10:N0} actions/s  (process CPU {medians[0].Cpu,6:N1} us per action)");
    Console.WriteLine($"  SQLite    : {medians[1].PerSecond,10:N0} actions/s  (process CPU {medians[1].Cpu,6:N1} us per action; {medians[1].PerSecond / memory:P0} of in-memory; the relational store)");
    Console.WriteLine($"  journal   : {medians[2].PerSecond,10:N0} actions/s  (process CPU {medians[2].Cpu,6:N1} us per action; {medians[2].PerSecond / memory:P0} of in-memory; target >= 5,000/s and >= 70 %)");
    Console.WriteLine("  (medians of 3 alternated rounds; all rounds, actions/s: " + string.Join("; ", stores.Select((x, s) => $"{x.Name} {string.Join(", ", rounds[s].Select(r => r.PerSecond.ToString("N0", CultureInfo.InvariantCulture)))}")) + ")");
}

static void RegisterChain(DurableTaskRegistry registry) => registry
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

/// <summary>Actions per second (wall clock) and the process's CPU time per action (less sensitive to other jobs on the machine).</summary>
static async Task<(double PerSecond, double CpuMicroseconds)> RunActionsAsync(IOrchestrationStore store, int instances, int activities)
{
    await using var engine = await BenchEngine.StartAsync(store, RegisterChain);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
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
    var actions = instances * activities;
    return (actions / clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / actions);
}

static async Task TimersAsync(int instances, int spreadMinutes)
{
    Console.WriteLine($"Open instances: {instances:N0} waiting on an event raced against a timer due evenly over {spreadMinutes} min (SQLite)");
    static void RegisterWaiter(DurableTaskRegistry registry) => registry.AddOrchestratorFunc<DateTime, long>("Waiter", async (ctx, fireAt) =>
    {
        using var cts = new CancellationTokenSource();
        var evt = ctx.WaitForExternalEvent<string>("answer", cts.Token);
        var timer = ctx.CreateTimer(fireAt, cts.Token);
        await Task.WhenAny(evt, timer);
        cts.Cancel();
        return (ctx.CurrentUtcDateTime - fireAt).Ticks; // lateness as the orchestrator saw it
    });
    var database = TempDatabase();
    await using var engine = await BenchEngine.StartAsync(new SqliteOrchestrationStore(database), RegisterWaiter);

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
        await engine.Hub.WaitForIdleAsync(idle.Token);
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
    var warmup = BuildHistory(1_000);
    var warmupReplayer = new OrchestrationReplayer(RegisterChain);
    for (var i = 0; i < 500; i++)
    {
        Check(warmupReplayer.Replay(warmup)); // tiered JIT settles before anything is timed
    }

    double? baseline = null;
    foreach (var events in new[] { 100, 1_000, 10_000 })
    {
        var history = BuildHistory(events);
        var replayer = new OrchestrationReplayer(RegisterChain);
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

static ExportedHistory BuildHistory(int targetEvents)
{
    // Each activity adds three events (OrchestratorStarted, TaskScheduled, TaskCompleted).
    var activities = Math.Max(1, (targetEvents - 3) / 3);
    var engine = BenchEngine.StartAsync(new InMemoryOrchestrationStore(), RegisterChain).GetAwaiter().GetResult();
    var id = engine.Client.ScheduleNewOrchestrationInstanceAsync("Chain", activities).GetAwaiter().GetResult();
    engine.Client.WaitForInstanceCompletionAsync(id).GetAwaiter().GetResult();
    var history = ExportedHistory.ExportAsync(engine.Client, id).GetAwaiter().GetResult();
    engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
    return history;
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static string TempDatabase() => Path.Combine(Directory.CreateTempSubdirectory("mets-bench-").FullName, "durable.db");

/// <summary>The engine composed with Microsoft's hosting API on the system clock, as a host composes it.</summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IHostedService _worker;

    private BenchEngine(ServiceProvider services, IHostedService worker)
    {
        _services = services;
        _worker = worker;
        Client = services.GetRequiredService<DurableTaskClient>();
        Hub = services.GetRequiredService<EmbeddedTaskHub>();
    }

    public DurableTaskClient Client { get; }

    public EmbeddedTaskHub Hub { get; }

    public static async Task<BenchEngine> StartAsync(IOrchestrationStore store, Action<DurableTaskRegistry> register)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);

        // The engine's warnings and errors (a failed store call its loops retry, a failed activity) go to stderr: a
        // bench that stalls or slows down says why.
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Warning));
        services.AddDurableTaskWorker(b => b.AddTasks(register).UseEmbeddedEngine());
        services.AddDurableTaskClient(b => b.UseEmbeddedEngine());
        var provider = services.BuildServiceProvider();
        var worker = provider.GetServices<IHostedService>().OfType<EmbeddedDurableTaskWorker>().Single();
        await worker.StartAsync(CancellationToken.None);
        return new BenchEngine(provider, worker);
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync(CancellationToken.None);
        var store = Hub.Store;
        await _services.DisposeAsync();
        await store.DisposeAsync();
    }
}
