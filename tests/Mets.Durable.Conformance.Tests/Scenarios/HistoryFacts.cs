using DurableTask.Core.History;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>The comparable facts of an instance history.</summary>
public static class HistoryFacts
{
    /// <summary>Gets the work scheduled, in history order, as short strings.</summary>
    /// <param name="history">The history.</param>
    /// <param name="normalize">Replaces instance ids.</param>
    /// <returns>"activity:Name", "timer", "sub:Name", "send:Name->target".</returns>
    public static IReadOnlyList<string> Scheduled(IEnumerable<HistoryEvent> history, Func<string, string> normalize) =>
        history.Select(e => e switch
        {
            TaskScheduledEvent t => $"activity:{t.Name}",
            TimerCreatedEvent => "timer",
            SubOrchestrationInstanceCreatedEvent s => $"sub:{s.Name}",
            EventSentEvent s => $"send:{s.Name}->{normalize(s.InstanceId)}",
            _ => null,
        }).OfType<string>().ToList();

    /// <summary>Gets the names of the external events, in history order.</summary>
    /// <param name="history">The history.</param>
    /// <returns>The names as raised.</returns>
    public static IReadOnlyList<string> Received(IEnumerable<HistoryEvent> history) =>
        history.OfType<EventRaisedEvent>().Select(e => e.Name).ToList();

    /// <summary>
    /// Gets each durable timer's delay: its fire time minus the start of the episode that created it (the
    /// orchestration's CurrentUtcDateTime then), in milliseconds.
    /// </summary>
    /// <param name="history">The history.</param>
    /// <returns>The delays, in history order.</returns>
    public static IReadOnlyList<long> TimerDelaysMs(IEnumerable<HistoryEvent> history)
    {
        List<long> delays = [];
        DateTime episodeStart = default;
        foreach (var e in history)
        {
            if (e is OrchestratorStartedEvent started)
            {
                episodeStart = started.Timestamp;
            }
            else if (e is TimerCreatedEvent timer)
            {
                delays.Add((long)Math.Round((timer.FireAt - episodeStart).TotalMilliseconds));
            }
        }

        return delays;
    }

    /// <summary>Gets a compact list of the lifecycle and event entries of a history, in order.</summary>
    /// <param name="history">The history.</param>
    /// <returns>
    /// "suspended", "resumed", "event:Name", "activity-done", "activity-failed", "timer-fired", "terminated", "continued",
    /// "completed:Status".
    /// </returns>
    public static IReadOnlyList<string> Lifecycle(IEnumerable<HistoryEvent> history) =>
        history.Select(e => e switch
        {
            ExecutionSuspendedEvent => "suspended",
            ExecutionResumedEvent => "resumed",
            EventRaisedEvent r => $"event:{r.Name}",
            TaskCompletedEvent => "activity-done",
            TaskFailedEvent => "activity-failed",
            TimerFiredEvent => "timer-fired",
            ExecutionTerminatedEvent => "terminated",
            ContinueAsNewEvent => "continued",
            ExecutionCompletedEvent c => $"completed:{c.OrchestrationStatus}",
            _ => null,
        }).OfType<string>().ToList();
}
