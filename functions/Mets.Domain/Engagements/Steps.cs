using System.Text.Json.Serialization;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Engagements;

/// <summary>Where an engagement stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EngagementStep>))]
public enum EngagementStep
{
    /// <summary>Written by intake; the orchestration has not taken it yet.</summary>
    Received,

    /// <summary>Waiting for the assessment.</summary>
    Assessment,

    /// <summary>Active engagement: follow-up reviews on the tier's cadence.</summary>
    Review,

    /// <summary>Maximum duration reached: waiting for the supervisor to close or extend.</summary>
    ClosureReview,

    Closed,
}

[JsonConverter(typeof(JsonStringEnumConverter<EngagementStatus>))]
public enum EngagementStatus
{
    Received,
    Open,
    Closed,
}

/// <summary>
/// Names one occurrence of a step: the assessment (number 1), review number n, closure review
/// number n. Step events carry the step they answer, so a late or repeated one is recognized.
/// </summary>
public readonly record struct StepReference(EngagementStep Step, int Number)
{
    public static StepReference Received => new(EngagementStep.Received, 0);

    public static StepReference Assessment => new(EngagementStep.Assessment, 1);

    public static StepReference Closed => new(EngagementStep.Closed, 0);

    public static StepReference Review(int number) =>
        number >= 1 ? new(EngagementStep.Review, number) : throw new ArgumentOutOfRangeException(nameof(number), "Reviews are numbered from 1.");

    public static StepReference ClosureReview(int number) =>
        number >= 1 ? new(EngagementStep.ClosureReview, number) : throw new ArgumentOutOfRangeException(nameof(number), "Closure reviews are numbered from 1.");

    /// <summary>A code for timelines and custom status, e.g. <c>Review#3</c>.</summary>
    public override string ToString() => $"{Step}#{Number}";
}

/// <summary>The current step with its due date, owner and reminder/escalation marks.</summary>
public sealed record StepState(
    StepReference Step,
    DateTimeOffset? DueAt,
    StaffId? Owner,
    DateTimeOffset? RemindedAt,
    DateTimeOffset? EscalatedAt)
{
    public bool IsEscalated => EscalatedAt.HasValue;

    public bool IsOverdue(DateTimeOffset now) => DueAt is { } due && now >= due;

    /// <summary>Due within <paramref name="window"/> from <paramref name="now"/> and not yet overdue.</summary>
    public bool IsDueSoon(DateTimeOffset now, TimeSpan window) => DueAt is { } due && now < due && due - now <= window;
}
