namespace Mets.Durable;

/// <summary>Runtime status of an orchestration instance; same members as Durable's.</summary>
public enum OrchestrationRuntimeStatus
{
    Running,
    Completed,
    [Obsolete("Not used: ContinueAsNew keeps the instance Running, as in Durable.")]
    ContinuedAsNew,
    Failed,
    [Obsolete("Not used, as in Durable.")]
    Canceled,
    Terminated,
    Pending,
    Suspended,
}
