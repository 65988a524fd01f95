using System.Collections.Concurrent;
using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>
/// NewGuid is replay-stable: the value made before an activity (and given to it) is made again on replay; a second
/// call gives another value; both are name-based (version 5) UUIDs.
/// </summary>
public sealed class NewGuidAcrossReplays : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("{\"SameOnReplay\":true,\"Distinct\":true,\"Version\":5}") with
    {
        Scheduled = ["activity:GuidEcho"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<GuidOrchestrator>().AddActivity<GuidEcho>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(GuidOrchestrator));

    private sealed record GuidReport(bool SameOnReplay, bool Distinct, int Version);

    private sealed class GuidOrchestrator : TaskOrchestrator<object?, GuidReport>
    {
        public override async Task<GuidReport> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var first = context.NewGuid();
            var recorded = await context.CallActivityAsync<Guid>(nameof(GuidEcho), first);
            var second = context.NewGuid();
            return new GuidReport(first == recorded, first != second, first.Version);
        }
    }

    private sealed class GuidEcho : TaskActivity<Guid, Guid>
    {
        public override Task<Guid> RunAsync(TaskActivityContext context, Guid input) => Task.FromResult(input);
    }
}

/// <summary>CurrentUtcDateTime is UTC, replay-stable (the value before an activity is seen again on replay) and never goes back.</summary>
public sealed class CurrentUtcDateTimeAcrossReplays : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("{\"Utc\":true,\"SameOnReplay\":true,\"NotBackwards\":true}") with
    {
        Scheduled = ["activity:TimeEcho"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<TimeOrchestrator>().AddActivity<TimeEcho>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(TimeOrchestrator));

    private sealed record TimeReport(bool Utc, bool SameOnReplay, bool NotBackwards);

    private sealed class TimeOrchestrator : TaskOrchestrator<object?, TimeReport>
    {
        public override async Task<TimeReport> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var before = context.CurrentUtcDateTime;
            var recorded = await context.CallActivityAsync<DateTime>(nameof(TimeEcho), before);
            var after = context.CurrentUtcDateTime;
            return new TimeReport(before.Kind == DateTimeKind.Utc, before == recorded, after >= before);
        }
    }

    private sealed class TimeEcho : TaskActivity<DateTime, DateTime>
    {
        public override Task<DateTime> RunAsync(TaskActivityContext context, DateTime input) => Task.FromResult(input);
    }
}

/// <summary>
/// A code change between two episodes (a static switch the test flips while the first activity runs) makes the
/// replay schedule a different activity at step 0: the runtime detects it and fails the instance.
/// </summary>
public sealed class NonDeterministicCodeChange : Scenario
{
    private const string NonDeterminismMessage =
        "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 0 "
        + "named 'TestCheckpoint', but the current orchestration replay instead scheduled an activity task named 'ChangedActivity' with this "
        + "sequence number.  Was a change made to the orchestrator code after this instance had already started running?";

    private static readonly ConcurrentDictionary<string, bool> Changed = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Failed,
        Output = NonDeterminismMessage,
        Failure = new("DurableTask.Core.Exceptions.NonDeterministicOrchestrationException", NonDeterminismMessage),
        Scheduled = ["activity:TestCheckpoint", "activity:ChangedActivity"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<ChangingOrchestrator>().AddActivity<ChangedActivity>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(ChangingOrchestrator));
        await run.WaitUntilReachedAsync(id, "before-change");
        Changed[id] = true;
        ScenarioRun.Release(id, "before-change");
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class ChangingOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            // The deliberate non-determinism: what step 0 schedules depends on state outside the history.
            if (Changed.ContainsKey(context.InstanceId))
            {
                await context.CallActivityAsync<string>(nameof(ChangedActivity), "after-change");
            }
            else
            {
                await context.CallActivityAsync<string>(nameof(TestCheckpoint), "before-change");
            }

            return "done";
        }
    }

    private sealed class ChangedActivity : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
    }
}

/// <summary>
/// The orchestrator awaits a non-durable task (Task.Delay) after an activity. Microsoft's runtime leaves the
/// instance Running (nothing durable will ever resume it); the wait for it to finish is bounded at 2 s.
/// </summary>
public sealed class NonDurableAwait : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Running,
        Scheduled = ["activity:TestNotify"],
        Observations = Observed(("finishedWithin2s", false)),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<NonDurableAwaitOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(NonDurableAwaitOrchestrator));
        await run.WaitUntilReachedAsync(id, "before-delay");
        var finished = await run.FinishesWithinAsync(id, TimeSpan.FromSeconds(2));
        run.Observe("finishedWithin2s", finished);
        var outcome = await run.CaptureAsync(id);
        if (!finished)
        {
            await run.Client.TerminateInstanceAsync(id, run.Cancellation);
            await run.WaitForCompletionAsync(id);
        }

        return outcome;
    }

    private sealed class NonDurableAwaitOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CallActivityAsync<string>(nameof(TestNotify), "before-delay");
#pragma warning disable DURABLE0003 // Deliberate: the scenario is an orchestrator awaiting a non-durable task.
            await Task.Delay(TimeSpan.FromMilliseconds(100));
#pragma warning restore DURABLE0003
            return "after delay";
        }
    }
}
