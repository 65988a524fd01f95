using System.Text.Json.Serialization;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Engagements;

/// <summary>Whether an event may be applied now.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EventFit>))]
public enum EventFit
{
    /// <summary>Apply it.</summary>
    Fits,

    /// <summary>It answers a step (or outreach) that is over: ignore it and note it in the timeline.</summary>
    Stale,

    /// <summary>It was applied already (same referral, same attempt number, same answer): ignore and note.</summary>
    Duplicate,

    /// <summary>It answers a step that has not started, or does not belong to the current step: refuse (conflict).</summary>
    NotExpectedNow,

    /// <summary>The engagement is closed.</summary>
    EngagementClosed,

    /// <summary>It is addressed to another engagement.</summary>
    OtherEngagement,
}

/// <summary>
/// What the event-fit rule needs to know about an engagement: held by the orchestration in its
/// state and derivable from the case document (<see cref="EngagementCase.Position"/>), so the
/// application service can answer a conflict before raising anything.
/// </summary>
/// <param name="ReviewsStarted">How many reviews have started (the current one included).</param>
/// <param name="ClosureReviewsStarted">How many closure reviews have started (the current one included).</param>
/// <param name="ContactAttemptsRecorded">Member contact attempts applied so far over the whole engagement.</param>
/// <param name="Outreach">Status of each provider outreach started so far.</param>
public sealed record EngagementPosition(
    EngagementId EngagementId,
    EngagementStatus Status,
    StepReference Step,
    int ReviewsStarted,
    int ClosureReviewsStarted,
    int ContactAttemptsRecorded,
    IReadOnlyCollection<ReferralId> ReferralIds,
    IReadOnlyDictionary<OutreachId, ProviderOutreachStatus> Outreach);

/// <summary>
/// The pure rule deciding whether an event fits an engagement's current position. Used by the
/// application services (answer a conflict for <see cref="EventFit.NotExpectedNow"/>, and for stale or
/// duplicate submissions) and by the orchestrator (apply only <see cref="EventFit.Fits"/>; record
/// anything else in the timeline and ignore it, never carrying it to the next step).
/// </summary>
public static class EventFitRule
{
    public static EventFit Evaluate(EngagementEvent engagementEvent, EngagementPosition position)
    {
        ArgumentNullException.ThrowIfNull(engagementEvent);
        ArgumentNullException.ThrowIfNull(position);
        if (engagementEvent.EngagementId != position.EngagementId)
        {
            return EventFit.OtherEngagement;
        }

        if (position.Status == EngagementStatus.Closed || position.Step.Step == EngagementStep.Closed)
        {
            return EventFit.EngagementClosed;
        }

        return engagementEvent switch
        {
            ReferralAttached e => position.ReferralIds.Contains(e.ReferralId) ? EventFit.Duplicate : EventFit.Fits,
            ClosureRequested or ClaimsActivityObserved => EventFit.Fits,
            AssessmentCompleted e => StepFit(e.Step, EngagementStep.Assessment, position),
            ReviewCompleted e => StepFit(e.Step, EngagementStep.Review, position),
            ClosureReviewDecided e => StepFit(e.Step, EngagementStep.ClosureReview, position),
            MemberContactAttempted e => ContactFit(e, position),
            ProviderResponded e => OutreachFit(e.OutreachId, position, peerReview: false),
            PeerReviewRecorded e => OutreachFit(e.OutreachId, position, peerReview: true),
            _ => EventFit.NotExpectedNow,
        };
    }

    private static EventFit StepFit(StepReference answered, EngagementStep expectedKind, EngagementPosition position)
    {
        if (answered.Step != expectedKind)
        {
            return EventFit.NotExpectedNow;
        }

        if (answered == position.Step)
        {
            return EventFit.Fits;
        }

        return HasPassed(answered, position) ? EventFit.Stale : EventFit.NotExpectedNow;
    }

    /// <summary>True when <paramref name="step"/> existed earlier in this engagement and is no longer current.</summary>
    private static bool HasPassed(StepReference step, EngagementPosition position) => step.Step switch
    {
        EngagementStep.Assessment => position.Step.Step is not (EngagementStep.Received or EngagementStep.Assessment),
        EngagementStep.Review => step.Number >= 1 && step.Number <= position.ReviewsStarted,
        EngagementStep.ClosureReview => step.Number >= 1 && step.Number <= position.ClosureReviewsStarted,
        _ => false,
    };

    private static EventFit ContactFit(MemberContactAttempted e, EngagementPosition position)
    {
        if (e.AttemptNumber >= 1 && e.AttemptNumber <= position.ContactAttemptsRecorded)
        {
            return EventFit.Duplicate;
        }

        if (e.Step.Step is not (EngagementStep.Assessment or EngagementStep.Review or EngagementStep.ClosureReview))
        {
            return EventFit.NotExpectedNow;
        }

        if (e.Step != position.Step)
        {
            return HasPassed(e.Step, position) ? EventFit.Stale : EventFit.NotExpectedNow;
        }

        return e.AttemptNumber == position.ContactAttemptsRecorded + 1 ? EventFit.Fits : EventFit.NotExpectedNow;
    }

    private static EventFit OutreachFit(OutreachId id, EngagementPosition position, bool peerReview)
    {
        if (id.Engagement != position.EngagementId)
        {
            return EventFit.OtherEngagement;
        }

        if (!position.Outreach.TryGetValue(id, out var status))
        {
            return EventFit.NotExpectedNow;
        }

        return status switch
        {
            ProviderOutreachStatus.Responded => peerReview ? EventFit.Stale : EventFit.Duplicate,
            ProviderOutreachStatus.PeerReviewRecorded => peerReview ? EventFit.Duplicate : EventFit.Stale,
            ProviderOutreachStatus.NoResponse or ProviderOutreachStatus.StoppedAtClosure => EventFit.Stale,
            ProviderOutreachStatus.EscalatedToPeerReview => EventFit.Fits,
            _ => peerReview ? EventFit.NotExpectedNow : EventFit.Fits,
        };
    }
}
