using Mets.Domain.CareGaps;
using Mets.Domain.CarePlans;
using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Api.Engagements;

/// <summary>
/// One engagement as a clinician reads it (<c>GET /api/engagements/{id}</c>): what is due, who owns it,
/// the referrals, scores, goals, outreach, care gaps, outcome, the audit timeline and the member's 42 CFR Part 2
/// consents (recorded ones, and the legacy consent each referral's old flag stands for) and the care plan (goals with
/// their history, review progress and the providers' answers; barriers; interventions). No store or
/// engine internals (no ETag, no instance URLs).
/// </summary>
public sealed record EngagementView(
    string Id,
    EngagementStatus Status,
    StepView CurrentStep,
    string MemberId,
    string? AssignedClinician,
    RiskTier? RiskTier,
    IReadOnlyList<RiskReason> RiskReasons,
    CaseDueDates DueDates,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ReferralView> Referrals,
    IReadOnlyList<ProviderView> TreatingProviders,
    ScoresView? LatestScores,
    IReadOnlyList<string> MemberStatedGoals,
    int ReviewsCompleted,
    int ContactAttemptsRecorded,
    IReadOnlyList<OutreachView> Outreach,
    CareGapSummary CareGaps,
    OutcomeSnapshot? Outcome,
    IReadOnlyList<TimelineView> Timeline,
    IReadOnlyList<SubstanceUseConsent> Consents,
    CarePlan CarePlan)
{
    public static EngagementView From(EngagementCase found, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(found);
        var latest = found.ScoreHistory.Count == 0 ? null : found.ScoreHistory[^1];
        return new EngagementView(
            found.Id.Value,
            found.Status,
            StepView.From(found.CurrentStep, now),
            found.MemberId.Value,
            found.AssignedClinician?.Value,
            found.RiskTier,
            found.Risk?.Reasons ?? [],
            found.DueDates,
            found.StartedAt,
            found.UpdatedAt,
            [.. found.Referrals.Select(r => new ReferralView(r.Id.Value, r.Source, r.Reason, r.ReasonDetail, r.Urgency, r.SafetyConcern,
                r.ConsentToShareSubstanceUseInformation, [.. r.Diagnoses.Select(d => d.Value)], r.ReceivedAt))],
            [.. found.TreatingProviders.Select(p => new ProviderView(p.Name, p.Npi.Value, p.Email.Value, p.Role, p.Phone))],
            latest is null ? null : new ScoresView(latest.At, latest.Phq9Total, latest.Gad7Total),
            found.Assessment?.MemberStatedGoals ?? [],
            found.ReviewsCompleted,
            found.ContactAttemptsRecorded,
            [.. found.Outreach.Select(o => new OutreachView(o.Id.Value, o.Npi.Value, o.Role, o.Status, o.FirstEmailAt, o.RemindersSent, o.EscalatedAt, o.EndedAt, o.Response, o.PeerReview))],
            found.CareGaps,
            found.Outcome,
            [.. found.Timeline.Select(t => new TimelineView(t.At, t.Actor.Kind, t.Actor.Id, t.Kind, t.Details, t.Hash))],
            SubstanceUseDisclosure.ConsentsOf(found),
            found.CarePlan);
    }
}

/// <summary>The current step: <c>Step</c> and <c>Number</c> name it (review 2 = Review/2; send that number with the review).</summary>
public sealed record StepView(EngagementStep Step, int Number, DateTimeOffset? DueAt, string? Owner, DateTimeOffset? RemindedAt, DateTimeOffset? EscalatedAt, bool Overdue)
{
    public static StepView From(StepState step, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new(step.Step.Step, step.Step.Number, step.DueAt, step.Owner?.Value, step.RemindedAt, step.EscalatedAt, step.IsOverdue(now));
    }
}

public sealed record ReferralView(string Id, ReferralSource Source, ReferralReason Reason, string? ReasonDetail, ReferralUrgency Urgency, bool SafetyConcern,
    bool ConsentToShareSubstanceUseInformation, IReadOnlyList<string> Diagnoses, DateTimeOffset ReceivedAt);

/// <summary>A treating provider or care-team participant, with contact.</summary>
public sealed record ProviderView(string Name, string Npi, string Email, ProviderRole Role, string? Phone);

public sealed record ScoresView(DateTimeOffset At, int? Phq9Total, int? Gad7Total);

public sealed record OutreachView(string Id, string Npi, ProviderRole Role, ProviderOutreachStatus Status, DateTimeOffset? FirstEmailAt, int RemindersSent,
    DateTimeOffset? EscalatedAt, DateTimeOffset? EndedAt, ProviderResponse? Response, PeerReviewOutcome? PeerReview);

/// <summary>One timeline entry; <paramref name="Hash"/> is its link in the hash chain (null on an entry from before the chain; docs/reliability.md).</summary>
public sealed record TimelineView(DateTimeOffset At, ActorKind ActorKind, string? ActorId, TimelineEntryKind Kind, IReadOnlyList<string> Details, string? Hash);

/// <summary>One line of <c>GET /api/engagements</c>: no member data, just where the engagement stands.</summary>
public sealed record EngagementSummary(string Id, string Uri, EngagementStatus Status, EngagementStep Step, int StepNumber, DateTimeOffset? DueAt,
    string? Owner, string? AssignedClinician, RiskTier? RiskTier, bool Overdue, bool Escalated);
