using Mets.Durable.Conformance.Tests.Runtimes;
using Mets.Durable.Conformance.Tests.Scenarios;

namespace Mets.Durable.Conformance.Tests;

/// <summary>
/// One way a runtime's outcome of a scenario is meant to differ from the reference runtime's (Microsoft's).
/// </summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Runtime">The runtime that differs (never the reference).</param>
/// <param name="Why">Why the difference is intended.</param>
/// <param name="Fields">
/// The outcome fields that differ (<see cref="ScenarioOutcome.Fields"/> names, e.g. "Status",
/// "Observations.secondSchedule"), each with that runtime's expected rendering, or null where only the difference
/// itself is asserted.
/// </param>
public sealed record IntendedDifference(string Scenario, string Runtime, string Why, IReadOnlyDictionary<string, string?> Fields);

/// <summary>The one place where runtimes are allowed to disagree. Every other field of every scenario must be equal.</summary>
public static class IntendedDifferences
{
    /// <summary>Gets every intended difference.</summary>
    public static IReadOnlyList<IntendedDifference> All { get; } =
    [
        new(
            nameof(NonDurableAwait),
            RuntimeNames.EmbeddedEngine,
            "The embedded engine fails an instance whose episode ends with the orchestrator awaiting a non-durable task "
            + "(docs/durable-engine.md); Microsoft's runtime leaves it Running forever.",
            new Dictionary<string, string?>
            {
                [nameof(ScenarioOutcome.Status)] = "Failed",
                [nameof(ScenarioOutcome.Output)] = null,
                [nameof(ScenarioOutcome.Failure)] = null,
                ["Observations.finishedWithin2s"] = "true",
            }),
        new(
            nameof(NonDeterministicCodeChange),
            RuntimeNames.EmbeddedEngine,
            "The embedded engine keeps a running orchestration in memory between episodes (DurableEngineOptions."
            + "OrchestrationsKeptInMemory, as Durable Functions' extended sessions do), so a switch flipped inside one process "
            + "is not seen until the instance replays; a real code change comes with a restart, after which it replays and "
            + "fails with DurableTask.Core's message (tests/Mets.Durable.Tests DeterminismTests, none kept). The in-process "
            + "test host replays every episode.",
            new Dictionary<string, string?>
            {
                [nameof(ScenarioOutcome.Status)] = "Completed",
                [nameof(ScenarioOutcome.Output)] = "\"done\"",
                [nameof(ScenarioOutcome.Failure)] = null,
                [nameof(ScenarioOutcome.Scheduled)] = "[activity:TestCheckpoint]",
            }),
        new(
            nameof(ScheduleExistingRunningId),
            RuntimeNames.EmbeddedEngine,
            "The embedded engine refuses to schedule an id that is Pending, Running or Suspended, as the Durable Functions host "
            + "does by default (OverridableExistingInstanceStates = NonRunningStates); the in-process test host silently "
            + "replaces the running instance.",
            new Dictionary<string, string?>
            {
                [nameof(ScenarioOutcome.Output)] = "\"first:go\"",
                ["Observations.secondSchedule"] = null,
            }),
        new(
            nameof(ContinueAsNewPreservingEvents),
            RuntimeNames.EmbeddedEngine,
            "The in-process test host 0.2.3-preview.1 drops the events the SDK forwards to the next generation on "
            + "ContinueAsNew(preserveUnprocessedEvents: true); production, and the embedded engine, deliver them.",
            new Dictionary<string, string?>
            {
                [nameof(ScenarioOutcome.Output)] = "[1,2]",
                [nameof(ScenarioOutcome.Received)] = "[Item, Item]",
                [nameof(ScenarioOutcome.Scheduled)] = null,
            }),
        new(
            nameof(TerminateRecursive),
            RuntimeNames.EmbeddedEngine,
            "The in-process test host ignores TerminateInstanceOptions.Recursive (its sidecar never reads it); the Durable "
            + "Functions host, and the embedded engine, terminate the sub-orchestrations too.",
            new Dictionary<string, string?>
            {
                ["Observations.childFinishedWithin2s"] = "true",
                ["Observations.childAfterParentTerminated"] = null,
            }),
        new(
            nameof(RaiseEventToUnknownInstance),
            RuntimeNames.EmbeddedEngine,
            "The embedded engine refuses an event for an instance it does not know (docs/durable-engine.md); the in-process "
            + "test host accepts it, retries the orphaned message until an instance with that id is scheduled, then "
            + "delivers it to that instance.",
            new Dictionary<string, string?>
            {
                [nameof(ScenarioOutcome.Output)] = "\"timed out\"",
                [nameof(ScenarioOutcome.Received)] = "[]",
                ["Observations.raise"] = null,
            }),
    ];

    /// <summary>Finds the intended difference of a runtime in a scenario.</summary>
    /// <param name="scenario">The scenario's name.</param>
    /// <param name="runtime">The runtime's name.</param>
    /// <returns>The difference, or null when the runtime must match the reference exactly.</returns>
    public static IntendedDifference? Find(string scenario, string runtime) =>
        All.SingleOrDefault(d => d.Scenario == scenario && d.Runtime == runtime);
}
