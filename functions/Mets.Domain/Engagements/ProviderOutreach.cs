using System.Text.Json.Serialization;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Engagements;

[JsonConverter(typeof(JsonStringEnumConverter<ProviderOutreachStatus>))]
public enum ProviderOutreachStatus
{
    /// <summary>Started; the first email has not gone yet.</summary>
    Pending,
    Emailed,
    Reminded,
    EscalatedToPeerReview,
    Responded,
    PeerReviewRecorded,

    /// <summary>No response nor peer-to-peer outcome in time; noted, the engagement goes on.</summary>
    NoResponse,

    /// <summary>The engagement closed while this outreach was running.</summary>
    StoppedAtClosure,
}

/// <summary>A provider's answer through the signed link.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderResponse>))]
public enum ProviderResponse
{
    WillCollaborate,
    DeclinedToCollaborate,
    NotTreatingMember,
}

/// <summary>The outcome the medical director records for a peer-to-peer review.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PeerReviewOutcome>))]
public enum PeerReviewOutcome
{
    AgreedOnPlan,
    ProviderDeclined,
    ProviderUnavailable,
}

/// <summary>The case document's view of one provider's outreach.</summary>
public sealed record ProviderOutreach(
    OutreachId Id,
    ProviderRole Role,
    ProviderOutreachStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FirstEmailAt,
    int RemindersSent,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? EndedAt,
    ProviderResponse? Response,
    PeerReviewOutcome? PeerReview)
{
    public Npi Npi => Id.Provider;

    /// <summary>Still waiting for the provider (neither answered nor ended).</summary>
    public bool IsRunning => IsRunningStatus(Status);

    public static bool IsRunningStatus(ProviderOutreachStatus status) =>
        status is ProviderOutreachStatus.Pending or ProviderOutreachStatus.Emailed
            or ProviderOutreachStatus.Reminded or ProviderOutreachStatus.EscalatedToPeerReview;

    /// <summary>
    /// Whether a report of <paramref name="reported"/> moves an outreach known to be at <paramref name="known"/>
    /// forward. An outreach only goes forward (pending, emailed, reminded, escalated, then one ending status), but
    /// reports of it can arrive out of order (one carried over to the engagement's next generation is delivered after
    /// a later one): a stale report must not bring an ended outreach back to running.
    /// </summary>
    public static bool Supersedes(ProviderOutreachStatus reported, ProviderOutreachStatus known) =>
        IsRunningStatus(known) && (!IsRunningStatus(reported) || reported >= known);

    public static ProviderOutreach Start(OutreachId id, ProviderRole role, DateTimeOffset at) =>
        new(id, role, ProviderOutreachStatus.Pending, at, null, 0, null, null, null, null);

    public ProviderOutreach Emailed(DateTimeOffset at) => this with { Status = ProviderOutreachStatus.Emailed, FirstEmailAt = at };

    public ProviderOutreach Reminded() => this with { Status = ProviderOutreachStatus.Reminded, RemindersSent = RemindersSent + 1 };

    public ProviderOutreach Escalated(DateTimeOffset at) => this with { Status = ProviderOutreachStatus.EscalatedToPeerReview, EscalatedAt = at };

    public ProviderOutreach Answered(ProviderResponse response, DateTimeOffset at) =>
        this with { Status = ProviderOutreachStatus.Responded, Response = response, EndedAt = at };

    public ProviderOutreach PeerReviewed(PeerReviewOutcome outcome, DateTimeOffset at) =>
        this with { Status = ProviderOutreachStatus.PeerReviewRecorded, PeerReview = outcome, EndedAt = at };

    public ProviderOutreach EndedWithoutResponse(DateTimeOffset at) => this with { Status = ProviderOutreachStatus.NoResponse, EndedAt = at };

    public ProviderOutreach StoppedAtClosure(DateTimeOffset at) =>
        IsRunning ? this with { Status = ProviderOutreachStatus.StoppedAtClosure, EndedAt = at } : this;
}
