namespace Mets.Durable.Engine;

/// <summary>
/// A wake-up for one consumer loop that can never be lost. <see cref="Set"/> leaves the signal set until the
/// consumer calls <see cref="Reset"/>, which it does before it looks for work; a wait that is abandoned
/// (cancelled, or beaten by a timer) consumes nothing. The earlier SemaphoreSlim-based signal could hand a
/// Set to a wait whose cancellation was still being processed, and the loop then slept through new work.
/// </summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _current = NewSource();

    /// <summary>True while a Set has not been consumed by <see cref="Reset"/>.</summary>
    public bool IsSet => Volatile.Read(ref _current).Task.IsCompleted;

    public void Set() => Volatile.Read(ref _current).TrySetResult();

    /// <summary>Clears a consumed Set; call it before checking for work, then wait.</summary>
    public void Reset()
    {
        var current = Volatile.Read(ref _current);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _current, NewSource(), current);
        }
    }

    /// <summary>Completes once the signal is set (at once if it already is). Cancelling the wait consumes nothing.</summary>
    public Task WaitAsync(CancellationToken cancellation) => Volatile.Read(ref _current).Task.WaitAsync(cancellation);

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
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
