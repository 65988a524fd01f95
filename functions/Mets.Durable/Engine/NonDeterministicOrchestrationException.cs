namespace Mets.Durable;

/// <summary>Replayed orchestrator code scheduled something other than the recorded history.</summary>
public sealed class NonDeterministicOrchestrationException(int step, string expected, string actual)
    : Exception($"Non-deterministic workflow detected at step #{step}: the history has {expected}, but the orchestrator code now {actual}.")
{
    public int Step { get; } = step;

    public string Expected { get; } = expected;

    public string Actual { get; } = actual;
}

/// <summary>The orchestrator waits on something that is not a durable task (Task.Delay, Task.Run, ConfigureAwait(false), I/O).</summary>
public sealed class NonDurableAwaitException(string message) : Exception(message);
