using System.Collections.Immutable;
using DurableTask.Core.History;
using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>
/// One run of a scenario on one runtime: instance ids tagged with a role (so outcomes name roles, not ids), generous
/// waits, the test's signals, observations, and the capture of the outcome.
/// </summary>
public sealed class ScenarioRun : IDisposable
{
    /// <summary>The upper bound of every wait of a run (only a broken runtime reaches it).</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly Scenario scenario;
    private readonly CancellationTokenSource timeout = new(Generous);
    private readonly Dictionary<string, string> roles = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> observations = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="ScenarioRun"/> class.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="runtime">The runtime it runs on.</param>
    public ScenarioRun(Scenario scenario, IDurableRuntime runtime)
    {
        this.scenario = scenario;
        Runtime = runtime;
    }

    /// <summary>Gets the runtime.</summary>
    public IDurableRuntime Runtime { get; }

    /// <summary>Gets the runtime's client.</summary>
    public DurableTaskClient Client => Runtime.Client;

    /// <summary>Gets the run's cancellation (<see cref="Generous"/> after the start).</summary>
    public CancellationToken Cancellation => timeout.Token;

    /// <summary>Creates a unique instance id for a role; outcomes show it as "{role}".</summary>
    /// <param name="role">The role, e.g. "main", "receiver".</param>
    /// <returns>The instance id.</returns>
    public string NewInstanceId(string role = "main")
    {
        var id = $"{scenario.Name}-{role}-{Guid.NewGuid():N}";
        roles[id] = "{" + role + "}";
        return id;
    }

    /// <summary>Schedules an orchestration under a new id for the role.</summary>
    /// <param name="orchestrator">The orchestrator's name.</param>
    /// <param name="input">The input.</param>
    /// <param name="role">The role.</param>
    /// <returns>The instance id.</returns>
    public Task<string> StartAsync(TaskName orchestrator, object? input = null, string role = "main") =>
        Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(NewInstanceId(role)), Cancellation);

    /// <summary>Waits (generously) until the instance is Completed, Failed or Terminated.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <returns>Its metadata with inputs and outputs.</returns>
    public Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId) =>
        Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, Cancellation);

    /// <summary>
    /// Waits at most <paramref name="bound"/> for the instance to finish: for scenarios whose point is that it does
    /// NOT finish (a bounded wait for a negative result, never a polling loop).
    /// </summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="bound">How long to wait.</param>
    /// <returns>Whether it finished within the bound.</returns>
    public async Task<bool> FinishesWithinAsync(string instanceId, TimeSpan bound)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        limit.CancelAfter(bound);
        try
        {
            await Client.WaitForInstanceCompletionAsync(instanceId, limit.Token);
            return true;
        }
        catch (OperationCanceledException) when (!Cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Waits until an activity of the instance signalled the point (<see cref="TestNotify"/>, <see cref="TestCheckpoint"/>).</summary>
    /// <param name="instanceId">The instance that called the activity.</param>
    /// <param name="point">The point's name.</param>
    /// <returns>A task completed when it is reached.</returns>
    public Task WaitUntilReachedAsync(string instanceId, string point) => TestSignals.Reached(instanceId, point).Task.WaitAsync(Cancellation);

    /// <summary>Lets the instance's <see cref="TestCheckpoint"/> of that name return.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="checkpoint">The checkpoint's name.</param>
    public static void Release(string instanceId, string checkpoint) => TestSignals.Released(instanceId, checkpoint).TrySetResult();

    /// <summary>
    /// Waits until the instance is held by <see cref="TestSteps.HoldWhileTestRaisesEventsAsync"/>, raises the events in
    /// order, then releases the hold.
    /// </summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="events">The events' names and payloads.</param>
    /// <returns>A task completed once the hold is released.</returns>
    public async Task RaiseDuringHoldAsync(string instanceId, params (string Name, object? Payload)[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        await WaitUntilReachedAsync(instanceId, TestSteps.Hold);
        foreach (var (name, payload) in events)
        {
            await Client.RaiseEventAsync(instanceId, name, payload, Cancellation);
        }

        Release(instanceId, TestSteps.Hold);
    }

    /// <summary>Records a scenario-specific fact.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (rendered invariantly; strings are normalized).</param>
    public void Observe(string key, object? value) =>
        observations[key] = value is string s ? Normalize(s) : ScenarioOutcome.Render(value);

    /// <summary>Runs a client call and reports "accepted" or the exception's type and normalized message.</summary>
    /// <param name="action">The call.</param>
    /// <returns>The report.</returns>
    public async Task<string> AttemptAsync(Func<CancellationToken, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            await action(Cancellation);
            return "accepted";
        }
        catch (Exception e) when (e is not OperationCanceledException || !Cancellation.IsCancellationRequested)
        {
            return $"{e.GetType().Name}: {Normalize(e.Message)}";
        }
    }

    /// <summary>Gets the instance's current history.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <returns>The history.</returns>
    public Task<IReadOnlyList<HistoryEvent>> HistoryAsync(string instanceId) => Runtime.GetHistoryAsync(instanceId, Cancellation);

    /// <summary>Summarizes another instance for an observation: status, output, failure, events received.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <returns>The summary.</returns>
    public async Task<string> SummarizeAsync(string instanceId)
    {
        var outcome = await CaptureAsync(instanceId, withObservations: false);
        return string.Join("; ", outcome.Fields().Where(f => f.Key is nameof(ScenarioOutcome.Status) or nameof(ScenarioOutcome.Output)
            or nameof(ScenarioOutcome.Failure) or nameof(ScenarioOutcome.Received)).Select(f => $"{f.Key}={f.Value}"));
    }

    /// <summary>Captures the instance's outcome as it is now, with the observations made so far.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <returns>The outcome.</returns>
    public Task<ScenarioOutcome> CaptureAsync(string instanceId) => CaptureAsync(instanceId, withObservations: true);

    /// <summary>Replaces every instance id of this run with its role.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The normalized text.</returns>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (id, role) in roles.OrderByDescending(r => r.Key.Length))
        {
            text = text.Replace(id, role, StringComparison.Ordinal);
        }

        return text;
    }

    /// <inheritdoc />
    public void Dispose() => timeout.Dispose();

    private async Task<ScenarioOutcome> CaptureAsync(string instanceId, bool withObservations)
    {
        var metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, Cancellation);
        var history = await HistoryAsync(instanceId);
        return new ScenarioOutcome
        {
            Status = metadata?.RuntimeStatus,
            Output = metadata?.SerializedOutput is { } output ? Normalize(output) : null,
            Failure = FailureOutcome.From(metadata?.FailureDetails, Normalize),
            CustomStatus = metadata?.SerializedCustomStatus is { } status ? Normalize(status) : null,
            Scheduled = HistoryFacts.Scheduled(history, Normalize),
            Received = HistoryFacts.Received(history),
            Observations = withObservations
                ? observations.ToImmutableSortedDictionary(StringComparer.Ordinal)
                : ImmutableSortedDictionary<string, string>.Empty,
        };
    }
}
