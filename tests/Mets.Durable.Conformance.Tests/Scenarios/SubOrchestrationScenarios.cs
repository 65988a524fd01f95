using Mets.Durable.Conformance.Tests.Runtimes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mets.Durable.Conformance.Tests.Scenarios;

/// <summary>A sub-orchestration with a chosen instance id: it sees its parent's name and id; its result comes back.</summary>
public sealed class SubOrchestrationSuccess : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(
        "{\"ParentName\":\"SubSuccessParent\",\"ParentInstanceId\":\"{main}\",\"InstanceId\":\"{main}:child\",\"Input\":\"from parent\"}") with
    {
        Scheduled = ["sub:SubSuccessChild"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<SubSuccessParent>().AddOrchestrator<SubSuccessChild>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(SubSuccessParent));

    private sealed record ChildReport(string? ParentName, string? ParentInstanceId, string InstanceId, string Input);

    private sealed class SubSuccessParent : TaskOrchestrator<object?, ChildReport>
    {
        public override Task<ChildReport> RunAsync(TaskOrchestrationContext context, object? input) =>
            context.CallSubOrchestratorAsync<ChildReport>(
                nameof(SubSuccessChild), "from parent", new SubOrchestrationOptions { InstanceId = context.InstanceId + ":child" });
    }

    private sealed class SubSuccessChild : TaskOrchestrator<string, ChildReport>
    {
        public override Task<ChildReport> RunAsync(TaskOrchestrationContext context, string input) =>
            Task.FromResult(new ChildReport(context.Parent?.Name.Name, context.Parent?.InstanceId, context.InstanceId, input));
    }
}

/// <summary>A sub-orchestration throws; the parent catches TaskFailedException.</summary>
public sealed class SubOrchestrationFailureCaught : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => ScenarioOutcome.Completed(
        "\"SubCaughtChild#0 System.InvalidOperationException: child failed"
        + " | Task \\u0027SubCaughtChild\\u0027 (#0) failed with an unhandled exception: child failed\"") with
    {
        Scheduled = ["sub:SubCaughtChild"],
        Observations = Observed(("child", "Status=Failed; Output=child failed; Failure=System.InvalidOperationException: child failed; Received=[]")),
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<SubCaughtParent>().AddOrchestrator<SubCaughtChild>();

    /// <inheritdoc />
    public override async Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime)
    {
        using var run = new ScenarioRun(this, runtime);
        var id = await run.StartAsync(nameof(SubCaughtParent));
        await run.WaitForCompletionAsync(id);
        run.Observe("child", await run.SummarizeAsync(id + ":child"));
        return await run.CaptureAsync(id);
    }

    private sealed class SubCaughtParent : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            try
            {
                await context.CallSubOrchestratorAsync(nameof(SubCaughtChild), options: new SubOrchestrationOptions { InstanceId = context.InstanceId + ":child" });
                return "child succeeded";
            }
            catch (TaskFailedException e)
            {
                return $"{e.TaskName}#{e.TaskId} {e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage} | {e.Message}";
            }
        }
    }

    private sealed class SubCaughtChild : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) =>
            throw new InvalidOperationException("child failed");
    }
}

/// <summary>A sub-orchestration throws and the parent lets it escape: the parent fails with the child's failure inside.</summary>
public sealed class SubOrchestrationFailureUncaught : Scenario
{
    /// <inheritdoc />
    public override ScenarioReference Reference => ScenarioReference.Sdk;

    /// <inheritdoc />
    public override ScenarioOutcome Expected => new()
    {
        Status = OrchestrationRuntimeStatus.Failed,
        Output = "Task 'SubUncaughtChild' (#0) failed with an unhandled exception: child failed",
        Failure = new(
            "Microsoft.DurableTask.TaskFailedException",
            "Task 'SubUncaughtChild' (#0) failed with an unhandled exception: child failed",
            new("System.InvalidOperationException", "child failed")),
        Scheduled = ["sub:SubUncaughtChild"],
    };

    /// <inheritdoc />
    public override void Register(DurableTaskRegistry registry) =>
        registry.AddOrchestrator<SubUncaughtParent>().AddOrchestrator<SubUncaughtChild>();

    /// <inheritdoc />
    public override Task<ScenarioOutcome> RunAsync(IDurableRuntime runtime) => RunToCompletionAsync(runtime, nameof(SubUncaughtParent));

    private sealed class SubUncaughtParent : TaskOrchestrator<object?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, object? input)
        {
            await context.CallSubOrchestratorAsync(nameof(SubUncaughtChild), options: new SubOrchestrationOptions { InstanceId = context.InstanceId + ":child" });
            return "unreachable";
        }
    }

    private sealed class SubUncaughtChild : TaskOrchestrator<object?, string>
    {
        public override Task<string> RunAsync(TaskOrchestrationContext context, object? input) =>
            throw new InvalidOperationException("child failed");
    }
}
