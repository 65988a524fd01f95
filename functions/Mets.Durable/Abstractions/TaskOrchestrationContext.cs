using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mets.Durable;

/// <summary>
/// The orchestration context, with the member names, shapes and semantics of
/// Microsoft.DurableTask.TaskOrchestrationContext. Orchestrator code must be deterministic: time from
/// <see cref="CurrentUtcDateTime"/>, ids from <see cref="NewGuid"/>, I/O only in activities, no
/// Task.Delay / Task.Run / ConfigureAwait(false).
/// </summary>
public abstract class TaskOrchestrationContext
{
    public abstract TaskName Name { get; }

    public abstract string InstanceId { get; }

    /// <summary>The parent orchestration when this is a sub-orchestration; otherwise null.</summary>
    public abstract ParentOrchestrationInstance? Parent { get; }

    /// <summary>The time the current episode started (UTC); never moves backwards; replays identically.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    public abstract bool IsReplaying { get; }

    protected abstract ILoggerFactory LoggerFactory { get; }

    public abstract T? GetInput<T>();

    public virtual Task CallActivityAsync(TaskName name, object? input = null, TaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    public virtual Task CallActivityAsync(TaskName name, TaskOptions options) => CallActivityAsync(name, null, options);

    public virtual Task<TResult> CallActivityAsync<TResult>(TaskName name, TaskOptions options) =>
        CallActivityAsync<TResult>(name, null, options);

    public abstract Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null);

    public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken) =>
        CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>A durable timer; <paramref name="fireAt"/> must be UTC. A time in the past fires at once.</summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    /// <summary>Waits for an external event (names are case-insensitive; early events are buffered).</summary>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>Waits for an event or throws <see cref="TaskCanceledException"/> when the timeout's durable timer fires first.</summary>
    public Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout) =>
        WaitForExternalEvent<T>(eventName, timeout, CancellationToken.None);

    public async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var eventCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = CreateTimer(CurrentUtcDateTime.Add(timeout), timerCancellation.Token);
        var externalEvent = WaitForExternalEvent<T>(eventName, eventCancellation.Token);
        var winner = await Task.WhenAny(timer, externalEvent);
        if (winner == externalEvent)
        {
            await timerCancellation.CancelAsyncInline();
        }
        else
        {
            await eventCancellation.CancelAsyncInline();
        }

        return await externalEvent;
    }

    public abstract void SendEvent(string instanceId, string eventName, object payload);

    /// <summary>Sets the custom status (JSON, at most 16 KB of UTF-16 text, as in Durable).</summary>
    public abstract void SetCustomStatus(object? customStatus);

    public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null);

    public virtual Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, TaskOptions options) =>
        CallSubOrchestratorAsync<TResult>(orchestratorName, null, options);

    public virtual Task CallSubOrchestratorAsync(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        CallSubOrchestratorAsync<object?>(orchestratorName, input, options);

    public virtual Task CallSubOrchestratorAsync(TaskName orchestratorName, TaskOptions options) =>
        CallSubOrchestratorAsync(orchestratorName, null, options);

    /// <summary>Restarts the orchestration with a fresh history once the orchestrator returns.</summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A deterministic, replay-stable GUID (UUID v5 of instance id, time and a counter).</summary>
    public abstract Guid NewGuid();

    public virtual ILogger CreateReplaySafeLogger(string categoryName) =>
        new ReplaySafeLogger(this, LoggerFactory.CreateLogger(categoryName));

    public virtual ILogger CreateReplaySafeLogger(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return CreateReplaySafeLogger(type.FullName ?? type.Name);
    }

    public virtual ILogger CreateReplaySafeLogger<T>() => CreateReplaySafeLogger(typeof(T));

    private sealed class ReplaySafeLogger(TaskOrchestrationContext context, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!context.IsReplaying)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}

/// <summary>Identifies the parent of a sub-orchestration.</summary>
public sealed record ParentOrchestrationInstance(TaskName Name, string InstanceId);

internal static class CancellationTokenSourceExtensions
{
    /// <summary>Cancels synchronously on the orchestration thread (CancelAsync would leave it).</summary>
    public static Task CancelAsyncInline(this CancellationTokenSource source)
    {
        source.Cancel();
        return Task.CompletedTask;
    }
}
