using System.Text.Json.Serialization;

namespace Mets.Domain.Engagements;

/// <summary>Where a case's current step sits in a clinician's or supervisor's work queue.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkQueueBucket>))]
public enum WorkQueueBucket
{
    /// <summary>Nothing pressing (or no due date).</summary>
    None,

    /// <summary>Due within the window and not yet overdue.</summary>
    DueSoon,

    /// <summary>Past its due date, not yet escalated.</summary>
    Overdue,

    /// <summary>Escalated to the supervisor.</summary>
    Escalated,
}

public static class WorkQueueRule
{
    /// <summary>Escalated beats overdue beats due soon.</summary>
    public static WorkQueueBucket Classify(StepState step, DateTimeOffset now, TimeSpan dueSoonWindow)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.IsEscalated ? WorkQueueBucket.Escalated
            : step.IsOverdue(now) ? WorkQueueBucket.Overdue
            : step.IsDueSoon(now, dueSoonWindow) ? WorkQueueBucket.DueSoon
            : WorkQueueBucket.None;
    }
}
