using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Durable.Testing;

/// <summary>
/// Runs the embedded engine on a <see cref="FakeTimeProvider"/>, composed exactly as a host composes it
/// (Microsoft's <c>AddDurableTaskWorker</c> / <c>AddDurableTaskClient</c> with <c>UseEmbeddedEngine()</c>):
/// <see cref="AdvanceAsync"/> moves time forward timer by timer, waiting until the engine is idle at each
/// step, so months of timers fire in order in milliseconds. Nothing here sleeps: every wait is on the
/// engine's progress.
/// </summary>
public sealed class DurableTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IHostedService _worker;

    private DurableTestHost(ServiceProvider services, IHostedService worker, FakeTimeProvider time)
    {
        _services = services;
        _worker = worker;
        Time = time;
        Client = services.GetRequiredService<DurableTaskClient>();
        Hub = services.GetRequiredService<EmbeddedTaskHub>();
    }

    /// <summary>Default start of fake time: a fixed, readable UTC instant.</summary>
    public static DateTimeOffset DefaultStart { get; } = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Generous bound on any single wait, so a broken engine fails a test instead of hanging it.</summary>
    public static TimeSpan WaitTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The host's services (those <c>configureServices</c> added, the engine's, the client).</summary>
    public IServiceProvider Services => _services;

    public EmbeddedTaskHub Hub { get; }

    public IOrchestrationStore Store => Hub.Store;

    public FakeTimeProvider Time { get; }

    public DurableTaskClient Client { get; }

    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    /// <param name="register">Adds the orchestrators and activities to Microsoft's registry.</param>
    /// <param name="store">The store (in memory by default); the host disposes it.</param>
    /// <param name="start">Fake time at start (<see cref="DefaultStart"/> by default).</param>
    /// <param name="configureServices">Services the tasks need (resolved per activity and episode scope).</param>
    /// <param name="loggerFactory">Where the engine and tasks log.</param>
    /// <param name="converter">The serializer (Microsoft's JSON converter by default).</param>
    /// <param name="options">Engine settings.</param>
    /// <param name="configureWorker">More worker configuration, e.g. tasks registered from the host's services.</param>
    public static async Task<DurableTestHost> StartAsync(
        Action<DurableTaskRegistry> register,
        IOrchestrationStore? store = null,
        DateTimeOffset? start = null,
        Action<IServiceCollection>? configureServices = null,
        ILoggerFactory? loggerFactory = null,
        DataConverter? converter = null,
        DurableEngineOptions? options = null,
        Action<IDurableTaskWorkerBuilder>? configureWorker = null)
    {
        ArgumentNullException.ThrowIfNull(register);
        var time = new FakeTimeProvider(start ?? DefaultStart);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time); // before configureServices: a clock it registers wins, TryAdd does not
        configureServices?.Invoke(services);
        services.AddSingleton(store ?? new InMemoryOrchestrationStore());
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
        }

        if (converter is not null)
        {
            services.AddSingleton(converter);
        }

        services.AddDurableTaskWorker(b =>
        {
            b.AddTasks(register).UseEmbeddedEngine(o =>
            {
                if (options is not null)
                {
                    o.MaxConcurrentActivities = options.MaxConcurrentActivities;
                    o.OrchestrationBatchSize = options.OrchestrationBatchSize;
                    o.OrchestrationsKeptInMemory = options.OrchestrationsKeptInMemory;
                    o.RetryAfterStoreFailure = options.RetryAfterStoreFailure;
                }
            });
            configureWorker?.Invoke(b);
        });
        services.AddDurableTaskClient(b => b.UseEmbeddedEngine());
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        var worker = provider.GetServices<IHostedService>().OfType<EmbeddedDurableTaskWorker>().Single();
        await worker.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await provider.GetRequiredService<EmbeddedTaskHub>().EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
        return new DurableTestHost(provider, worker, time);
    }

    /// <summary>Waits until the engine has nothing to do at the current fake time.</summary>
    public async Task WaitForIdleAsync()
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        await Hub.WaitForIdleAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Moves fake time forward by <paramref name="by"/>, firing every timer due on the way, in order.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var target = Time.GetUtcNow() + by;
        await WaitForIdleAsync().ConfigureAwait(false);
        while (true)
        {
            var next = await Store.GetNextTimerDueAsync(CancellationToken.None).ConfigureAwait(false);
            if (next is not { } due || new DateTimeOffset(DateTime.SpecifyKind(due, DateTimeKind.Utc)) > target)
            {
                break;
            }

            var dueAt = new DateTimeOffset(DateTime.SpecifyKind(due, DateTimeKind.Utc));
            if (dueAt > Time.GetUtcNow())
            {
                Time.SetUtcNow(dueAt);
            }

            await WaitForIdleAsync().ConfigureAwait(false);
        }

        if (target > Time.GetUtcNow())
        {
            Time.SetUtcNow(target);
        }

        await WaitForIdleAsync().ConfigureAwait(false);
    }

    /// <summary>Moves fake time to <paramref name="at"/> (see <see cref="AdvanceAsync"/>).</summary>
    public Task AdvanceToAsync(DateTimeOffset at) => AdvanceAsync(at - Time.GetUtcNow());

    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Stops the worker (running activities finish), then disposes the services and the store.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(WaitTimeout))
        {
            try
            {
                await _worker.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutting down regardless: unfinished activities run again on the next start.
            }
        }

        var store = Store;
        await _services.DisposeAsync().ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
    }
}
