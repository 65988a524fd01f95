using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>
/// Microsoft's runtime: <see cref="DurableTaskTestHost"/> (Microsoft.DurableTask.InProcessTestHost 0.2.3-preview.1,
/// an in-memory Durable Task Framework backend behind a gRPC sidecar, with Microsoft's gRPC worker and client), the
/// METS tasks from <c>registry.AddMetsTasks(schedule)</c> and the workflow's services in the worker host's DI.
/// Time is real: <see cref="ReachAsync"/> waits for the condition, with a timeout from the moment it is due.
/// </summary>
internal sealed class InProcessTestHostRuntime : ILifecycleRuntime, IAsyncDisposable
{
    private const int StartAttempts = 3;

    /// <summary>Beyond the moment a condition is due, this long before the wait fails (a loaded CI machine is slow, never this slow).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(15);

    /// <summary>A timer-driven condition seen this much before its moment means a timer fired early (or a condition is too weak).</summary>
    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(250);

    private readonly DurableTaskTestHost _host;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _folder;

    private InProcessTestHostRuntime(DurableTaskTestHost host, ILoggerFactory loggerFactory, string folder, ScenarioProbe probe, FakeLogCollector logs)
    {
        _host = host;
        _loggerFactory = loggerFactory;
        _folder = folder;
        Probe = probe;
        Logs = logs;
    }

    public string Name => "InProcessTestHost(real time)";

    public DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    public DurableTaskClient Client => _host.Client;

    public IServiceProvider Services => _host.Services;

    public EngagementService Service => Services.GetRequiredService<EngagementService>();

    public ScenarioProbe Probe { get; }

    public string Outbox => Path.Combine(_folder, "outbox");

    public FakeLogCollector Logs { get; }

    /// <summary>None: the in-process host keeps its history in memory (and its client does not return it).</summary>
    public IReadOnlyList<string> EngineFiles => [];

    /// <summary>Starts the host (its port is random between 30000 and 40000, unchecked: a start that loses the port is retried).</summary>
    public static async Task<InProcessTestHostRuntime> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-workflow-tests", "inprocess-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var configuration = LifecycleComposition.Configuration(folder);
        var schedule = LifecycleComposition.Schedule(configuration);
        var probe = new ScenarioProbe();
        var logs = new FakeLogCollector();
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var host = await DurableTaskTestHost.StartAsync(
                    registry => registry.AddMetsTasks(schedule),
                    new DurableTaskTestHostOptions
                    {
                        LoggerFactory = loggerFactory,
                        ConfigureServices = services => services.AddLifecycleWorkflow(configuration, probe, schedule),
                    });
                return new InProcessTestHostRuntime(host, loggerFactory, folder, probe, logs);
            }
            catch (IOException) when (attempt < StartAttempts)
            {
                // Kestrel could not bind the randomly chosen port: pick another.
            }
        }
    }

    public async Task<Observation> ReachAsync(EngagementId engagement, DateTimeOffset at, string what, Func<Observation, bool> condition)
    {
        var wait = at > Now ? at - Now : TimeSpan.Zero;
        Observation seen;
        try
        {
            seen = await Probe.WaitAsync(engagement, what, condition, wait + Slack);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{Name}: {ex.Message}\nInstances: {await RuntimeDiagnostics.DescribeInstancesAsync(Client, engagement)}", ex);
        }

        var early = at - Now;
        if (early > Early)
        {
            throw new InvalidOperationException($"'{what}' was reached {early.TotalSeconds:0.000} s before its moment. Seen: {ScenarioProbe.Describe(seen)}");
        }

        return seen;
    }

    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Slack);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _loggerFactory.Dispose();
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
