using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mets.Durable.Replay;

/// <summary>What replaying a recorded history against current code found.</summary>
public sealed record ReplayResult(string InstanceId, bool IsDeterministic, string? Problem)
{
    public override string ToString() => IsDeterministic ? $"{InstanceId}: deterministic" : $"{InstanceId}: {Problem}";
}

/// <summary>
/// Replays exported histories against the orchestrators registered now, without running activities or
/// timers, and reports non-determinism: a step that schedules something else than the history recorded,
/// a recorded step the code no longer reaches, or a completed instance whose replay ends differently.
/// Use it in tests to guard orchestrator changes against instances already in flight.
/// </summary>
public sealed class OrchestrationReplayer(DurableTaskRegistry registry, DataConverter? converter = null, IServiceProvider? services = null)
{
    private readonly OrchestrationExecutor _executor = new(
        registry,
        services ?? new NoServices(),
        converter ?? DataConverter.Default,
        NullLoggerFactory.Instance);

    public ReplayResult Replay(ExportedHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var started = history.Events.FirstOrDefault(e => e.EventType == HistoryEventType.ExecutionStarted);
        if (started is null)
        {
            return new ReplayResult(history.InstanceId, false, "The history has no ExecutionStarted event.");
        }

        var instance = new InstanceRecord(history.InstanceId, history.Name) { Input = started.Input, ParentInstanceId = history.ParentInstanceId };
        var recordedEnd = history.Events.LastOrDefault(e => e.EventType is HistoryEventType.ExecutionCompleted or HistoryEventType.ExecutionFailed);
        var replayed = history.Events.Where(e => e.EventType is not (HistoryEventType.ExecutionCompleted or HistoryEventType.ExecutionFailed)).ToList();
        var lastTime = replayed.Count == 0 ? DateTime.UnixEpoch : replayed.Max(e => e.Timestamp);
        var result = _executor.Execute(instance, replayed, [], lastTime);

        if (result.Failure is { ErrorType: var type } failure && type == typeof(NonDeterministicOrchestrationException).FullName)
        {
            return new ReplayResult(history.InstanceId, false, failure.ErrorMessage);
        }

        if (recordedEnd is not null)
        {
            var recordedCompleted = recordedEnd.EventType == HistoryEventType.ExecutionCompleted;
            if (recordedCompleted && (result.Outcome != EpisodeOutcome.Completed || result.Output != recordedEnd.Result))
            {
                return new ReplayResult(history.InstanceId, false, $"The recorded instance completed with {recordedEnd.Result ?? "null"}; the replay ends {Describe(result)}.");
            }

            if (!recordedCompleted && result.Outcome != EpisodeOutcome.Failed)
            {
                return new ReplayResult(history.InstanceId, false, $"The recorded instance failed; the replay ends {Describe(result)}.");
            }
        }
        else if (result.Outcome == EpisodeOutcome.Failed)
        {
            return new ReplayResult(history.InstanceId, false, $"The recorded instance is still running; the replay fails: {result.Failure}.");
        }

        return new ReplayResult(history.InstanceId, true, null);
    }

    private static string Describe(EpisodeResult result) => result.Outcome switch
    {
        EpisodeOutcome.Completed => $"completed with {result.Output ?? "null"}",
        EpisodeOutcome.Failed => $"failed: {result.Failure}",
        EpisodeOutcome.ContinuedAsNew => "continuing as new",
        _ => "still waiting",
    };

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
