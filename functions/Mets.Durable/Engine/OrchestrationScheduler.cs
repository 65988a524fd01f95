namespace Mets.Durable.Engine;

/// <summary>
/// Runs orchestrator code deterministically: one FIFO queue, drained on the episode's own thread,
/// never inlining, plus a SynchronizationContext that posts back into the same queue, so every await
/// in orchestrator code resumes inside the episode. Work queued from another thread (a Task.Delay or
/// thread-pool continuation) or after the episode closed is refused and recorded as a violation.
/// </summary>
internal sealed class OrchestrationScheduler : TaskScheduler
{
    private readonly Queue<Task> _queue = new();
    private readonly Lock _gate = new();
    private readonly OrchestrationSynchronizationContext _synchronizationContext;
    private int _ownerThreadId = Environment.CurrentManagedThreadId;
    private bool _closed;

    public OrchestrationScheduler() => _synchronizationContext = new OrchestrationSynchronizationContext(this);

    /// <summary>Set when orchestrator code resumed from outside the episode (a non-durable await).</summary>
    public bool NonDurableContinuationDetected { get; private set; }

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Starts <paramref name="function"/> on this scheduler and returns its task.</summary>
    public Task<object?> Start(Func<Task<object?>> function) =>
        Task.Factory.StartNew(function, CancellationToken.None, TaskCreationOptions.None, this).Unwrap();

    /// <summary>Runs queued work until none is left.</summary>
    public void Drain()
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_synchronizationContext);
        try
        {
            while (TryDequeue(out var task))
            {
                TryExecuteTask(task);
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Ends the episode: anything queued later is refused.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Clear();
        }
    }

    /// <summary>Starts the next episode of a kept orchestration on the calling thread.</summary>
    public void Reopen()
    {
        lock (_gate)
        {
            _ownerThreadId = Environment.CurrentManagedThreadId;
            _closed = false;
        }
    }

    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            if (_closed || Environment.CurrentManagedThreadId != _ownerThreadId)
            {
                NonDurableContinuationDetected = true;
                return;
            }

            _queue.Enqueue(task);
        }
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
        {
            return _queue.ToArray();
        }
    }

    private bool TryDequeue(out Task task)
    {
        lock (_gate)
        {
            return _queue.TryDequeue(out task!);
        }
    }

    private sealed class OrchestrationSynchronizationContext(OrchestrationScheduler scheduler) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) =>
            new Task(() => d(state)).Start(scheduler);

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("Synchronous Send is not allowed in orchestrator code.");

        public override SynchronizationContext CreateCopy() => this;
    }
}
