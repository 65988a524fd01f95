using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>
/// Custom status set twice: the first value is visible while the instance runs, the last one after it completes; the
/// client returns it only with getInputsAndOutputs.
/// </summary>
public sealed class CustomStatus : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"ok\"") with
    {
        CustomStatus = "{\"Stage\":\"done\",\"Percent\":100}",
        Scheduled = ["activity:TestCheckpoint"],
        Observations = Observed(
            ("customStatusWhileRunning", "{\"Stage\":\"working\",\"Percent\":50}"),
            ("customStatusWithoutInputsAndOutputs", "(null)"),
            ("statusWhileRunning", "Running")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CustomStatusOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(CustomStatusOrchestrator));
        await run.WaitUntilReachedAsync(id, "working");
        var running = await run.Client.GetInstanceAsync(id, getInputsAndOutputs: true, run.Cancellation);
        run.Observe("statusWhileRunning", running?.RuntimeStatus);
        run.Observe("customStatusWhileRunning", running?.SerializedCustomStatus);
        run.Observe("customStatusWithoutInputsAndOutputs", (await run.Client.GetInstanceAsync(id, run.Cancellation))?.SerializedCustomStatus);
        ScenarioRun.Release(id, "working");
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed record Progress(string Stage, int Percent);

    private sealed class CustomStatusOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            context.SetCustomStatus(new Progress("working", 50));
            await context.CallActivityAsync<string>(nameof(TestCheckpoint), "working");
            context.SetCustomStatus(new Progress("done", 100));
            return "ok";
        }
    }
}

/// <summary>Terminating a running instance with an output.</summary>
public sealed class TerminateRunning : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Terminated,
        Output = "\"stopped by test\"",
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<WaitsForeverToBeTerminated>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(WaitsForeverToBeTerminated));
        await run.Client.WaitForInstanceStartAsync(id, run.Cancellation);
        await run.Client.TerminateInstanceAsync(id, "stopped by test", run.Cancellation);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class WaitsForeverToBeTerminated : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) => context.WaitForExternalEvent<string>("Never");
    }
}

/// <summary>
/// Terminating a parent whose child is running, with the default TerminateInstanceOptions (Recursive = false): the
/// child keeps running.
/// </summary>
public sealed class TerminateNotRecursive : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Terminated,
        Scheduled = ["sub:NonRecursiveChild"],
        Observations = Observed(
            ("recursiveByDefault", false),
            ("childAfterParentTerminated", "Status=Running; Output=(null); Failure=(none); Received=[]")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<NonRecursiveParent>().AddOrchestrator<NonRecursiveChild>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) =>
        TerminateParentAsync(this, runtime, nameof(NonRecursiveParent), new TerminateInstanceOptions());

    /// <summary>Starts the parent, waits until its child runs, terminates the parent, records the child and cleans up.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="runtime">The runtime.</param>
    /// <param name="parent">The parent orchestrator.</param>
    /// <param name="options">The termination options.</param>
    /// <returns>The parent's outcome.</returns>
    internal static async Task<ScenarioOutcome> TerminateParentAsync(Scenario scenario, IDurableRuntime runtime, string parent, TerminateInstanceOptions options)
    {
        using var run = new ScenarioRun(scenario, runtime);
        var id = await run.StartAsync(parent);
        var child = id + ":child";
        await run.WaitUntilReachedAsync(child, "child-waiting");
        run.Observe("recursiveByDefault", new TerminateInstanceOptions().Recursive);
        await run.Client.TerminateInstanceAsync(id, options, run.Cancellation);
        await run.WaitForCompletionAsync(id);
        if (options.Recursive)
        {
            run.Observe("childFinishedWithin2s", await run.FinishesWithinAsync(child, TimeSpan.FromSeconds(2)));
        }

        run.Observe("childAfterParentTerminated", await run.SummarizeAsync(child));
        var outcome = await run.CaptureAsync(id);
        await run.Client.TerminateInstanceAsync(child, run.Cancellation);
        await run.WaitForCompletionAsync(child);
        return outcome;
    }

    private sealed class NonRecursiveParent : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) =>
            context.CallSubOrchestratorAsync<string>(nameof(NonRecursiveChild), options: new SubOrchestrationOptions { InstanceId = context.InstanceId + ":child" });
    }

    private sealed class NonRecursiveChild : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CallActivityAsync<string>(nameof(TestNotify), "child-waiting");
            return await context.WaitForExternalEvent<string>("Never");
        }
    }
}

/// <summary>
/// Terminating a parent whose child is running, with Recursive = true: the in-process test host ignores Recursive
/// and leaves the child running; the Durable Functions host terminates it (IntendedDifferences).
/// </summary>
public sealed class TerminateRecursive : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.DurableFunctionsHostDefaults;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Terminated,
        Scheduled = ["sub:RecursiveChild"],
        Observations = Observed(
            ("recursiveByDefault", false),
            ("childFinishedWithin2s", false),
            ("childAfterParentTerminated", "Status=Running; Output=(null); Failure=(none); Received=[]")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<RecursiveParent>().AddOrchestrator<RecursiveChild>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) =>
        TerminateNotRecursive.TerminateParentAsync(this, runtime, nameof(RecursiveParent), new TerminateInstanceOptions(Recursive: true));

    private sealed class RecursiveParent : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) =>
            context.CallSubOrchestratorAsync<string>(nameof(RecursiveChild), options: new SubOrchestrationOptions { InstanceId = context.InstanceId + ":child" });
    }

    private sealed class RecursiveChild : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CallActivityAsync<string>(nameof(TestNotify), "child-waiting");
            return await context.WaitForExternalEvent<string>("Never");
        }
    }
}

/// <summary>
/// Suspend, raise an event, resume: the event is recorded while suspended and consumed only after the resume (the
/// history order shows it: an instance that ignored the suspension would complete before "resumed").
/// </summary>
public sealed class SuspendAndResume : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"raised while suspended\"") with
    {
        Received = ["Go"],
        Observations = Observed(("lifecycle", "suspended, event:Go, resumed, completed:Completed")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<SuspendableOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(SuspendableOrchestrator));
        await run.Client.WaitForInstanceStartAsync(id, run.Cancellation);
        await run.Client.SuspendInstanceAsync(id, "maintenance", run.Cancellation);
        await run.Client.RaiseEventAsync(id, "Go", "raised while suspended", run.Cancellation);
        await run.Client.ResumeInstanceAsync(id, "maintenance over", run.Cancellation);
        await run.WaitForCompletionAsync(id);
        run.Observe("lifecycle", string.Join(", ", HistoryFacts.Lifecycle(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class SuspendableOrchestrator : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) => context.WaitForExternalEvent<string>("Go");
    }
}

/// <summary>Waits for "Go" and returns "{input}:{event}": shows which of two schedules of one id ran.</summary>
public abstract class InputAndGoOrchestrator : TaskOrchestrator<string, string>
{
    /// <inheritdoc />
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        return $"{input}:{await context.WaitForExternalEvent<string>("Go")}";
    }

    /// <summary>
    /// Schedules "first" under an id, waits until it runs, schedules "second" under the same id (with the given
    /// options), raises "Go" and captures what ran.
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="runtime">The runtime.</param>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="secondOptions">Builds the second schedule's options from the id.</param>
    /// <returns>The outcome.</returns>
    public static async Task<ScenarioOutcome> ScheduleTwiceWhileRunningAsync(
        Scenario scenario, IDurableRuntime runtime, string orchestrator, Func<string, StartOrchestrationOptions> secondOptions)
    {
        ArgumentNullException.ThrowIfNull(secondOptions);
        using var run = new ScenarioRun(scenario, runtime);
        var id = await run.StartAsync(orchestrator, "first");
        await run.Client.WaitForInstanceStartAsync(id, run.Cancellation);
        run.Observe("secondSchedule", await run.AttemptAsync(ct =>
            run.Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, "second", secondOptions(id), ct)));
        await run.Client.RaiseEventAsync(id, "Go", "go", run.Cancellation);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }
}

/// <summary>
/// Scheduling an instance id that is still running, with the default StartOrchestrationOptions: the in-process test
/// host silently replaces the running instance; the Durable Functions host refuses (IntendedDifferences).
/// </summary>
public sealed class ScheduleExistingRunningId : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.DurableFunctionsHostDefaults;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"second:go\"") with
    {
        Received = ["Go"],
        Observations = Observed(("secondSchedule", "accepted")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<RunningIdOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) =>
        InputAndGoOrchestrator.ScheduleTwiceWhileRunningAsync(this, runtime, nameof(RunningIdOrchestrator), id => new StartOrchestrationOptions(id));

    private sealed class RunningIdOrchestrator : InputAndGoOrchestrator;
}

/// <summary>
/// Scheduling an instance id that is still running, with DedupeStatuses Pending, Running, Suspended: refused with
/// OrchestrationAlreadyExistsException (the in-process test host honours DedupeStatuses).
/// </summary>
public sealed class ScheduleExistingRunningIdWithDedupeStatuses : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"first:go\"") with
    {
        Received = ["Go"],
        Observations = Observed((
            "secondSchedule",
            "OrchestrationAlreadyExistsException: An orchestration with id '{main}' already exists. It's in the Running state.")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<DedupeRunningOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) =>
        InputAndGoOrchestrator.ScheduleTwiceWhileRunningAsync(this, runtime, nameof(DedupeRunningOrchestrator), id =>
            new StartOrchestrationOptions(id).WithDedupeStatuses(
                OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended));

    private sealed class DedupeRunningOrchestrator : InputAndGoOrchestrator;
}

/// <summary>Returns "ran:{input}": shows which of two schedules of one completed id ran.</summary>
public abstract class RanOrchestrator : TaskOrchestrator<string, string>
{
    /// <inheritdoc />
    public override Task<string> RunAsync(TaskOrchestrationContext context, string input) => Task.FromResult($"ran:{input}");

    /// <summary>Runs "first" to completion, schedules "second" under the same id and captures what ran.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="runtime">The runtime.</param>
    /// <param name="orchestrator">The orchestrator.</param>
    /// <param name="secondOptions">Builds the second schedule's options from the id.</param>
    /// <returns>The outcome.</returns>
    public static async Task<ScenarioOutcome> ScheduleAgainAfterCompletionAsync(
        Scenario scenario, IDurableRuntime runtime, string orchestrator, Func<string, StartOrchestrationOptions> secondOptions)
    {
        ArgumentNullException.ThrowIfNull(secondOptions);
        using var run = new ScenarioRun(scenario, runtime);
        var id = await run.StartAsync(orchestrator, "first");
        await run.WaitForCompletionAsync(id);
        run.Observe("secondSchedule", await run.AttemptAsync(ct =>
            run.Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, "second", secondOptions(id), ct)));
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }
}

/// <summary>Scheduling an instance id that completed, with the default StartOrchestrationOptions: it is replaced.</summary>
public sealed class ScheduleExistingCompletedId : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.DurableFunctionsHostDefaults;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"ran:second\"") with
    {
        Observations = Observed(("secondSchedule", "accepted")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CompletedIdOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) =>
        RanOrchestrator.ScheduleAgainAfterCompletionAsync(this, runtime, nameof(CompletedIdOrchestrator), id => new StartOrchestrationOptions(id));

    private sealed class CompletedIdOrchestrator : RanOrchestrator;
}

/// <summary>Scheduling an instance id that completed, with DedupeStatuses Completed: refused.</summary>
public sealed class ScheduleExistingCompletedIdWithDedupeStatuses : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"ran:first\"") with
    {
        Observations = Observed((
            "secondSchedule",
            "OrchestrationAlreadyExistsException: An orchestration with id '{main}' already exists. It's in the Completed state.")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<DedupeCompletedOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) =>
        RanOrchestrator.ScheduleAgainAfterCompletionAsync(this, runtime, nameof(DedupeCompletedOrchestrator), id =>
            new StartOrchestrationOptions(id).WithDedupeStatuses(OrchestrationRuntimeStatus.Completed));

    private sealed class DedupeCompletedOrchestrator : RanOrchestrator;
}
