using Mets.Durable.Storage;

namespace Mets.Durable.Engine;

/// <summary>
/// What the embedded engine's client and worker share in one process: the store, the clock, and the
/// wake-up signals that tell the worker's loops that new work was committed. The client writes messages
/// to the store and wakes the worker; the worker (<see cref="EmbeddedDurableTaskWorker"/>) runs them.
/// Registered as a singleton by <c>UseEmbeddedEngine()</c>.
/// </summary>
public sealed class EmbeddedTaskHub
{
    private readonly Lazy<Task> _initialization;
    private int _activitiesInFlight;

    public EmbeddedTaskHub(IOrchestrationStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        Store = store;
        Time = time;
        _initialization = new Lazy<Task>(() => Store.InitializeAsync(CancellationToken.None), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IOrchestrationStore Store { get; }

    public TimeProvider Time { get; }

    /// <summary>Calls the host answers before the engine's own work (see <see cref="ForegroundWork"/>).</summary>
    public ForegroundWork Foreground { get; } = new();

    internal WakeSignal OrchestrationWake { get; } = new();

    internal WakeSignal ActivityWake { get; } = new();

    internal WakeSignal TimerWake { get; } = new();

    internal ProgressPulse Progress { get; } = new();

    internal int ActivitiesInFlight => Volatile.Read(ref _activitiesInFlight);

    /// <summary>Opens the store once (schema, lock file); the client and the worker both call it. A failure stays a failure.</summary>
    public Task EnsureInitializedAsync(CancellationToken cancellation) => _initialization.Value.WaitAsync(cancellation);

    /// <summary>
    /// Completes when nothing is left to do now: no message to process, no activity pending or running, no
    /// timer due at the current time. Woken by progress, never by polling. Needs a running worker.
    /// </summary>
    public async Task WaitForIdleAsync(CancellationToken cancellation = default)
    {
        await EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        while (true)
        {
            var next = Progress.Next;
            var counts = await Store.GetWorkCountsAsync(UtcNow(), cancellation).ConfigureAwait(false);
            if (counts.ReadyInstances == 0 && counts.Activities == 0 && counts.DueTimers == 0 && ActivitiesInFlight == 0)
            {
                return;
            }

            TimerWake.Set();
            OrchestrationWake.Set();
            await next.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    internal void NotifyNewMessages()
    {
        OrchestrationWake.Set();
        Progress.Pulse();
    }

    internal void ActivityStarted() => Interlocked.Increment(ref _activitiesInFlight);

    internal void ActivityStored() => Interlocked.Decrement(ref _activitiesInFlight);

    internal DateTime UtcNow() => Time.GetUtcNow().UtcDateTime;
}
