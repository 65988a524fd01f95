using System.Collections.Immutable;
using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>Whose behaviour a scenario's expected outcome stands for.</summary>
public enum ScenarioReference
{
    /// <summary>
    /// Microsoft's Durable Task SDK: the orchestration context, replay and event delivery, which the in-process test
    /// host runs exactly as production does.
    /// </summary>
    Sdk,

    /// <summary>
    /// The Durable Functions host with its default settings: behaviour the SDK leaves to the backend (which existing
    /// ids may be reused, events to unknown instances, recursive termination, delivery of forwarded events). Where the
    /// in-process test host differs from production, the expected outcome is still what the in-process test host does
    /// and a runtime that behaves like production lists the difference in <see cref="IntendedDifferences"/>.
    /// </summary>
    DurableFunctionsHostDefaults,
}

/// <summary>
/// One orchestration scenario, written only against Microsoft's public API (Microsoft.DurableTask and
/// Microsoft.DurableTask.Client), run on every runtime and compared.
/// </summary>
public abstract class Scenario
{
    /// <summary>Gets the scenario's name: its class name.</summary>
    public string Name => GetType().Name;

    /// <summary>Gets whose behaviour <see cref="Expected"/> stands for.</summary>
    public abstract ScenarioReference Reference { get; }

    /// <summary>Gets the outcome Microsoft's runtime produces (observed, then pinned).</summary>
    public abstract ScenarioOutcome Expected { get; }

    /// <summary>Registers the scenario's orchestrators and activities (names unique across scenarios).</summary>
    /// <param name="registry">The registry shared by all scenarios.</param>
    public abstract void Register(DurableTaskRegistry registry);

    /// <summary>Runs the scenario on one runtime and captures what can be observed.</summary>
    /// <param name="runtime">The runtime.</param>
    /// <returns>The normalized outcome.</returns>
    public abstract Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Builds the expected observations.</summary>
    /// <param name="observations">Key and value pairs (values rendered as <see cref="ScenarioRun.Observe"/> does).</param>
    /// <returns>The observations.</returns>
    protected static IReadOnlyDictionary<string, string> Observed(params (string Key, object? Value)[] observations) =>
        observations.ToImmutableSortedDictionary(o => o.Key, o => ScenarioOutcome.Render(o.Value), StringComparer.Ordinal);

    /// <summary>Schedules the orchestrator under a new id, waits until it finishes and captures the outcome.</summary>
    /// <param name="runtime">The runtime.</param>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="input">Its input.</param>
    /// <returns>The outcome.</returns>
    protected async Task<ScenarioOutcome> RunToCompletionAsync(IDurableRuntime runtime, TaskName orchestrator, object? input = null)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(orchestrator, input);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }
}
