namespace Mets.Durable;

/// <summary>Declarative retry for activities and sub-orchestrations; retries wait on durable timers.</summary>
public sealed class RetryPolicy
{
    public RetryPolicy(
        int maxNumberOfAttempts,
        TimeSpan firstRetryInterval,
        double backoffCoefficient = 1.0,
        TimeSpan? maxRetryInterval = null,
        TimeSpan? retryTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNumberOfAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstRetryInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(backoffCoefficient, 1.0);
        if (maxRetryInterval is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, firstRetryInterval);
        }

        if (retryTimeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, firstRetryInterval);
        }

        MaxNumberOfAttempts = maxNumberOfAttempts;
        FirstRetryInterval = firstRetryInterval;
        BackoffCoefficient = backoffCoefficient;
        MaxRetryInterval = maxRetryInterval ?? TimeSpan.FromHours(1);
        RetryTimeout = retryTimeout ?? Timeout.InfiniteTimeSpan;
    }

    public int MaxNumberOfAttempts { get; }

    public TimeSpan FirstRetryInterval { get; }

    public double BackoffCoefficient { get; }

    public TimeSpan MaxRetryInterval { get; }

    /// <summary>Total time after the first attempt within which retries may start; infinite by default.</summary>
    public TimeSpan RetryTimeout { get; }

    /// <summary>Decides whether a failure is retried at all; all failures by default.</summary>
    public Func<TaskFailureDetails, bool> HandleFailure { get; init; } = _ => true;

    /// <summary>The delay before retry number <paramref name="retryNumber"/> (1 = the first retry).</summary>
    public TimeSpan GetDelay(int retryNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryNumber, 1);
        var ticks = FirstRetryInterval.Ticks * Math.Pow(BackoffCoefficient, retryNumber - 1);
        return ticks >= MaxRetryInterval.Ticks ? MaxRetryInterval : TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>Retry settings attached to a task; converts implicitly from <see cref="RetryPolicy"/>.</summary>
public sealed class TaskRetryOptions
{
    public TaskRetryOptions(RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
    }

    public RetryPolicy Policy { get; }

    public static implicit operator TaskRetryOptions(RetryPolicy policy) => new(policy);

    public static TaskRetryOptions FromRetryPolicy(RetryPolicy policy) => new(policy);
}

/// <summary>Options for an activity or sub-orchestration call.</summary>
public record TaskOptions(TaskRetryOptions? Retry = null)
{
    public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(new TaskRetryOptions(policy));

    public SubOrchestrationOptions WithInstanceId(string instanceId) => new(Retry, instanceId);
}

/// <summary>Options for a sub-orchestration call, with the child's instance id.</summary>
public record SubOrchestrationOptions(TaskRetryOptions? Retry = null, string? InstanceId = null) : TaskOptions(Retry);
