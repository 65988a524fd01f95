using System.Collections.Concurrent;
using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>
/// Signals between an orchestration's activities and the test, keyed by instance id and a name, so the test waits for
/// a state the orchestrator reached instead of polling.
/// </summary>
/// <remarks>
/// The activity runs only after the episode that scheduled it is committed (history, status and custom status), so
/// when <see cref="TestNotify"/> or <see cref="TestCheckpoint"/> runs, the instance visibly reached that point.
/// </remarks>
public static class TestSignals
{
    /// <summary>How long a checkpoint waits for the test before it gives up (so nothing hangs a run).</summary>
    public static readonly TimeSpan CheckpointLimit = TimeSpan.FromSeconds(20);

    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Sources = new(StringComparer.Ordinal);

    /// <summary>Gets the signal an activity of the instance completes when it reaches the point.</summary>
    /// <param name="instanceId">The orchestration instance.</param>
    /// <param name="name">The point's name.</param>
    /// <returns>The signal.</returns>
    public static TaskCompletionSource Reached(string instanceId, string name) => Get(instanceId, name, "reached");

    /// <summary>Gets the signal the test completes to let a <see cref="TestCheckpoint"/> of the instance return.</summary>
    /// <param name="instanceId">The orchestration instance.</param>
    /// <param name="name">The checkpoint's name.</param>
    /// <returns>The signal.</returns>
    public static TaskCompletionSource Released(string instanceId, string name) => Get(instanceId, name, "released");

    /// <summary>Registers the activities that signal the test.</summary>
    /// <param name="registry">The registry.</param>
    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddActivity<TestNotify>();
        registry.AddActivity<TestCheckpoint>();
    }

    private static TaskCompletionSource Get(string instanceId, string name, string kind) =>
        Sources.GetOrAdd($"{instanceId}/{name}/{kind}", _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>Tells the test the calling instance reached the point named by the input, then returns it.</summary>
public sealed class TestNotify : TaskActivity<string, string>
{
    /// <inheritdoc />
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        TestSignals.Reached(context.InstanceId, input).TrySetResult();
        return Task.FromResult(input);
    }
}

/// <summary>
/// Tells the test the calling instance reached the checkpoint named by the input, then waits until the test releases
/// it (at most <see cref="TestSignals.CheckpointLimit"/>); returns "released" or "not released".
/// </summary>
public sealed class TestCheckpoint : TaskActivity<string, string>
{
    /// <inheritdoc />
    public override async Task<string> RunAsync(TaskActivityContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        TestSignals.Reached(context.InstanceId, input).TrySetResult();
        try
        {
            await TestSignals.Released(context.InstanceId, input).Task.WaitAsync(TestSignals.CheckpointLimit);
            return "released";
        }
        catch (TimeoutException)
        {
            return "not released";
        }
    }
}

/// <summary>Orchestration steps that line an orchestrator up with the test.</summary>
public static class TestSteps
{
    /// <summary>The checkpoint <see cref="HoldWhileTestRaisesEventsAsync"/> holds the orchestration in.</summary>
    public const string Hold = "hold";

    /// <summary>
    /// Holds the orchestration in a <see cref="TestCheckpoint"/> while the test raises events
    /// (<see cref="ScenarioRun.RaiseDuringHoldAsync"/>), then runs one more activity. Every event raised during the hold is
    /// in the history before the orchestrator's next line runs, and no wait was live when it arrived, however the
    /// runtime batches messages (the in-process test host puts an activity result ahead of client events that arrived
    /// before it in the same batch).
    /// </summary>
    /// <param name="context">The orchestration context.</param>
    /// <returns>A task completed after the hold and the settling activity.</returns>
    public static async Task HoldWhileTestRaisesEventsAsync(TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.CallActivityAsync<string>(nameof(TestCheckpoint), Hold);
        await context.CallActivityAsync<string>(nameof(TestNotify), "settled");
    }
}
