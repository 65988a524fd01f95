using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>A one-second durable timer: after it, CurrentUtcDateTime is at or past its fire time.</summary>
public sealed class TimerFires : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("true") with
    {
        Scheduled = ["timer"],
        Observations = Observed(("timerDelaysMs", "1000")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<TimerFiresOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(TimerFiresOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("timerDelaysMs", string.Join(", ", HistoryFacts.TimerDelaysMs(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class TimerFiresOrchestrator : TaskOrchestrator<object?, bool>
    {
        public override async Task<bool> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var fireAt = context.CurrentUtcDateTime.AddSeconds(1);
            await context.CreateTimer(fireAt, CancellationToken.None);
            return context.CurrentUtcDateTime >= fireAt;
        }
    }
}

/// <summary>A timer whose fire time is an hour in the past fires at once.</summary>
public sealed class TimerInThePast : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"fired\"") with
    {
        Scheduled = ["timer"],
        Observations = Observed(("timerDelaysMs", "-3600000")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<PastTimerOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(PastTimerOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("timerDelaysMs", string.Join(", ", HistoryFacts.TimerDelaysMs(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class PastTimerOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CreateTimer(context.CurrentUtcDateTime.AddHours(-1), CancellationToken.None);
            return "fired";
        }
    }
}

/// <summary>
/// A five-minute timer cancelled through its token: awaiting it throws TaskCanceledException and it does not hold the
/// instance open (no "timer-fired" in the history).
/// </summary>
public sealed class TimerCancelled : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"timer task: TaskCanceledException\"") with
    {
        Scheduled = ["timer", "activity:TestNotify"],
        Observations = Observed(("lifecycle", "activity-done, completed:Completed")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CancelledTimerOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(CancelledTimerOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("lifecycle", string.Join(", ", HistoryFacts.Lifecycle(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class CancelledTimerOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            using var cancel = new CancellationTokenSource();
            var timer = context.CreateTimer(TimeSpan.FromMinutes(5), cancel.Token);
            await context.CallActivityAsync<string>(nameof(TestNotify), "timer-created");
            cancel.Cancel(); // Not CancelAsync: it continues on the thread pool, outside the orchestration, which then never completes.
            try
            {
                await timer;
                return "timer fired";
            }
            catch (OperationCanceledException e)
            {
                return $"timer task: {e.GetType().Name}";
            }
        }
    }
}

/// <summary>
/// The orchestrator returns while a 2-second timer it created is still open (neither awaited nor cancelled): the
/// instance stays Running until the timer fires, then completes with the returned output.
/// </summary>
public sealed class ReturnWhileTimerOpen : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"done\"") with
    {
        Scheduled = ["timer"],
        Observations = Observed(("lifecycle", "timer-fired, completed:Completed")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<OpenTimerOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(OpenTimerOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("lifecycle", string.Join(", ", HistoryFacts.Lifecycle(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class OpenTimerOrchestrator : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            _ = context.CreateTimer(TimeSpan.FromSeconds(2), CancellationToken.None);
            return Task.FromResult("done");
        }
    }
}

/// <summary>
/// The orchestrator returns while an activity it scheduled is still running (held in a checkpoint until the first
/// episode is committed): the instance stays Running until the activity's result arrives, then completes. A runtime
/// that completed at once would have dropped the result ("completed:Completed" alone).
/// </summary>
public sealed class ReturnWhileActivityOpen : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"done\"") with
    {
        Scheduled = ["activity:TestCheckpoint"],
        Observations = Observed(("lifecycle", "activity-done, completed:Completed")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<OpenActivityOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(OpenActivityOrchestrator));
        await run.WaitUntilReachedAsync(id, "held");
        ScenarioRun.Release(id, "held");
        await run.WaitForCompletionAsync(id);
        run.Observe("lifecycle", string.Join(", ", HistoryFacts.Lifecycle(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class OpenActivityOrchestrator : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            _ = context.CallActivityAsync<string>(nameof(TestCheckpoint), "held");
            return Task.FromResult("done");
        }
    }
}
