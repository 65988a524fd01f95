namespace Mets.Durable;

/// <summary>What an activity knows about its invocation.</summary>
public abstract class TaskActivityContext
{
    public abstract TaskName Name { get; }

    public abstract string InstanceId { get; }
}

/// <summary>An orchestrator as the engine sees it (untyped), as Durable's ITaskOrchestrator.</summary>
public interface ITaskOrchestrator
{
    Type InputType { get; }

    Type OutputType { get; }

    Task<object?> RunAsync(TaskOrchestrationContext context, object? input);
}

/// <summary>An activity as the engine sees it (untyped), as Durable's ITaskActivity.</summary>
public interface ITaskActivity
{
    Type InputType { get; }

    Type OutputType { get; }

    Task<object?> RunAsync(TaskActivityContext context, object? input);
}

/// <summary>Base class for orchestrators, as Durable's TaskOrchestrator&lt;TInput, TOutput&gt;.</summary>
public abstract class TaskOrchestrator<TInput, TOutput> : ITaskOrchestrator
{
    public Type InputType => typeof(TInput);

    public Type OutputType => typeof(TOutput);

    public abstract Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);

    async Task<object?> ITaskOrchestrator.RunAsync(TaskOrchestrationContext context, object? input) =>
        await RunAsync(context, (TInput)input!);
}

/// <summary>Base class for activities, as Durable's TaskActivity&lt;TInput, TOutput&gt;.</summary>
public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
{
    public Type InputType => typeof(TInput);

    public Type OutputType => typeof(TOutput);

    public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);

    async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input) =>
        await RunAsync(context, (TInput)input!).ConfigureAwait(false);
}
