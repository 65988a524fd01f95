namespace Mets.Durable;

/// <summary>What failed, recorded durably: the exception type, message, stack and inner failure.</summary>
public sealed record TaskFailureDetails(string ErrorType, string ErrorMessage, string? StackTrace = null, TaskFailureDetails? InnerFailure = null)
{
    public static TaskFailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is TaskFailedException failed)
        {
            return new TaskFailureDetails(typeof(TaskFailedException).FullName!, failed.Message, failed.StackTrace, failed.FailureDetails);
        }

        return new TaskFailureDetails(
            exception.GetType().FullName ?? exception.GetType().Name,
            exception.Message,
            exception.StackTrace,
            exception.InnerException is null ? null : FromException(exception.InnerException));
    }

    /// <summary>True when this failure, or an inner one, was caused by an exception of type <typeparamref name="T"/>.</summary>
    public bool IsCausedBy<T>()
        where T : Exception
    {
        var type = Type.GetType(ErrorType, throwOnError: false) ?? AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetType(ErrorType, throwOnError: false))
            .FirstOrDefault(t => t is not null);
        return (type is not null && typeof(T).IsAssignableFrom(type)) || (InnerFailure?.IsCausedBy<T>() ?? false);
    }

    public override string ToString() => $"{ErrorType}: {ErrorMessage}";
}

/// <summary>An activity or sub-orchestration failed; thrown into the awaiting orchestrator.</summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException(string taskName, int taskId, TaskFailureDetails failureDetails)
        : base($"Task '{taskName}' (#{taskId}) failed with an unhandled exception: {failureDetails?.ErrorMessage}")
    {
        ArgumentNullException.ThrowIfNull(failureDetails);
        TaskName = taskName;
        TaskId = taskId;
        FailureDetails = failureDetails;
    }

    public TaskFailedException()
        : this("unknown", -1, new TaskFailureDetails("unknown", "unknown"))
    {
    }

    public TaskFailedException(string message)
        : base(message)
    {
        TaskName = "unknown";
        FailureDetails = new TaskFailureDetails("unknown", message);
    }

    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        TaskName = "unknown";
        FailureDetails = TaskFailureDetails.FromException(innerException);
    }

    public TaskName TaskName { get; }

    public int TaskId { get; }

    public TaskFailureDetails FailureDetails { get; }
}
