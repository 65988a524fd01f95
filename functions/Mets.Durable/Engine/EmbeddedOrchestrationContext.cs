using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using CoreFailureDetails = DurableTask.Core.FailureDetails;
using CoreSubOrchestrationFailedException = DurableTask.Core.Exceptions.SubOrchestrationFailedException;
using CoreTaskFailedException = DurableTask.Core.Exceptions.TaskFailedException;

namespace Mets.Durable.Engine;

/// <summary>
/// The embedded engine's implementation of Microsoft's <see cref="TaskOrchestrationContext"/> for one
/// episode. Every member is called on the episode's thread; durable state (actions, open tasks, event
/// waiters, buffered events) is rebuilt by replaying the history, so it never has to be persisted.
/// Semantics follow Microsoft.DurableTask's own context (TaskOrchestrationContextWrapper over DurableTask.Core):
/// retries through durable timers as DurableTask.Core's RetryInterceptor does, LIFO event waiters, FIFO
/// buffered events, case-insensitive event names, UUID v5 <see cref="NewGuid"/>.
/// </summary>
internal sealed class EmbeddedOrchestrationContext : TaskOrchestrationContext
{
    /// <summary>Durable Functions' namespace for deterministic GUIDs.</summary>
    private static readonly Guid GuidNamespace = new("9e952958-5e33-4daf-827f-2fa12937b875");

    /// <summary>Durable's cap on custom status: 16 KB of UTF-16 JSON text.</summary>
    private const int MaxCustomStatusChars = 16 * 1024 / 2;

    private readonly DataConverter _converter;
    private object? _input;
    private int _ownerThreadId = Environment.CurrentManagedThreadId;
    private readonly Dictionary<int, OpenTask> _openTasks = [];
    private readonly Dictionary<string, List<IEventWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<StoredEvent> _bufferedEvents = [];
    private int _nextSequence;
    private int _guidCounter;
    private DateTime _currentUtcDateTime;

    public EmbeddedOrchestrationContext(
        TaskName name,
        string instanceId,
        ParentOrchestrationInstance? parent,
        DataConverter converter,
        ILoggerFactory loggerFactory)
    {
        Name = name;
        InstanceId = instanceId;
        Parent = parent;
        _converter = converter;
        LoggerFactory = loggerFactory;
    }

    public override TaskName Name { get; }

    public override string InstanceId { get; }

    public override ParentOrchestrationInstance? Parent { get; }

    public override DateTime CurrentUtcDateTime => _currentUtcDateTime;

    public override bool IsReplaying => Replaying;

    public bool Replaying { get; set; } = true;

    /// <summary>Every action the code took, by sequence (replay matches recorded events to them).</summary>
    public IReadOnlyDictionary<int, OrchestrationAction> Actions => _actions;

    private readonly Dictionary<int, OrchestrationAction> _actions = [];

    /// <summary>The actions taken since <see cref="TakeUnrecordedActions"/> last ran, in sequence order.</summary>
    private readonly List<OrchestrationAction> _actionsSinceTaken = [];

    /// <summary>
    /// The actions taken since the last call that no recorded event matched, in sequence order; the next call starts
    /// from the actions taken after this one. A kept orchestration's episode looks only at what its code did this
    /// episode, not at every action the instance took since it started.
    /// </summary>
    public List<OrchestrationAction> TakeUnrecordedActions()
    {
        var unrecorded = _actionsSinceTaken.FindAll(a => !a.Recorded);
        _actionsSinceTaken.Clear();
        return unrecorded;
    }

    private void AddAction(OrchestrationAction action)
    {
        _actions[action.Sequence] = action;
        _actionsSinceTaken.Add(action);
    }

    public HashSet<int> CancelledTimers { get; } = [];

    public string? CustomStatus { get; private set; }

    public bool CustomStatusSet { get; private set; }

    public bool ContinueAsNewRequested { get; private set; }

    public string? ContinueAsNewInput { get; private set; }

    public bool PreserveUnprocessedEvents { get; private set; }

    public IReadOnlyList<StoredEvent> BufferedEvents => _bufferedEvents;

    /// <summary>Events that arrived after the code returned with ContinueAsNew (they belong to the next generation).</summary>
    public List<StoredEvent> EventsAfterContinueAsNew { get; } = [];

    /// <summary>Activities, live timers and sub-orchestrations not finished yet (event waits do not count).</summary>
    public bool HasOpenDurableTasks => _openTasks.Count > 0;

    public bool HasLiveEventWaiters => _waiters.Values.Any(w => w.Count > 0);

    protected override ILoggerFactory LoggerFactory { get; }

    public void AdvanceTime(DateTime episodeStart)
    {
        var utc = DateTime.SpecifyKind(episodeStart, DateTimeKind.Utc);
        if (utc > _currentUtcDateTime)
        {
            _currentUtcDateTime = utc;
        }
    }

    /// <summary>The next episode of a kept orchestration runs on the calling thread.</summary>
    public void Reenter() => _ownerThreadId = Environment.CurrentManagedThreadId;

    /// <summary>The orchestration's input, deserialized as the orchestrator's input type before it runs.</summary>
    public void SetInput(object? input) => _input = input;

    public override T GetInput<T>() => (T)_input!;

    public override async Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        EnsureOnEpisodeThread(nameof(CallActivityAsync));
        if (input is TaskOptions && options is null)
        {
            throw new ArgumentException(
                $"A {nameof(TaskOptions)} value was provided for the activity input but no value was provided for {nameof(options)}. " +
                $"Did you actually mean to provide a {nameof(TaskOptions)} value for the {nameof(options)} parameter?",
                nameof(input));
        }

        var serialized = _converter.Serialize(input);
        return await WithRetry(options?.Retry, name, ActionKind.Activity, () => ScheduleAsync<TResult>(ActionKind.Activity, name, serialized, null));
    }

    public override async Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null)
    {
        EnsureOnEpisodeThread(nameof(CallSubOrchestratorAsync));
        var instanceId = (options as SubOrchestrationOptions)?.InstanceId ?? NewGuid().ToString("N");
        var serialized = _converter.Serialize(input);
        return await WithRetry(options?.Retry, orchestratorName, ActionKind.SubOrchestration, () => ScheduleAsync<TResult>(ActionKind.SubOrchestration, orchestratorName, serialized, instanceId));
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        EnsureOnEpisodeThread(nameof(CreateTimer));
        fireAt = fireAt.ToUniversalTime();
        var sequence = _nextSequence++;
        AddAction(new OrchestrationAction(sequence, ActionKind.Timer, "timer") { FireAt = fireAt });
        var open = new OpenTask(ActionKind.Timer, "timer");
        _openTasks[sequence] = open;
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                if (_openTasks.Remove(sequence))
                {
                    CancelledTimers.Add(sequence);
                    open.Completion.TrySetCanceled(cancellationToken);
                }
            });
        }

        return open.Completion.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        EnsureOnEpisodeThread(nameof(WaitForExternalEvent));
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        if (!_waiters.TryGetValue(eventName, out var stack))
        {
            stack = [];
            _waiters[eventName] = stack;
        }

        if (stack.Count > 0 && stack[^1].PayloadType != typeof(T))
        {
            throw new ArgumentException(
                "Events with the same name must have the same type argument. " +
                $"Expected {stack[^1].PayloadType.FullName} but was requested {typeof(T).FullName}.");
        }

        var buffered = _bufferedEvents.FindIndex(e => string.Equals(e.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (buffered >= 0)
        {
            var payload = _bufferedEvents[buffered].Input;
            _bufferedEvents.RemoveAt(buffered);
            var immediate = new EventWaiter<T>(_converter);
            immediate.Deliver(payload);
            return immediate.Completion.Task;
        }

        var waiter = new EventWaiter<T>(_converter);
        stack.Add(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                // A cancelled waiter leaves the stack at once, so it never consumes a later event.
                if (stack.Remove(waiter))
                {
                    waiter.Completion.TrySetCanceled(cancellationToken);
                }
            });
        }

        return waiter.Completion.Task;
    }

    public override void SendEvent(string instanceId, string eventName, object payload)
    {
        EnsureOnEpisodeThread(nameof(SendEvent));
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        var sequence = _nextSequence++;
        AddAction(new OrchestrationAction(sequence, ActionKind.SendEvent, eventName)
        {
            InstanceId = instanceId,
            Input = _converter.Serialize(payload),
        });
    }

    public override void SetCustomStatus(object? customStatus)
    {
        EnsureOnEpisodeThread(nameof(SetCustomStatus));
        var serialized = _converter.Serialize(customStatus);
        if (serialized is { Length: > MaxCustomStatusChars })
        {
            throw new ArgumentException($"The custom status is {serialized.Length * 2} bytes of UTF-16 JSON; the limit is 16 KB.", nameof(customStatus));
        }

        CustomStatus = serialized;
        CustomStatusSet = true;
    }

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true)
    {
        EnsureOnEpisodeThread(nameof(ContinueAsNew));
        ContinueAsNewRequested = true;
        ContinueAsNewInput = _converter.Serialize(newInput);
        PreserveUnprocessedEvents = preserveUnprocessedEvents;
    }

    public override Guid NewGuid()
    {
        EnsureOnEpisodeThread(nameof(NewGuid));
        var name = $"{InstanceId}_{CurrentUtcDateTime:o}_{_guidCounter++}";
        return CreateUuidV5(GuidNamespace, name);
    }

    /// <summary>Matches a recorded scheduling event to the action the replayed code took at that step.</summary>
    public void MatchRecorded(StoredEvent scheduled)
    {
        var step = scheduled.TaskId ?? -1;
        if (!Actions.TryGetValue(step, out var action))
        {
            throw NonDeterminism(step, OrchestrationAction.NotScheduledMessage(scheduled, step));
        }

        if (!action.Matches(scheduled))
        {
            throw NonDeterminism(step, OrchestrationAction.MismatchMessage(scheduled, action, step));
        }

        action.Recorded = true;
    }

    public void CompleteTask(int taskId, string? result)
    {
        if (_openTasks.Remove(taskId, out var open))
        {
            open.Completion.TrySetResult(result);
        }
    }

    public void FailTask(int taskId, TaskFailureDetails failure)
    {
        if (_openTasks.Remove(taskId, out var open))
        {
            open.Completion.TrySetException(new TaskFailedException(open.Name, taskId, failure));
        }
    }

    /// <summary>Which step of the history is being matched (for the non-determinism message).</summary>
    public static DurableTask.Core.Exceptions.NonDeterministicOrchestrationException NonDeterminism(int step, string details) =>
        new(step, details);

    /// <summary>Keeps an event that arrived after ContinueAsNew for the next generation.</summary>
    public void KeepForNextGeneration(StoredEvent raised) => EventsAfterContinueAsNew.Add(raised);

    /// <summary>Delivers an external event to the newest live waiter for its name, or buffers it (FIFO).</summary>
    public void RaiseEvent(StoredEvent raised)
    {
        if (raised.Name is not null && _waiters.TryGetValue(raised.Name, out var stack) && stack.Count > 0)
        {
            var waiter = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            waiter.Deliver(raised.Input);
            return;
        }

        _bufferedEvents.Add(raised);
    }

    private static Guid CreateUuidV5(Guid namespaceId, string name)
    {
        Span<byte> namespaceBytes = stackalloc byte[16];
        namespaceId.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var buffer = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(buffer);
        nameBytes.CopyTo(buffer.AsSpan(16));
#pragma warning disable CA5350 // UUID v5 is defined on SHA-1 (RFC 9562); not used for security.
        var hash = SHA1.HashData(buffer);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private async Task<TResult> ScheduleAsync<TResult>(ActionKind kind, TaskName name, string? serializedInput, string? instanceId)
    {
        var sequence = _nextSequence++;
        AddAction(new OrchestrationAction(sequence, kind, name.Name) { Input = serializedInput, InstanceId = instanceId });
        var open = new OpenTask(kind, name.Name);
        _openTasks[sequence] = open;
        var result = await open.Completion.Task;
        return _converter.Deserialize<TResult>(result)!;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> under the task's retry options, as Microsoft.DurableTask does: a
    /// <see cref="RetryPolicy"/> retries through durable timers with DurableTask.Core's RetryInterceptor
    /// rules (delay = first interval x coefficient^retry, capped; within the retry timeout measured from the
    /// first attempt; a zero-delay timer after the last failed attempt, kept by DurableTask.Core for history
    /// compatibility); an <see cref="AsyncRetryHandler"/> decides after each failure with no timer.
    /// Failures marked not retryable (a missing activity or orchestrator) are thrown at once.
    /// </summary>
    private async Task<TResult> WithRetry<TResult>(TaskRetryOptions? retry, TaskName name, ActionKind kind, Func<Task<TResult>> attempt)
    {
        if (retry?.Policy is { } policy)
        {
            return await WithRetryPolicy(policy, kind, attempt);
        }

        if (retry?.Handler is { } handler)
        {
            return await WithRetryHandler(handler, name, attempt);
        }

        return await attempt();
    }

    private async Task<TResult> WithRetryPolicy<TResult>(RetryPolicy policy, ActionKind kind, Func<Task<TResult>> attempt)
    {
        var firstAttempt = CurrentUtcDateTime;
        TaskFailedException? last = null;
        for (var retryCount = 0; retryCount < policy.MaxNumberOfAttempts; retryCount++)
        {
            try
            {
                return await attempt();
            }
            catch (TaskFailedException ex) when (!IsNonRetriable(ex.FailureDetails))
            {
                last = ex;
            }

            if (retryCount + 1 == policy.MaxNumberOfAttempts)
            {
                await CreateTimer(CurrentUtcDateTime, CancellationToken.None);
                break;
            }

            var delay = NextDelay(policy, kind, retryCount, firstAttempt, last);
            if (delay == TimeSpan.Zero)
            {
                break;
            }

            await CreateTimer(CurrentUtcDateTime.Add(delay), CancellationToken.None);
        }

        throw last!;
    }

    private TimeSpan NextDelay(RetryPolicy policy, ActionKind kind, int retryCount, DateTime firstAttempt, TaskFailedException failure)
    {
        if (!policy.Handle(ToCoreException(kind, failure)))
        {
            return TimeSpan.Zero;
        }

        var expires = policy.RetryTimeout == Timeout.InfiniteTimeSpan || policy.RetryTimeout == TimeSpan.MaxValue
            ? DateTime.MaxValue
            : firstAttempt.Add(policy.RetryTimeout);
        if (CurrentUtcDateTime >= expires)
        {
            return TimeSpan.Zero;
        }

        var milliseconds = policy.FirstRetryInterval.TotalMilliseconds * Math.Pow(policy.BackoffCoefficient, retryCount);
        var max = policy.MaxRetryInterval == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : policy.MaxRetryInterval;
        return milliseconds < max.TotalMilliseconds ? TimeSpan.FromMilliseconds(milliseconds) : max;
    }

    private async Task<TResult> WithRetryHandler<TResult>(AsyncRetryHandler handler, TaskName name, Func<Task<TResult>> attempt)
    {
        var start = CurrentUtcDateTime;
        var failures = 0;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (TaskFailedException ex) when (!IsNonRetriable(ex.FailureDetails))
            {
                failures++;
                var context = new RetryContext(this, failures, ex.FailureDetails, CurrentUtcDateTime.Subtract(start), CancellationToken.None);
                if (!await handler(context) || failures == int.MaxValue)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Missing orchestrators and activities are not retried, as in Microsoft's worker.</summary>
    private static bool IsNonRetriable(TaskFailureDetails failure) =>
        failure.ErrorType is "ActivityTaskNotFound" or "OrchestratorTaskNotFound";

    /// <summary>RetryPolicy.Handle takes the DurableTask.Core exception the SDK's own runtime would pass it.</summary>
    private static Exception ToCoreException(ActionKind kind, TaskFailedException failure)
    {
        var details = ToCoreDetails(failure.FailureDetails);
        return kind == ActionKind.SubOrchestration
            ? new CoreSubOrchestrationFailedException(failure.Message) { FailureDetails = details }
            : new CoreTaskFailedException(failure.Message) { FailureDetails = details };
    }

    private static CoreFailureDetails ToCoreDetails(TaskFailureDetails details) =>
        new(details.ErrorType, details.ErrorMessage, details.StackTrace, details.InnerFailure is null ? null : ToCoreDetails(details.InnerFailure), IsNonRetriable(details));

    private void EnsureOnEpisodeThread(string api)
    {
        if (Environment.CurrentManagedThreadId != _ownerThreadId)
        {
            throw new NonDurableAwaitException(
                $"Orchestrator '{Name}' called {api} outside its episode: it resumed after a non-durable await " +
                "(ConfigureAwait(false), Task.Run, Task.Delay or I/O). Use activities and durable timers.");
        }
    }

    private sealed class OpenTask(ActionKind kind, string name)
    {
        public ActionKind Kind { get; } = kind;

        public string Name { get; } = name;

        public TaskCompletionSource<string?> Completion { get; } = new();
    }

    private interface IEventWaiter
    {
        Type PayloadType { get; }

        void Deliver(string? payload);
    }

    private sealed class EventWaiter<T>(DataConverter converter) : IEventWaiter
    {
        public TaskCompletionSource<T> Completion { get; } = new();

        public Type PayloadType => typeof(T);

        public void Deliver(string? payload)
        {
            try
            {
                Completion.TrySetResult(converter.Deserialize<T>(payload)!);
            }
            catch (System.Text.Json.JsonException ex)
            {
                Completion.TrySetException(new InvalidOperationException($"The payload of an external event could not be read as {typeof(T).Name}.", ex));
            }
        }
    }
}
