using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Durable.Testing;

/// <summary>
/// Runs the embedded engine on a <see cref="FakeTimeProvider"/>: <see cref="AdvanceAsync"/> moves time
/// forward timer by timer, waiting until the engine is idle at each step, so months of timers fire in
/// order in milliseconds. Nothing here sleeps: every wait is on the engine's progress.
/// </summary>
public sealed class DurableTestHost : IAsyncDisposable
{
    private DurableTestHost(DurableEngine engine, IOrchestrationStore store, FakeTimeProvider time)
    {
        Engine = engine;
        Store = store;
        Time = time;
    }

    /// <summary>Default start of fake time: a fixed, readable UTC instant.</summary>
    public static DateTimeOffset DefaultStart { get; } = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Generous bound on any single wait, so a broken engine fails a test instead of hanging it.</summary>
    public static TimeSpan WaitTimeout { get; } = TimeSpan.FromSeconds(30);

    public DurableEngine Engine { get; }

    public IOrchestrationStore Store { get; }

    public FakeTimeProvider Time { get; }

    public DurableTaskClient Client => Engine.Client;

    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    public static async Task<DurableTestHost> StartAsync(
        Action<DurableTaskRegistry> register,
        IOrchestrationStore? store = null,
        DateTimeOffset? start = null,
        IServiceProvider? services = null,
        ILoggerFactory? loggerFactory = null,
        DataConverter? converter = null,
        DurableEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(register);
        var registry = new DurableTaskRegistry();
        register(registry);
        var time = new FakeTimeProvider(start ?? DefaultStart);
        store ??= new InMemoryOrchestrationStore();
        var engine = new DurableEngine(store, registry, time, options, converter, loggerFactory, services);
        await engine.StartAsync().ConfigureAwait(false);
        return new DurableTestHost(engine, store, time);
    }

    /// <summary>Waits until the engine has nothing to do at the current fake time.</summary>
    public async Task WaitForIdleAsync()
    {
        using var timeout = new CancellationTokenSource(WaitTimeout);
        await Engine.WaitForIdleAsync(timeout.Token).ConfigureAwait(false);
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

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
