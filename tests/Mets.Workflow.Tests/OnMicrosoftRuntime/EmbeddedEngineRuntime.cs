using Mets.Domain.Identifiers;
using Mets.Durable.Storage.Sqlite;
using Mets.Durable.Testing;
using Mets.Workflow.Application;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>
/// The embedded engine (SQLite) on fake time, composed as the hosts compose it (Microsoft's
/// <c>AddDurableTaskWorker(b =&gt; b.AddMetsTasks().UseEmbeddedEngine())</c>, see <see cref="DurableTestHost"/>):
/// <see cref="ReachAsync"/> moves the clock to the moment, timer by timer, and waits until the engine is idle, so
/// every timer of the policy fires at exactly its moment and the order of events is that of the policy.
/// </summary>
internal sealed class EmbeddedEngineRuntime : ILifecycleRuntime, IAsyncDisposable
{
    private static readonly TimeSpan ConditionTimeout = TimeSpan.FromSeconds(10);
    private readonly DurableTestHost _host;
    private readonly string _folder;

    private EmbeddedEngineRuntime(DurableTestHost host, string folder, ScenarioProbe probe, FakeLogCollector logs)
    {
        _host = host;
        _folder = folder;
        Probe = probe;
        Logs = logs;
    }

    public string Name => "EmbeddedEngine(fake time)";

    public DateTimeOffset Now => _host.Time.GetUtcNow();

    public DurableTaskClient Client => _host.Client;

    public IServiceProvider Services => _host.Services;

    public EngagementService Service => Services.GetRequiredService<EngagementService>();

    public ScenarioProbe Probe { get; }

    public string Outbox => Path.Combine(_folder, "outbox");

    public FakeLogCollector Logs { get; }

    public IReadOnlyList<string> EngineFiles => [.. Directory.GetFiles(_folder, "durable.db*").Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))];

    public static async Task<EmbeddedEngineRuntime> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-workflow-tests", "embedded-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var configuration = LifecycleComposition.Configuration(folder);
        var schedule = LifecycleComposition.Schedule(configuration);
        var probe = new ScenarioProbe();
        var logs = new FakeLogCollector();
        var host = await DurableTestHost.StartAsync(
            _ => { },
            new SqliteOrchestrationStore(Path.Combine(folder, "durable.db")),
            configureServices: services => services
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)))
                .AddLifecycleWorkflow(configuration, probe, schedule),
            configureWorker: b => b.AddMetsTasks());
        return new EmbeddedEngineRuntime(host, folder, probe, logs);
    }

    public async Task<Observation> ReachAsync(EngagementId engagement, DateTimeOffset at, string what, Func<Observation, bool> condition)
    {
        if (at > Now)
        {
            await _host.AdvanceToAsync(at);
        }

        await _host.WaitForIdleAsync();

        // Idle at that moment: the condition holds now or the script expected the wrong thing.
        try
        {
            return await Probe.WaitAsync(engagement, what, condition, ConditionTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{Name}: {ex.Message}\nInstances: {await RuntimeDiagnostics.DescribeInstancesAsync(Client, engagement)}", ex);
        }
    }

    public Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId) => _host.WaitForCompletionAsync(instanceId);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind does not fail a test
        }
    }
}
