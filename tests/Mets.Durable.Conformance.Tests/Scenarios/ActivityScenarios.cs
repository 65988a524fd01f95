using System.Collections.Concurrent;
using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>Three activities awaited one after the other: scheduled in code order, results chained.</summary>
public sealed class ActivitySequence : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("\"Hello Tokyo! Hello Seattle! Hello London!\"") with
    {
        Scheduled = ["activity:SequenceGreet", "activity:SequenceGreet", "activity:SequenceGreet"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<SequenceOrchestrator>().AddActivity<SequenceGreet>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(SequenceOrchestrator));

    private sealed class SequenceOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var tokyo = await context.CallActivityAsync<string>(nameof(SequenceGreet), "Tokyo");
            var seattle = await context.CallActivityAsync<string>(nameof(SequenceGreet), "Seattle");
            var london = await context.CallActivityAsync<string>(nameof(SequenceGreet), "London");
            return $"{tokyo} {seattle} {london}";
        }
    }

    private sealed class SequenceGreet : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult($"Hello {input}!");
    }
}

/// <summary>Five activities scheduled together and awaited with Task.WhenAll (only the scheduling order is compared).</summary>
public sealed class FanOutFanIn : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("55") with
    {
        Scheduled = [.. Enumerable.Repeat("activity:FanOutSquare", 5)],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<FanOutOrchestrator>().AddActivity<FanOutSquare>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(FanOutOrchestrator));

    private sealed class FanOutOrchestrator : TaskOrchestrator<object?, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, object? input)
        {
            var squares = Enumerable.Range(1, 5).Select(i => context.CallActivityAsync<int>(nameof(FanOutSquare), i)).ToList();
            return (await Task.WhenAll(squares)).Sum();
        }
    }

    private sealed class FanOutSquare : TaskActivity<int, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input * input);
    }
}

/// <summary>An activity throws; the orchestrator catches TaskFailedException and reports what it carries.</summary>
public sealed class ActivityFailureCaught : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(
        "{\"TaskName\":\"CaughtDecline\",\"TaskId\":0,\"ErrorType\":\"System.InvalidOperationException\",\"ErrorMessage\":\"card declined\","
        + "\"ExceptionMessage\":\"Task \\u0027CaughtDecline\\u0027 (#0) failed with an unhandled exception: card declined\","
        + "\"CausedByInvalidOperation\":true,\"HasInnerFailure\":false}") with
    {
        Scheduled = ["activity:CaughtDecline"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<CaughtFailureOrchestrator>().AddActivity<CaughtDecline>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(CaughtFailureOrchestrator));

    private sealed record CaughtFailure(
        string TaskName, int TaskId, string ErrorType, string ErrorMessage, string ExceptionMessage, bool CausedByInvalidOperation, bool HasInnerFailure);

    private sealed class CaughtFailureOrchestrator : TaskOrchestrator<object?, CaughtFailure>
    {
        public override async Task<CaughtFailure> RunAsync(TaskOrchestrationContext context, object? input)
        {
            try
            {
                await context.CallActivityAsync(nameof(CaughtDecline));
                throw new InvalidOperationException("The activity was expected to fail.");
            }
            catch (TaskFailedException e)
            {
                return new CaughtFailure(
                    e.TaskName, e.TaskId, e.FailureDetails.ErrorType, e.FailureDetails.ErrorMessage, e.Message,
                    e.FailureDetails.IsCausedBy<InvalidOperationException>(), e.FailureDetails.InnerFailure is not null);
            }
        }
    }

    private sealed class CaughtDecline : TaskActivity<object?, object?>
    {
        public override Task<object?> RunAsync(TaskActivityContext context, object? input) => throw new InvalidOperationException("card declined");
    }
}

/// <summary>An activity throws and the orchestrator lets it escape: the instance fails with the activity's failure inside.</summary>
public sealed class ActivityFailureUncaught : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Failed,
        Output = "Task 'UncaughtDecline' (#0) failed with an unhandled exception: card declined",
        Failure = new("Microsoft.DurableTask.TaskFailedException", "Task 'UncaughtDecline' (#0) failed with an unhandled exception: card declined",
            new("System.InvalidOperationException", "card declined")),
        Scheduled = ["activity:UncaughtDecline"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<UncaughtFailureOrchestrator>().AddActivity<UncaughtDecline>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(UncaughtFailureOrchestrator));

    private sealed class UncaughtFailureOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CallActivityAsync(nameof(UncaughtDecline));
            return "unreachable";
        }
    }

    private sealed class UncaughtDecline : TaskActivity<object?, object?>
    {
        public override Task<object?> RunAsync(TaskActivityContext context, object? input) => throw new InvalidOperationException("card declined");
    }
}

/// <summary>Calling an activity name nobody registered fails that call (ActivityTaskNotFound), not the instance.</summary>
public sealed class MissingActivity : Scenario
{
    private const string UnregisteredActivity = "ConformanceNoSuchActivity";

    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(
        "\"ActivityTaskNotFound: No activity task named \\u0027ConformanceNoSuchActivity\\u0027 was found.\"") with
    {
        Scheduled = ["activity:ConformanceNoSuchActivity"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) => registry.AddOrchestrator<MissingActivityOrchestrator>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(MissingActivityOrchestrator));

    private sealed class MissingActivityOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            try
            {
                await context.CallActivityAsync(UnregisteredActivity);
                return "called";
            }
            catch (TaskFailedException e)
            {
                return $"{e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
            }
        }
    }
}

/// <summary>
/// RetryPolicy(3 attempts, 250 ms, backoff 2) over an activity that fails twice: retried through durable timers of
/// 250 then 500 ms, then succeeds.
/// </summary>
public sealed class RetrySucceedsAfterFailures : Scenario
{
    private static readonly ConcurrentDictionary<string, int> Attempts = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed("3") with
    {
        Scheduled = ["activity:RetryFlaky", "timer", "activity:RetryFlaky", "timer", "activity:RetryFlaky"],
        Observations = Observed(("timerDelaysMs", "250, 500")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<RetryOrchestrator>().AddActivity<RetryFlaky>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(RetryOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("timerDelaysMs", string.Join(", ", HistoryFacts.TimerDelaysMs(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class RetryOrchestrator : TaskOrchestrator<object?, int>
    {
        public override Task<int> RunAsync(TaskOrchestrationContext context, object? input) =>
            context.CallActivityAsync<int>(
                nameof(RetryFlaky),
                2,
                TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(250), backoffCoefficient: 2)));
    }

    private sealed class RetryFlaky : TaskActivity<int, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, int input)
        {
            var attempt = Attempts.AddOrUpdate(context.InstanceId, 1, (_, n) => n + 1);
            return attempt <= input ? throw new InvalidOperationException($"attempt {attempt} failed") : Task.FromResult(attempt);
        }
    }
}

/// <summary>
/// RetryPolicy(2 attempts, 250 ms) over an activity that always fails: the last attempt's failure surfaces (task id
/// #2), and a last 0 ms timer is scheduled after it.
/// </summary>
public sealed class RetryExhausted : Scenario
{
    private static readonly ConcurrentDictionary<string, int> Attempts = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(
        "\"RetryAlwaysFails#2 System.InvalidOperationException: attempt 2 failed"
        + " | Task \\u0027RetryAlwaysFails\\u0027 (#2) failed with an unhandled exception: attempt 2 failed\"") with
    {
        Scheduled = ["activity:RetryAlwaysFails", "timer", "activity:RetryAlwaysFails", "timer"],
        Observations = Observed(("timerDelaysMs", "250, 0")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<RetryExhaustedOrchestrator>().AddActivity<RetryAlwaysFails>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(RetryExhaustedOrchestrator));
        await run.WaitForCompletionAsync(id);
        run.Observe("timerDelaysMs", string.Join(", ", HistoryFacts.TimerDelaysMs(await run.HistoryAsync(id))));
        return await run.CaptureAsync(id);
    }

    private sealed class RetryExhaustedOrchestrator : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            try
            {
                await context.CallActivityAsync(
                    nameof(RetryAlwaysFails), TaskOptions.FromRetryPolicy(new RetryPolicy(2, TimeSpan.FromMilliseconds(250))));
                return "succeeded";
            }
            catch (TaskFailedException e)
            {
                return $"{e.TaskName}#{e.TaskId} {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage} | {e.Message}";
            }
        }
    }

    private sealed class RetryAlwaysFails : TaskActivity<object?, object?>
    {
        public override Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var attempt = Attempts.AddOrUpdate(context.InstanceId, 1, (_, n) => n + 1);
            throw new InvalidOperationException($"attempt {attempt} failed");
        }
    }
}

/// <summary>Scheduling an orchestrator name nobody registered: the instance fails with OrchestratorTaskNotFound.</summary>
public sealed class UnknownOrchestrator : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Failed,
        Failure = new("OrchestratorTaskNotFound", "No orchestrator task named 'ConformanceNoSuchOrchestrator' was found."),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry)
    {
    }

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, "ConformanceNoSuchOrchestrator");
}
