namespace Mets.Durable.Engine;

/// <summary>An auto-reset wake-up: Set() wakes the current or next WaitAsync once.</summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every change since.
        }
    }

    public Task WaitAsync(CancellationToken cancellation) => _semaphore.WaitAsync(cancellation);

    public void Dispose() => _semaphore.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellation) => _semaphore.WaitAsync(timeout, cancellation);
}

/// <summary>Wakes every waiter whenever the engine makes progress (a commit, an activity, a timer).</summary>
internal sealed class ProgressPulse
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next pulse; take it before checking the condition.</summary>
    public Task Next => Volatile.Read(ref _current).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
