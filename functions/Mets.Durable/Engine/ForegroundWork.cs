namespace Mets.Durable.Engine;

/// <summary>
/// Work the host serves before the engine's own: callers waiting for an answer (the local host counts its HTTP
/// requests here). While any is in flight the engine steps back: at most one activity runs at a time and the
/// orchestration dispatcher pauses between rounds (<see cref="DurableEngineOptions.ForegroundPause"/>, ended early when
/// the foreground goes idle). Nothing is deferred durably: messages, activities and timers stay stored and run as soon
/// as the engine takes its turn, so a burst of requests is answered first and its backlog drained after. On a 2-core
/// machine the engine's work for a referral otherwise takes the CPU its answer needs (docs/performance.md).
/// </summary>
public sealed class ForegroundWork
{
    private readonly object _gate = new();
    private TaskCompletionSource _idle = Completed();
    private int _inFlight;

    /// <summary>True while at least one foreground call is in flight.</summary>
    public bool IsBusy => Volatile.Read(ref _inFlight) > 0;

    /// <summary>Marks one foreground call; dispose the answer when it is done.</summary>
    public Scope Begin()
    {
        lock (_gate)
        {
            if (_inFlight++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new Scope(this);
    }

    /// <summary>Completes when no foreground call is in flight (at once if none is).</summary>
    public Task WhenIdle
    {
        get
        {
            lock (_gate)
            {
                return _idle.Task;
            }
        }
    }

    private void End()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_inFlight == 0)
            {
                idle = _idle;
            }
        }

        idle?.TrySetResult();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>One foreground call; ends it when disposed.</summary>
    public readonly struct Scope(ForegroundWork owner) : IDisposable
    {
        public void Dispose() => owner?.End();
    }
}
