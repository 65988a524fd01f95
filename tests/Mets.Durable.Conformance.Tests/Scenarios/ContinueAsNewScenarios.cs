using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>ContinueAsNew three times: each generation starts with a fresh history holding only its own input.</summary>
public sealed class ContinueAsNewCounter : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("3") with
    {
        Observations = Observed(("input", "3"), ("lifecycle", "completed:Completed")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CounterOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(CounterOrchestrator), 0);
        var done = await run.WaitForCompletionAsync(id);
        run.Observe("input", done.SerializedInput);
        run.Observe("lifecycle", string.Join(", ", HistoryFacts.Lifecycle(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class CounterOrchestrator : TaskOrchestrator<int, int>
    {
        public override Task<int> RunAsync(TaskOrchestrationContext context, int input)
        {
            if (input < 3)
            {
                context.ContinueAsNew(input + 1);
            }

            return Task.FromResult(input);
        }
    }
}

/// <summary>
/// Generation 0 receives two "Item" events while held (see <see cref="TestSteps.HoldWhileTestRaisesEventsAsync"/>) and
/// continues as new; generation 1 reads up to two "Item" events, each wait bounded by one second.
/// </summary>
public abstract class CarryOverOrchestrator : TaskOrchestrator<int, List<int>>
{
    /// <summary>Gets a value indicating whether unprocessed events go to the next generation.</summary>
    protected abstract bool PreserveUnprocessedEvents { get; }

    /// <inheritdoc />
    public override async Task<List<int>> RunAsync(TaskOrchestrationContext context, int input)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input == 0)
        {
            await TestSteps.HoldWhileTestRaisesEventsAsync(context);
            context.ContinueAsNew(1, PreserveUnprocessedEvents);
            return [];
        }

        List<int> items = [];
        while (items.Count < 2)
        {
            try
            {
                items.Add(await context.WaitForExternalEvent<int>("Item", TimeSpan.FromSeconds(1)));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return items;
    }

    /// <summary>Runs generation 0, raises the two events while it is held, lets it continue and captures generation 1.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="runtime">The runtime.</param>
    /// <param name="orchestrator">The orchestrator's name.</param>
    /// <returns>The outcome of the last generation.</returns>
    public static async Task<ScenarioOutcome> RunAsync(Scenario scenario, IDurableRuntime runtime, string orchestrator)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        using var run = new ScenarioRun(scenario, runtime);
        var id = await run.StartAsync(orchestrator, 0);
        await run.RaiseDuringHoldAsync(id, ("Item", 1), ("Item", 2));
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }
}

/// <summary>
/// ContinueAsNew(preserveUnprocessedEvents: true). The SDK forwards the buffered events to the next generation
/// (SendEvent to itself in the ContinueAsNew episode) and production delivers them; the in-process test host
/// 0.2.3-preview.1 drops them, so generation 1 reads nothing (README.md, IntendedDifferences).
/// </summary>
public sealed class ContinueAsNewPreservingEvents : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.DurableFunctionsHostDefaults;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("[]") with
    {
        Scheduled = ["timer"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<PreservingOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => CarryOverOrchestrator.RunAsync(this, runtime, nameof(PreservingOrchestrator));

    private sealed class PreservingOrchestrator : CarryOverOrchestrator
    {
        protected override bool PreserveUnprocessedEvents => true;
    }
}

/// <summary>ContinueAsNew(preserveUnprocessedEvents: false): the buffered events are dropped.</summary>
public sealed class ContinueAsNewDroppingEvents : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("[]") with
    {
        Scheduled = ["timer"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<DroppingOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => CarryOverOrchestrator.RunAsync(this, runtime, nameof(DroppingOrchestrator));

    private sealed class DroppingOrchestrator : CarryOverOrchestrator
    {
        protected override bool PreserveUnprocessedEvents => false;
    }
}

/// <summary>
/// Generation 0 starts an activity without awaiting it (the activity holds until the test releases it), calls
/// ContinueAsNew and returns. DurableTask.Core completes an orchestration (ContinueAsNew included) only when it has no
/// open task, so generation 1 starts only after the activity has finished.
/// </summary>
public sealed class ContinueAsNewWithOpenActivity : Scenario
{
    private const string OpenWork = "open-work";
    private const string NextGeneration = "generation-1";

    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"generation 1\"") with
    {
        Scheduled = ["activity:TestNotify"],
        Observations = Observed(("nextGenerationBeforeTheOpenActivityEnded", false)),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CanOpenActivityOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(CanOpenActivityOrchestrator), 0);
        await run.WaitUntilReachedAsync(id, OpenWork);
        bool early;
        try
        {
            await TestSignals.Reached(id, NextGeneration).Task.WaitAsync(TimeSpan.FromSeconds(2), run.Cancellation);
            early = true;
        }
        catch (TimeoutException)
        {
            early = false;
        }

        run.Observe("nextGenerationBeforeTheOpenActivityEnded", early);
        ScenarioRun.Release(id, OpenWork);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class CanOpenActivityOrchestrator : TaskOrchestrator<int, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, int input)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (input == 0)
            {
                _ = context.CallActivityAsync<string>(nameof(TestCheckpoint), OpenWork); // fire and forget
                context.ContinueAsNew(1);
                return "generation 0";
            }

            await context.CallActivityAsync<string>(nameof(TestNotify), NextGeneration);
            return "generation 1";
        }
    }
}

/// <summary>
/// Generation 0 creates a 2-second timer without awaiting or cancelling it, calls ContinueAsNew and returns: the live
/// timer is an open task, so generation 1 starts only once it has fired.
/// </summary>
public sealed class ContinueAsNewWithLiveTimer : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"held until the timer fired\"");

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CanLiveTimerOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(CanLiveTimerOrchestrator), DateTime.MinValue);

    private sealed class CanLiveTimerOrchestrator : TaskOrchestrator<DateTime, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, DateTime input)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (input == DateTime.MinValue)
            {
                _ = context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(2), CancellationToken.None); // never awaited
                context.ContinueAsNew(context.CurrentUtcDateTime);
                return Task.FromResult("generation 0");
            }

            return Task.FromResult(context.CurrentUtcDateTime >= input.AddSeconds(2) ? "held until the timer fired" : "continued before the timer fired");
        }
    }
}
