using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>An "Approval" event raced against a timer whose length (ms) is the input; the loser is cancelled.</summary>
public abstract class ApprovalRaceOrchestrator : TaskOrchestrator<int, string>
{
    /// <inheritdoc />
    public override async Task<string> RunAsync(TaskOrchestrationContext context, int input)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var cancelTimer = new CancellationTokenSource();
        var timer = context.CreateTimer(TimeSpan.FromMilliseconds(input), cancelTimer.Token);
        var approval = context.WaitForExternalEvent<string>("Approval");
        if (await Task.WhenAny(timer, approval) == approval)
        {
            cancelTimer.Cancel(); // Not CancelAsync: it continues on the thread pool, outside the orchestration, which then never completes.
            return $"approved:{await approval}";
        }

        return "timed out";
    }
}

/// <summary>The event arrives before a 30-second timer: the event wins and the timer is cancelled.</summary>
public sealed class EventBeatsTimer : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"approved:yes\"") with
    {
        Scheduled = ["timer"],
        Received = ["Approval"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<EventFirstRace>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(EventFirstRace), 30_000);
        await run.Client.RaiseEventAsync(id, "Approval", "yes", run.Cancellation);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class EventFirstRace : ApprovalRaceOrchestrator;
}

/// <summary>
/// No event before a 500 ms timer: the timer wins. An event raised after the instance completed is accepted and
/// dropped (not added to the history).
/// </summary>
public sealed class TimerBeatsEvent : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"timed out\"") with
    {
        Scheduled = ["timer"],
        Observations = Observed(("raiseAfterCompletion", "accepted")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<TimerFirstRace>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(TimerFirstRace), 500);
        await run.WaitForCompletionAsync(id);
        run.Observe("raiseAfterCompletion", await run.AttemptAsync(ct => run.Client.RaiseEventAsync(id, "Approval", "late", ct)));
        return await run.CaptureAsync(id);
    }

    private sealed class TimerFirstRace : ApprovalRaceOrchestrator;
}

/// <summary>An event raised before any wait for it is buffered and read by a later wait.</summary>
public sealed class EventRaisedBeforeWait : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("42") with
    {
        Scheduled = ["activity:TestCheckpoint", "activity:TestNotify"],
        Received = ["Item"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<BufferedEventOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(BufferedEventOrchestrator));
        await run.RaiseDuringHoldAsync(id, ("Item", 42));
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class BufferedEventOrchestrator : TaskOrchestrator<object?, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await TestSteps.HoldWhileTestRaisesEventsAsync(context);
            return await context.WaitForExternalEvent<int>("Item");
        }
    }
}

/// <summary>Two events of one name raised before any wait are read first in, first out.</summary>
public sealed class TwoEventsOfOneNameFifo : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("[1,2]") with
    {
        Scheduled = ["activity:TestCheckpoint", "activity:TestNotify"],
        Received = ["Item", "Item"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<FifoEventsOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(FifoEventsOrchestrator));
        await run.RaiseDuringHoldAsync(id, ("Item", 1), ("Item", 2));
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class FifoEventsOrchestrator : TaskOrchestrator<object?, int[]>
    {
        public override async Task<int[]> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await TestSteps.HoldWhileTestRaisesEventsAsync(context);
            var first = await context.WaitForExternalEvent<int>("Item");
            var second = await context.WaitForExternalEvent<int>("Item");
            return [first, second];
        }
    }
}

/// <summary>Two waiters of one name live at once, then two events: the newer waiter gets the first event (a stack).</summary>
public sealed class TwoLiveWaitersOfOneName : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("[2,1]") with
    {
        Scheduled = ["activity:TestNotify"],
        Received = ["Item", "Item"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<LiveWaitersOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(LiveWaitersOrchestrator));
        await run.WaitUntilReachedAsync(id, "waiting");
        await run.Client.RaiseEventAsync(id, "Item", 1, run.Cancellation);
        await run.Client.RaiseEventAsync(id, "Item", 2, run.Cancellation);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class LiveWaitersOrchestrator : TaskOrchestrator<object?, int[]>
    {
        public override async Task<int[]> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var older = context.WaitForExternalEvent<int>("Item");
            var newer = context.WaitForExternalEvent<int>("Item");
            await context.CallActivityAsync<string>(nameof(TestNotify), "waiting");
            return [await older, await newer];
        }
    }
}

/// <summary>
/// A waiter cancelled through its token, then an event of its name raised while no other waiter is live: the event is
/// not consumed by the cancelled waiter (SDK 1.27+) and a later wait reads it.
/// </summary>
public sealed class CancelledWaiterThenEvent : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"cancelled waiter: TaskCanceledException; next wait: 7\"") with
    {
        Scheduled = ["activity:TestCheckpoint", "activity:TestNotify", "timer"],
        Received = ["Item"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<CancelledWaiterOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(CancelledWaiterOrchestrator));
        await run.RaiseDuringHoldAsync(id, ("Item", 7));
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class CancelledWaiterOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            using var cancel = new CancellationTokenSource();
            var stale = context.WaitForExternalEvent<int>("Item", cancel.Token);
            cancel.Cancel(); // Not CancelAsync: it continues on the thread pool, outside the orchestration, which then never completes.
            string staleOutcome;
            try
            {
                staleOutcome = $"completed with {await stale}";
            }
            catch (OperationCanceledException e)
            {
                staleOutcome = e.GetType().Name;
            }

            await TestSteps.HoldWhileTestRaisesEventsAsync(context);
            try
            {
                var value = await context.WaitForExternalEvent<int>("Item", TimeSpan.FromSeconds(5));
                return $"cancelled waiter: {staleOutcome}; next wait: {value}";
            }
            catch (OperationCanceledException)
            {
                return $"cancelled waiter: {staleOutcome}; next wait: nothing (the event was lost)";
            }
        }
    }
}

/// <summary>WaitForExternalEvent with a 500 ms timeout and no event: TaskCanceledException through a durable timer.</summary>
public sealed class WaitForEventTimeout : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"TaskCanceledException\"") with
    {
        Scheduled = ["timer"],
        Observations = Observed(("timerDelaysMs", "500")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<EventTimeoutOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(EventTimeoutOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("timerDelaysMs", string.Join(", ", HistoryFacts.TimerDelaysMs(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class EventTimeoutOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            try
            {
                await context.WaitForExternalEvent<string>("Never", TimeSpan.FromMilliseconds(500));
                return "received";
            }
            catch (OperationCanceledException e)
            {
                return e.GetType().Name;
            }
        }
    }
}

/// <summary>
/// Events named "APPROVAL" then "Approval" raised before a wait for "Approval": event names match case-insensitively,
/// so the wait reads the first one.
/// </summary>
public sealed class EventNameCaseBuffered : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"upper case\"") with
    {
        Scheduled = ["activity:TestCheckpoint", "activity:TestNotify"],
        Received = ["APPROVAL", "Approval"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<BufferedEventCaseOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(BufferedEventCaseOrchestrator));
        await run.RaiseDuringHoldAsync(id, ("APPROVAL", "upper case"), ("Approval", "same case"));
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class BufferedEventCaseOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await TestSteps.HoldWhileTestRaisesEventsAsync(context);
            return await context.WaitForExternalEvent<string>("Approval");
        }
    }
}

/// <summary>An event named "APPROVAL" raised while a wait for "Approval" is live (bounded at 5 s) completes it.</summary>
public sealed class EventNameCaseLiveWaiter : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"upper case\"") with
    {
        Scheduled = ["timer", "activity:TestNotify"],
        Received = ["APPROVAL"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<LiveEventCaseOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(LiveEventCaseOrchestrator));
        await run.WaitUntilReachedAsync(id, "waiting");
        await run.Client.RaiseEventAsync(id, "APPROVAL", "upper case", run.Cancellation);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class LiveEventCaseOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var approval = context.WaitForExternalEvent<string>("Approval", TimeSpan.FromSeconds(5));
            await context.CallActivityAsync<string>(nameof(TestNotify), "waiting");
            try
            {
                return await approval;
            }
            catch (OperationCanceledException)
            {
                return "timed out";
            }
        }
    }
}

/// <summary>
/// Raising an event to an instance id nobody scheduled, then scheduling an orchestrator under that id that waits for
/// the event (bounded at 1 s): whether the raise is refused, and whether the early event reaches the later instance.
/// </summary>
public sealed class RaiseEventToUnknownInstance : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.DurableFunctionsHostDefaults;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"received 1\"") with
    {
        Scheduled = ["timer"],
        Received = ["Item"],
        Observations = Observed(("raise", "accepted"), ("instanceAfterRaise", "(no instance)")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<LateStartOrchestrator>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = run.NewInstanceId();
        run.Observe("raise", await run.AttemptAsync(ct => run.Client.RaiseEventAsync(id, "Item", 1, ct)));
        run.Observe("instanceAfterRaise", (await run.Client.GetInstanceAsync(id, run.Cancellation))?.RuntimeStatus.ToString() ?? "(no instance)");

        // Scheduling the id also ends the in-process test host's retry loop over the orphaned event (README.md).
        await run.Client.ScheduleNewOrchestrationInstanceAsync(nameof(LateStartOrchestrator), new StartOrchestrationOptions(id), run.Cancellation);
        await run.WaitForCompletionAsync(id);
        return await run.CaptureAsync(id);
    }

    private sealed class LateStartOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            try
            {
                return $"received {await context.WaitForExternalEvent<int>("Item", TimeSpan.FromSeconds(1))}";
            }
            catch (OperationCanceledException)
            {
                return "timed out";
            }
        }
    }
}

/// <summary>An orchestrator sends an event to another running instance with SendEvent; the receiver completes with it.</summary>
public sealed class SendEventToOtherInstance : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"sent\"") with
    {
        Scheduled = ["send:Ping->{receiver}"],
        Observations = Observed(("receiver", "Status=Completed; Output=\"hello from {main}\"; Failure=(none); Received=[Ping]")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<PingSender>().AddOrchestrator<PingReceiver>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var receiver = await run.StartAsync(nameof(PingReceiver), role: "receiver");
        var sender = await run.StartAsync(nameof(PingSender), receiver);
        await run.WaitForCompletionAsync(sender);
        await run.WaitForCompletionAsync(receiver);
        run.Observe("receiver", await run.SummarizeAsync(receiver));
        return await run.CaptureAsync(sender);
    }

    private sealed class PingSender : TaskOrchestrator<string, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, string input)
        {
            context.SendEvent(input, "Ping", $"hello from {context.InstanceId}");
            return Task.FromResult("sent");
        }
    }

    private sealed class PingReceiver : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) => context.WaitForExternalEvent<string>("Ping");
    }
}
