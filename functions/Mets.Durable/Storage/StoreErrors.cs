using DurableTask.Core.Exceptions;

namespace Mets.Durable.Storage;

/// <summary>The errors both stores raise, worded once.</summary>
internal static class StoreErrors
{
    public static string AlreadyExistsMessage(string instanceId, OrchestrationRuntimeStatus status) =>
        $"An orchestration with id '{instanceId}' already exists. It's in the {status} state.";

    /// <summary>The exception Microsoft's clients throw for an id that may not be reused.</summary>
    public static OrchestrationAlreadyExistsException AlreadyExists(string instanceId, OrchestrationRuntimeStatus status) =>
        new(AlreadyExistsMessage(instanceId, status));

    /// <summary>What a parent sees when the sub-orchestration id it chose is taken by a live instance.</summary>
    public static TaskFailureDetails AlreadyExistsFailure(string instanceId, OrchestrationRuntimeStatus status) =>
        new(typeof(OrchestrationAlreadyExistsException).FullName!, AlreadyExistsMessage(instanceId, status), null, null, null);
}
