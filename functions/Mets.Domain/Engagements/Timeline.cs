using System.Text.Json.Serialization;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Engagements;

[JsonConverter(typeof(JsonStringEnumConverter<ActorKind>))]
public enum ActorKind
{
    System,
    Clinician,
    Supervisor,
    MedicalDirector,
    Provider,
    ClaimsAnalytics,
    Referrer,
}

/// <summary>Who made a change: the system, a staff member (by <see cref="StaffId"/>), a provider (by NPI) or a referring system.</summary>
public sealed record Actor(ActorKind Kind, string? Id)
{
    public static Actor System { get; } = new(ActorKind.System, null);

    public static Actor ClaimsAnalytics { get; } = new(ActorKind.ClaimsAnalytics, null);

    public static Actor Staff(ActorKind kind, StaffId id) =>
        kind is ActorKind.Clinician or ActorKind.Supervisor or ActorKind.MedicalDirector
            ? new(kind, id.Value)
            : throw new ArgumentOutOfRangeException(nameof(kind), "Staff actors are clinicians, supervisors or medical directors.");

    public static Actor Provider(Npi npi) => new(ActorKind.Provider, npi.Value);

    public static Actor Referrer(ReferralSource source) => new(ActorKind.Referrer, source.ToString());
}

/// <summary>What happened, for the audit timeline.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TimelineEntryKind>))]
public enum TimelineEntryKind
{
    ReferralReceived,
    ReferralAttached,
    EngagementStarted,
    ClinicianAssigned,
    AssessmentDueChanged,
    ReminderSent,
    EscalatedToSupervisor,
    MemberContactAttempted,
    AssessmentCompleted,
    RiskTierAssigned,
    OutreachStarted,
    OutreachSkippedNoProviders,
    ProviderReminded,
    ProviderEscalatedToMedicalDirector,
    ProviderResponded,
    PeerReviewRecorded,
    OutreachEndedNoResponse,
    OutreachStopped,
    ReviewCompleted,
    ReviewDueChanged,
    CarePlanUpdated,
    ClaimsActivityObserved,
    CareGapsUpdated,
    ClosureReviewOpened,
    EngagementExtended,
    ClosureRequested,
    ClosureSummarySent,
    EngagementClosed,
    EventIgnored,
    ConsentRecorded,
    ConsentRevoked,
    SubstanceUseInformationDisclosed,
    GoalAdded,
    GoalChanged,
    GoalProgressRecorded,
    ProviderGoalAnswered,
    BarrierAdded,
    BarrierChanged,
    InterventionAdded,
    InterventionChanged,
    FollowUpReminderSent,
    FollowUpEscalated,
    CarePlanShared,
    CareTeamMemberAdded,
    LevelOfCareRecommended,
}

/// <summary>
/// One append-only audit entry: when, who, what, and detail codes (<c>key=value</c> tokens of
/// letters, digits and <c>_ . : = - # @</c> only, so free text and names cannot slip in), sealed by
/// <see cref="Hash"/>, its link in the engagement's hash chain (<see cref="TimelineChain"/>).
/// </summary>
public sealed record TimelineEntry
{
    public const int MaxDetails = 16;
    public const int MaxDetailLength = 100;

    /// <param name="at">When it happened.</param>
    /// <param name="actor">Who did it.</param>
    /// <param name="kind">What happened.</param>
    /// <param name="details">Detail codes.</param>
    /// <param name="hash">
    /// The entry's link in the hash chain (<see cref="TimelineChain.Link"/>), set when the entry is appended to a case
    /// (<see cref="EngagementCase.Note"/>); null for an entry not appended yet, or written before the chain existed.
    /// </param>
    public TimelineEntry(DateTimeOffset at, Actor actor, TimelineEntryKind kind, IReadOnlyList<string> details, string? hash = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        details ??= [];
        if (details.Count > MaxDetails || details.Any(d => !IsDetailCode(d)))
        {
            throw new ArgumentException(
                $"Timeline details are at most {MaxDetails} codes of 1-{MaxDetailLength} letters, digits and _ . : = - # @ (no free text).",
                nameof(details));
        }

        At = at;
        Actor = actor;
        Kind = kind;
        Details = [.. details];
        Hash = hash;
    }

    public DateTimeOffset At { get; }

    public Actor Actor { get; }

    public TimelineEntryKind Kind { get; }

    public IReadOnlyList<string> Details { get; }

    /// <summary>SHA-256 of the previous entry's hash and this entry's canonical form, 64 lower-case hex digits (<see cref="TimelineChain"/>); null on an entry written before the chain existed.</summary>
    public string? Hash { get; init; }

    public static TimelineEntry Create(DateTimeOffset at, Actor actor, TimelineEntryKind kind, params string[] details) => new(at, actor, kind, details);

    public static bool IsDetailCode(string? code) =>
        !string.IsNullOrEmpty(code) && code.Length <= MaxDetailLength
        && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '=' or '-' or '#' or '@');
}

/// <summary>Why something went to a supervisor or the medical director (the timeline's <c>reason=</c> detail).</summary>
public enum EscalationReason
{
    /// <summary>The step passed its due date (and its reminder) without being done.</summary>
    Overdue,

    /// <summary>The assessment's safety screen was positive (PHQ-9 item 9).</summary>
    SafetyScreen,

    /// <summary>The treating provider did not answer the outreach and its reminders.</summary>
    NoProviderResponse,
}
