namespace Mets.Durable;

/// <summary>An instance's status, as Durable's OrchestrationMetadata.</summary>
public sealed class OrchestrationMetadata
{
    private readonly DataConverter _converter;

    public OrchestrationMetadata(string name, string instanceId, DataConverter converter)
    {
        Name = name;
        InstanceId = instanceId;
        _converter = converter;
    }

    public string Name { get; }

    public string InstanceId { get; }

    public OrchestrationRuntimeStatus RuntimeStatus { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastUpdatedAt { get; init; }

    public string? SerializedInput { get; init; }

    public string? SerializedOutput { get; init; }

    public string? SerializedCustomStatus { get; init; }

    public TaskFailureDetails? FailureDetails { get; init; }

    /// <summary>Whether inputs and outputs were fetched (ReadInputAs/ReadOutputAs need them).</summary>
    public bool RequestedInputsAndOutputs { get; init; }

    public bool IsRunning => RuntimeStatus == OrchestrationRuntimeStatus.Running;

    public bool IsCompleted => RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    public T? ReadInputAs<T>() => Read<T>(SerializedInput);

    public T? ReadOutputAs<T>() => Read<T>(SerializedOutput);

    public T? ReadCustomStatusAs<T>() => _converter.Deserialize<T>(SerializedCustomStatus);

    private T? Read<T>(string? json) => RequestedInputsAndOutputs
        ? _converter.Deserialize<T>(json)
        : throw new InvalidOperationException("The instance was fetched without inputs and outputs; pass getInputsAndOutputs: true.");
}

/// <summary>Filter and paging for instance queries.</summary>
public sealed record OrchestrationQuery(
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null,
    IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses = null,
    string? InstanceIdPrefix = null,
    int PageSize = 100,
    bool FetchInputsAndOutputs = false,
    string? ContinuationToken = null);

/// <summary>One page of a query.</summary>
public sealed record OrchestrationQueryPage(IReadOnlyList<OrchestrationMetadata> Values, string? ContinuationToken);

public sealed record StartOrchestrationOptions(string? InstanceId = null);

public sealed record TerminateInstanceOptions(object? Output = null, bool Recursive = true);

public sealed record PurgeInstanceOptions(bool Recursive = false);

public sealed record PurgeInstancesFilter(
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null,
    IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses = null);

public sealed record PurgeResult(int PurgedInstanceCount);

/// <summary>Scheduling an id whose instance is Pending, Running or Suspended.</summary>
public sealed class OrchestrationAlreadyExistsException(string instanceId, OrchestrationRuntimeStatus status)
    : InvalidOperationException($"An orchestration with id '{instanceId}' already exists. It's in the {status} state.")
{
    public string InstanceId { get; } = instanceId;

    public OrchestrationRuntimeStatus Status { get; } = status;
}

/// <summary>An operation named an instance that does not exist.</summary>
public sealed class OrchestrationNotFoundException(string instanceId)
    : InvalidOperationException($"No orchestration instance with id '{instanceId}' was found.")
{
    public string InstanceId { get; } = instanceId;
}
