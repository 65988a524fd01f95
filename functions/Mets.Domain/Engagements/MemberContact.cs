using System.Text.Json.Serialization;

namespace Mets.Domain.Engagements;

/// <summary>The result of one attempt to reach the member.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MemberContactOutcome>))]
public enum MemberContactOutcome
{
    Reached,
    NoAnswer,
    MessageLeft,
    WrongOrDisconnectedNumber,
    OtherUnsuccessful,
}

/// <summary>
/// Consecutive unsuccessful attempts to reach the member. A successful contact resets the count;
/// <see cref="Policy.EngagementSchedule.IsUnableToReach"/> says when the engagement closes as unable to reach.
/// </summary>
public readonly record struct MemberContactStreak(int ConsecutiveUnsuccessful)
{
    public static MemberContactStreak None => default;

    public MemberContactStreak After(MemberContactOutcome outcome) =>
        outcome == MemberContactOutcome.Reached ? None : new MemberContactStreak(ConsecutiveUnsuccessful + 1);
}
