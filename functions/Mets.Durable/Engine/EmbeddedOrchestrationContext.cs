using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Mets.Durable.Engine;

/// <summary>
/// The embedded engine's orchestration context for one episode. Every member is called on the
/// episode's thread; durable state (actions, open tasks, event waiters, buffered events) is rebuilt by
/// replaying the history, so it never has to be persisted.
/// </summary>
internal sealed class EmbeddedOrchestrationContext : TaskOrchestrationContext
{
    /// <summary>Durable Functions' namespace for deterministic GUIDs.</summary>
    private static readonly Guid GuidNamespace = new("9e952958-5e33-4daf-827f-2fa12937b875");

    /// <summary>Durable's cap on custom status: 16 KB of UTF-16 JSON text.</summary>
    private const int MaxCustomStatusChars = 16 * 1024 / 2;

    private readonly DataConverter _converter;
    private readonly string? _serializedInput;
    private readonly int _ownerThreadId = Environment.CurrentManagedThreadId;
    private readonly Dictionary<int, OpenTask> _openTasks = [];
    private readonly Dictionary<string, List<IEventWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HistoryEvent> _bufferedEvents = [];
    private int _nextSequence;
    private int _guidCounter;
    private DateTime _currentUtcDateTime;

    public EmbeddedOrchestrationContext(
        TaskName name,
        string instanceId,
        ParentOrchestrationInstance? parent,
        string? serializedInput,
        DataConverter converter,
        ILoggerFactory loggerFactory)
    {
        Name = name;
        InstanceId = instanceId;
        Parent = parent;
        _serializedInput = serializedInput;
        _converter = converter;
        LoggerFactory = loggerFactory;
    }

    public override TaskName Name { get; }

    public override string InstanceId { get; }

    public override ParentOrchestrationInstance? Parent { get; }

    public override DateTime CurrentUtcDateTime => _currentUtcDateTime;

    public override bool IsReplaying => Replaying;

    public bool Replaying { get; set; } = true;

    public Dictionary<int, OrchestrationAction> Actions { get; } = [];

    public HashSet<int> CancelledTimers { get; } = [];

    public string? CustomStatus { get; private set; }

    public bool CustomStatusSet { get; private set; }

    public bool ContinueAsNewRequested { get; private set; }

    public string? ContinueAsNewInput { get; private set; }

    public bool PreserveUnprocessedEvents { get; private set; }

    public IReadOnlyList<HistoryEvent> BufferedEvents => _bufferedEvents;

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

    public override T? GetInput<T>()
        where T : default => _converter.Deserialize<T>(_serializedInput);

    public override async Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        EnsureOnEpisodeThread(nameof(CallActivityAsync));
        var serialized = _converter.Serialize(input);
        if (options?.Retry?.Policy is { } policy)
        {
            return await WithRetry(policy, () => ScheduleAsync<TResult>(ActionKind.Activity, name, serialized, null));
        }

        return await ScheduleAsync<TResult>(ActionKind.Activity, name, serialized, null);
    }

    public override async Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null)
    {
        EnsureOnEpisodeThread(nameof(CallSubOrchestratorAsync));
        var serialized = _converter.Serialize(input);
        var instanceId = (options as SubOrchestrationOptions)?.InstanceId;
        if (options?.Retry?.Policy is { } policy)
        {
            return await WithRetry(policy, () => ScheduleAsync<TResult>(ActionKind.SubOrchestration, orchestratorName, serialized, instanceId));
        }

        return await ScheduleAsync<TResult>(ActionKind.SubOrchestration, orchestratorName, serialized, instanceId);
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        EnsureOnEpisodeThread(nameof(CreateTimer));
        if (fireAt.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Durable timers take UTC times only (DateTimeKind.Utc).", nameof(fireAt));
        }

        var sequence = _nextSequence++;
        Actions[sequence] = new OrchestrationAction(sequence, ActionKind.Timer, "timer") { FireAt = fireAt };
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

        if (stack.FirstOrDefault(w => w.PayloadType != typeof(T)) is { } other)
        {
            throw new InvalidOperationException(
                $"Event '{eventName}' is already awaited with payload type {other.PayloadType.Name}; it cannot also be awaited as {typeof(T).Name}.");
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
        Actions[sequence] = new OrchestrationAction(sequence, ActionKind.SendEvent, eventName)
        {
            InstanceId = instanceId,
            Input = _converter.Serialize(payload),
        };
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
    public void MatchRecorded(HistoryEvent scheduled)
    {
        var step = scheduled.TaskId ?? -1;
        if (!Actions.TryGetValue(step, out var action))
        {
            throw new NonDeterministicOrchestrationException(step, OrchestrationAction.Describe(scheduled), "schedules nothing at this step");
        }

        if (!action.Matches(scheduled))
        {
            throw new NonDeterministicOrchestrationException(step, OrchestrationAction.Describe(scheduled), $"schedules {action.Describe()}");
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

    /// <summary>Delivers an external event to the newest live waiter for its name, or buffers it (FIFO).</summary>
    public void RaiseEvent(HistoryEvent raised)
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
        if (kind == ActionKind.SubOrchestration)
        {
            instanceId ??= NewGuid().ToString("N");
        }

        Actions[sequence] = new OrchestrationAction(sequence, kind, name.Name) { Input = serializedInput, InstanceId = instanceId };
        var open = new OpenTask(kind, name.Name);
        _openTasks[sequence] = open;
        var result = await open.Completion.Task;
        return _converter.Deserialize<TResult>(result)!;
    }

    private async Task<TResult> WithRetry<TResult>(RetryPolicy policy, Func<Task<TResult>> attempt)
    {
        var firstAttemptAt = CurrentUtcDateTime;
        for (var number = 1; ; number++)
        {
            TaskFailedException failure;
            try
            {
                return await attempt();
            }
            catch (TaskFailedException ex)
            {
                failure = ex;
            }

            var delay = number < policy.MaxNumberOfAttempts ? policy.GetDelay(number) : TimeSpan.Zero;
            var withinTimeout = policy.RetryTimeout == Timeout.InfiniteTimeSpan || CurrentUtcDateTime + delay - firstAttemptAt <= policy.RetryTimeout;
            if (number >= policy.MaxNumberOfAttempts || !withinTimeout || !policy.HandleFailure(failure.FailureDetails))
            {
                throw failure;
            }

            await CreateTimer(CurrentUtcDateTime + delay, CancellationToken.None);
        }
    }

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
