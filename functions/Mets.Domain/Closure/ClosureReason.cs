using System.Text.Json.Serialization;

namespace Mets.Domain.Closure;

/// <summary>Why an engagement closed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClosureReason>))]
public enum ClosureReason
{
    GoalsMet,
    MemberDeclined,
    UnableToReach,
    LostEligibility,
    TransferredToHigherLevelOfCare,
    MaximumDurationReached,
}

/// <summary>A supervisor's decision in the closure review at the end of the maximum duration.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClosureReviewDecision>))]
public enum ClosureReviewDecision
{
    Close,
    Extend,
}

/// <summary>What the closure review comes to at a given moment.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClosureReviewResultKind>))]
public enum ClosureReviewResultKind
{
    /// <summary>No decision yet and the decision window is still open: keep waiting.</summary>
    Waiting,

    /// <summary>Extend: the engagement runs until <see cref="ClosureReviewResult.ExtendedUntil"/>.</summary>
    Extend,

    /// <summary>Close with <see cref="ClosureReviewResult.Reason"/>.</summary>
    Close,
}

/// <param name="Kind">Wait, extend or close.</param>
/// <param name="Reason">Set when closing.</param>
/// <param name="ExtendedUntil">Set when extending: the new end of the maximum duration.</param>
public sealed record ClosureReviewResult(ClosureReviewResultKind Kind, ClosureReason? Reason, DateTimeOffset? ExtendedUntil);
