namespace Mets.Durable;

/// <summary>
/// The orchestrator waits on something that is not a durable task (Task.Delay, Task.Run,
/// ConfigureAwait(false), I/O). Durable Functions would leave such an instance Running forever; the
/// embedded engine fails it with this exception instead (an intended difference, docs/durable-engine.md).
/// </summary>
public sealed class NonDurableAwaitException(string message) : Exception(message);
