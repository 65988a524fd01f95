using System.Globalization;
using System.Text.Json.Serialization;
using Mets.Domain.Assessments;
using Mets.Domain.CareGaps;
using Mets.Domain.CarePlans;
using Mets.Domain.Closure;
using Mets.Domain.Consent;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Domain.Engagements;

/// <summary>The dates a person watches on a case.</summary>
public sealed record CaseDueDates(
    DateTimeOffset? AssessmentDueAt,
    DateTimeOffset? NextReviewDueAt,
    DateTimeOffset? MaximumDurationEndsAt,
    DateTimeOffset? ClosureDecisionDueAt)
{
    public static CaseDueDates None { get; } = new(null, null, null, null);
}

/// <summary>PHQ-9 / GAD-7 totals observed at the assessment or a review.</summary>
public sealed record ScoreObservation(DateTimeOffset At, int? Phq9Total, int? Gad7Total);

/// <summary>
/// The case document: what a person reads about one engagement. The orchestration decides what
/// happens next and records it here through the helper methods, each of which returns an updated
/// copy with an audit entry appended to <see cref="Timeline"/> (append-only and hash-chained, <see cref="TimelineChain"/>;
/// details are codes).
/// <see cref="ETag"/> is the store's optimistic-concurrency token: helpers carry it unchanged, the
/// store compares it on write and sets the new one.
/// </summary>
public sealed partial record EngagementCase(
    EngagementId Id,
    MemberId MemberId,
    IReadOnlyList<Referral> Referrals,
    IReadOnlyList<TreatingProvider> TreatingProviders,
    EngagementStatus Status,
    StepState CurrentStep,
    DateTimeOffset StartedAt,
    CaseDueDates DueDates,
    StaffId? AssignedClinician,
    RiskTier? InitialRiskTier,
    RiskTierDecision? Risk,
    Assessment? Assessment,
    IReadOnlyList<ScoreObservation> ScoreHistory,
    CarePlan CarePlan,
    CareGapSummary CareGaps,
    int ReviewsStarted,
    int ReviewsCompleted,
    int ClosureReviewsStarted,
    int ContactAttemptsRecorded,
    MemberContactStreak ContactStreak,
    IReadOnlyList<ProviderOutreach> Outreach,
    IReadOnlyList<TimelineEntry> Timeline,
    OutcomeSnapshot? Outcome,
    DateTimeOffset UpdatedAt,
    string? ETag,
    IReadOnlyList<SubstanceUseConsent>? Consents = null)
{
    /// <summary>The member's recorded 42 CFR Part 2 consents (legacy referral flags are not here: <see cref="SubstanceUseDisclosure.ConsentsOf"/>).</summary>
    [JsonIgnore]
    public IReadOnlyList<SubstanceUseConsent> SubstanceUseConsents => Consents ?? [];

    public IReadOnlyList<ReferralId> ReferralIds => [.. Referrals.Select(r => r.Id)];

    /// <summary>Providers whose outreach got at least the first email: they receive the closure summary.</summary>
    public IReadOnlyList<Npi> ProvidersContacted => [.. Outreach.Where(o => o.FirstEmailAt.HasValue).Select(o => o.Npi)];

    /// <summary>The treating provider with that NPI (for the email activity), or null.</summary>
    public TreatingProvider? FindTreatingProvider(Npi npi) => TreatingProviders.FirstOrDefault(p => p.Npi == npi);

    public RiskTier? RiskTier => Risk?.Tier;

    public IReadOnlyList<CarePlanGoal> Goals => CarePlan.Goals;

    /// <summary>The engagement's position for <see cref="EventFitRule"/>.</summary>
    [JsonIgnore]
    public EngagementPosition Position => new(
        Id, Status, CurrentStep.Step, ReviewsStarted, ClosureReviewsStarted, ContactAttemptsRecorded,
        ReferralIds, Outreach.ToDictionary(o => o.Id, o => o.Status));

    /// <summary>Id, status and step only (the member id is protected health information).</summary>
    public override string ToString() => $"Engagement {Id} ({Status}, {CurrentStep.Step})";

    /// <summary>A new case as intake writes it, before the orchestration starts.</summary>
    public static EngagementCase Receive(EngagementId id, Referral referral, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(referral);
        var fresh = new EngagementCase(
            id, referral.Member, [referral], referral.TreatingProviders ?? [], EngagementStatus.Received, new StepState(StepReference.Received, null, null, null, null),
            at, CaseDueDates.None, null, null, null, null, [], CarePlan.Empty, CareGapSummary.None, 0, 0, 0, 0,
            MemberContactStreak.None, [], [], null, at, null);
        return fresh.Note(at, Actor.Referrer(referral.Source), TimelineEntryKind.ReferralReceived,
            Code("referral", referral.Id.Value), Code("reason", referral.Reason), Code("urgency", referral.Urgency),
            Code("safetyConcern", referral.SafetyConcern));
    }

    /// <summary>The orchestration took the case: the clinician is assigned and the assessment is due.</summary>
    public EngagementCase Start(StaffId clinician, DateTimeOffset assessmentDueAt, DateTimeOffset maximumDurationEndsAt, DateTimeOffset at)
    {
        Require(EngagementStep.Received);
        return (this with
        {
            Status = EngagementStatus.Open,
            AssignedClinician = clinician,
            CurrentStep = new StepState(StepReference.Assessment, assessmentDueAt, clinician, null, null),
            DueDates = DueDates with { AssessmentDueAt = assessmentDueAt, MaximumDurationEndsAt = maximumDurationEndsAt },
        })
        .Note(at, Actor.System, TimelineEntryKind.EngagementStarted, Code("assessmentDue", assessmentDueAt))
        .Note(at, Actor.System, TimelineEntryKind.ClinicianAssigned, Code("clinician", clinician.Value));
    }

    /// <summary>
    /// Another referral joins. <paramref name="assessmentDueAt"/> is the (possibly pulled-in) due date from
    /// <see cref="Policy.EngagementSchedule.AssessmentDueAfterReferralAttached"/>; ignored once past the assessment.
    /// Attaching a referral already on the case returns the case unchanged.
    /// </summary>
    public EngagementCase AttachReferral(Referral referral, DateTimeOffset? assessmentDueAt, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(referral);
        RequireOpen();
        if (Referrals.Any(r => r.Id == referral.Id))
        {
            return this;
        }

        var added = (referral.TreatingProviders ?? []).Where(p => TreatingProviders.All(known => known.Npi != p.Npi));
        var updated = (this with { Referrals = [.. Referrals, referral], TreatingProviders = [.. TreatingProviders, .. added] })
            .Note(at, Actor.Referrer(referral.Source), TimelineEntryKind.ReferralAttached, Code("referral", referral.Id.Value),
                Code("urgency", referral.Urgency), Code("safetyConcern", referral.SafetyConcern));
        var inAssessment = CurrentStep.Step.Step is EngagementStep.Received or EngagementStep.Assessment;
        if (assessmentDueAt is { } due && inAssessment && due != DueDates.AssessmentDueAt)
        {
            updated = (updated with
            {
                DueDates = updated.DueDates with { AssessmentDueAt = due },
                CurrentStep = CurrentStep.Step.Step == EngagementStep.Assessment
                    ? CurrentStep with { DueAt = due, RemindedAt = due < (CurrentStep.DueAt ?? due) ? null : CurrentStep.RemindedAt }
                    : CurrentStep,
            })
            .Note(at, Actor.System, TimelineEntryKind.AssessmentDueChanged, Code("assessmentDue", due));
        }

        return updated;
    }

    /// <summary>A reminder about the current step went to its owner.</summary>
    public EngagementCase RecordReminder(DateTimeOffset at)
    {
        RequireOpen();
        return (this with { CurrentStep = CurrentStep with { RemindedAt = at } })
            .Note(at, Actor.System, TimelineEntryKind.ReminderSent, Code("step", CurrentStep.Step));
    }

    /// <summary>The current step went to the supervisor, for <paramref name="reason"/> (the timeline says which).</summary>
    public EngagementCase RecordEscalation(StaffId? supervisor, DateTimeOffset at, EscalationReason reason = EscalationReason.Overdue)
    {
        RequireOpen();
        var details = supervisor is { } s
            ? new[] { Code("step", CurrentStep.Step), Code("reason", reason), Code("supervisor", s.Value) }
            : [Code("step", CurrentStep.Step), Code("reason", reason)];
        return (this with { CurrentStep = CurrentStep with { EscalatedAt = at } })
            .Note(at, Actor.System, TimelineEntryKind.EscalatedToSupervisor, details);
    }

    /// <summary>An attempt to reach the member; updates the consecutive-unsuccessful streak.</summary>
    public EngagementCase RecordContactAttempt(MemberContactOutcome outcome, StaffId by, DateTimeOffset at)
    {
        RequireOpen();
        return (this with { ContactAttemptsRecorded = ContactAttemptsRecorded + 1, ContactStreak = ContactStreak.After(outcome) })
            .Note(at, Actor.Staff(ActorKind.Clinician, by), TimelineEntryKind.MemberContactAttempted,
                Code("attempt", ContactAttemptsRecorded + 1), Code("outcome", outcome), Code("step", CurrentStep.Step));
    }

    /// <summary>
    /// The assessment is done: scores, risk and first care plan recorded; <paramref name="confirmedProviders"/>,
    /// when given, replaces the treating providers (the clinician confirmed or added them). Call
    /// <see cref="StartNextReview"/> next.
    /// </summary>
    public EngagementCase CompleteAssessment(Assessment assessment, RiskTierDecision risk, CarePlan carePlan, IReadOnlyList<TreatingProvider>? confirmedProviders = null)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(carePlan);
        Require(EngagementStep.Assessment);
        var at = assessment.CompletedAt;
        return (this with
        {
            Assessment = assessment,
            TreatingProviders = confirmedProviders ?? TreatingProviders,
            Risk = risk,
            InitialRiskTier = risk.Tier,
            CarePlan = carePlan,
            ScoreHistory = [.. ScoreHistory, new ScoreObservation(at, assessment.Scores.Phq9?.Total, assessment.Scores.Gad7?.Total)],
        })
        .Note(at, Actor.Staff(ActorKind.Clinician, assessment.CompletedBy), TimelineEntryKind.AssessmentCompleted,
            Code("safetyRisk", assessment.Scores.HasSafetyRisk))
        .Note(at, Actor.System, TimelineEntryKind.RiskTierAssigned, [Code("tier", risk.Tier), .. risk.Reasons.Select(r => Code("reason", r))]);
    }

    /// <summary>A review is done. Call <see cref="StartNextReview"/> or <see cref="Close"/> next.</summary>
    public EngagementCase CompleteReview(RiskTierDecision risk, int? phq9Total, int? gad7Total, StaffId by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(risk);
        Require(EngagementStep.Review);
        var history = phq9Total is null && gad7Total is null ? ScoreHistory : [.. ScoreHistory, new ScoreObservation(at, phq9Total, gad7Total)];
        return (this with { Risk = risk, ScoreHistory = history, ReviewsCompleted = ReviewsCompleted + 1 })
            .Note(at, Actor.Staff(ActorKind.Clinician, by), TimelineEntryKind.ReviewCompleted, Code("step", CurrentStep.Step), Code("tier", risk.Tier));
    }

    /// <summary>Opens the next review (after the assessment, a review, or an extension), due at <paramref name="dueAt"/>.</summary>
    public EngagementCase StartNextReview(DateTimeOffset dueAt, DateTimeOffset at)
    {
        RequireOpen();
        if (CurrentStep.Step.Step is not (EngagementStep.Assessment or EngagementStep.Review or EngagementStep.ClosureReview))
        {
            throw new InvalidOperationException("A review follows the assessment, a review or a closure review.");
        }

        var next = StepReference.Review(ReviewsStarted + 1);
        return (this with
        {
            ReviewsStarted = ReviewsStarted + 1,
            CurrentStep = new StepState(next, dueAt, AssignedClinician, null, null),
            DueDates = DueDates with { NextReviewDueAt = dueAt, ClosureDecisionDueAt = null },
        })
        .Note(at, Actor.System, TimelineEntryKind.ReviewDueChanged, Code("step", next), Code("due", dueAt));
    }

    /// <summary>The current review's due date moved (e.g. pulled forward by a discharge in claims).</summary>
    public EngagementCase ChangeReviewDue(DateTimeOffset dueAt, string reasonCode, DateTimeOffset at)
    {
        Require(EngagementStep.Review);
        if (dueAt == CurrentStep.DueAt)
        {
            return this;
        }

        var earlier = CurrentStep.DueAt is { } current && dueAt < current;
        return (this with
        {
            CurrentStep = CurrentStep with { DueAt = dueAt, RemindedAt = earlier ? null : CurrentStep.RemindedAt, EscalatedAt = earlier ? null : CurrentStep.EscalatedAt },
            DueDates = DueDates with { NextReviewDueAt = dueAt },
        })
        .Note(at, Actor.System, TimelineEntryKind.ReviewDueChanged, Code("step", CurrentStep.Step), Code("due", dueAt), Code("because", reasonCode));
    }

    /// <summary>
    /// Notes claims activity. With an <paramref name="eventId"/> (the activity's stable identity) the entry carries
    /// it, and an activity already on the timeline is not noted again (the case is returned unchanged).
    /// </summary>
    public EngagementCase RecordClaimsActivity(ClaimsActivityKind kind, DateTimeOffset at, string? eventId = null)
    {
        RequireOpen();
        if (eventId is null)
        {
            return Note(at, Actor.ClaimsAnalytics, TimelineEntryKind.ClaimsActivityObserved, Code("kind", kind));
        }

        return HasClaimsEvent(eventId) ? this : Note(at, Actor.ClaimsAnalytics, TimelineEntryKind.ClaimsActivityObserved, Code("kind", kind), Code("event", eventId));
    }

    /// <summary>True when the claims activity with this stable id is on the timeline already.</summary>
    public bool HasClaimsEvent(string eventId)
    {
        var code = Code("event", eventId);
        return Timeline.Any(e => e.Kind == TimelineEntryKind.ClaimsActivityObserved && e.Details.Contains(code));
    }

    public EngagementCase UpdateCareGaps(CareGapSummary careGaps, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(careGaps);
        return (this with { CareGaps = careGaps })
            .Note(at, Actor.ClaimsAnalytics, TimelineEntryKind.CareGapsUpdated, Code("open", careGaps.Open), Code("closed", careGaps.Closed));
    }

    public EngagementCase UpdateCarePlan(CarePlan carePlan, StaffId by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(carePlan);
        RequireOpen();
        return (this with { CarePlan = carePlan })
            .Note(at, Actor.Staff(ActorKind.Clinician, by), TimelineEntryKind.CarePlanUpdated, Code("goals", carePlan.Goals.Count), Code("achieved", carePlan.GoalsAchieved));
    }

    /// <summary>Adds the outreach or replaces the one with the same id, noting <paramref name="kind"/>.</summary>
    public EngagementCase RecordOutreach(ProviderOutreach outreach, TimelineEntryKind kind, Actor actor, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(outreach);
        var list = Outreach.Where(o => o.Id != outreach.Id).Append(outreach).ToList();
        return kind == TimelineEntryKind.ProviderEscalatedToMedicalDirector
            ? (this with { Outreach = list }).Note(at, actor, kind, Code("npi", outreach.Npi.Value), Code("status", outreach.Status), Code("reason", EscalationReason.NoProviderResponse))
            : (this with { Outreach = list }).Note(at, actor, kind, Code("npi", outreach.Npi.Value), Code("status", outreach.Status));
    }

    public EngagementCase NoteOutreachSkipped(DateTimeOffset at) =>
        Note(at, Actor.System, TimelineEntryKind.OutreachSkippedNoProviders, Code("providers", 0));

    public EngagementCase NoteClosureSummarySent(Npi provider, DateTimeOffset at) =>
        Note(at, Actor.System, TimelineEntryKind.ClosureSummarySent, Code("npi", provider.Value));

    /// <summary>The maximum duration was reached; the supervisor's decision is due at <paramref name="decisionDueAt"/>.</summary>
    public EngagementCase OpenClosureReview(DateTimeOffset decisionDueAt, StaffId? supervisor, DateTimeOffset at)
    {
        RequireOpen();
        var step = StepReference.ClosureReview(ClosureReviewsStarted + 1);
        return (this with
        {
            ClosureReviewsStarted = ClosureReviewsStarted + 1,
            CurrentStep = new StepState(step, decisionDueAt, supervisor, null, null),
            DueDates = DueDates with { ClosureDecisionDueAt = decisionDueAt },
        })
        .Note(at, Actor.System, TimelineEntryKind.ClosureReviewOpened, Code("step", step), Code("due", decisionDueAt));
    }

    /// <summary>The supervisor extended the engagement to <paramref name="until"/>. Call <see cref="StartNextReview"/> next.</summary>
    public EngagementCase Extend(DateTimeOffset until, StaffId by, DateTimeOffset at)
    {
        Require(EngagementStep.ClosureReview);
        return (this with { DueDates = DueDates with { MaximumDurationEndsAt = until, ClosureDecisionDueAt = null } })
            .Note(at, Actor.Staff(ActorKind.Supervisor, by), TimelineEntryKind.EngagementExtended, Code("until", until));
    }

    public EngagementCase RecordClosureRequested(ClosureReason reason, Actor by, DateTimeOffset at)
    {
        RequireOpen();
        return Note(at, by, TimelineEntryKind.ClosureRequested, Code("reason", reason));
    }

    /// <summary>Closes the case: running outreach is marked stopped and the outcome snapshot recorded.</summary>
    public EngagementCase Close(ClosureReason reason, Actor by, DateTimeOffset at)
    {
        RequireOpen();
        var outreach = Outreach.Select(o => o.StoppedAtClosure(at)).ToList();
        var outcome = new OutcomeSnapshot(
            reason,
            at,
            (int)Math.Floor((at - StartedAt).TotalDays),
            InitialRiskTier,
            Risk?.Tier,
            Assessment?.Scores.Phq9?.Total,
            ScoreHistory.LastOrDefault(s => s.Phq9Total.HasValue)?.Phq9Total,
            Assessment?.Scores.Gad7?.Total,
            ScoreHistory.LastOrDefault(s => s.Gad7Total.HasValue)?.Gad7Total,
            CarePlan.Goals.Count,
            CarePlan.GoalsAchieved,
            CareGaps.Identified,
            CareGaps.Closed,
            outreach.Count(o => o.FirstEmailAt.HasValue),
            outreach.Count(o => o.Response.HasValue),
            ReviewsCompleted);
        return (this with
        {
            Status = EngagementStatus.Closed,
            CurrentStep = new StepState(StepReference.Closed, null, null, null, null),
            Outreach = outreach,
            Outcome = outcome,
        })
        .Note(at, by, TimelineEntryKind.EngagementClosed, Code("reason", reason));
    }

    /// <summary>An event that did not fit (<see cref="EventFitRule"/>) was ignored; noted by kind and fit only.</summary>
    public EngagementCase NoteIgnoredEvent(EngagementEvent ignored, EventFit fit, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(ignored);
        return Note(at, Actor.System, TimelineEntryKind.EventIgnored, Code("event", ignored.GetType().Name), Code("fit", fit), Code("step", CurrentStep.Step));
    }

    /// <summary>
    /// Appends an audit entry (details must be codes, see <see cref="TimelineEntry"/>), sealed into the timeline's hash
    /// chain (<see cref="TimelineChain.Seal"/>).
    /// </summary>
    public EngagementCase Note(DateTimeOffset at, Actor actor, TimelineEntryKind kind, params string[] details) =>
        this with { Timeline = [.. Timeline, TimelineChain.Seal(Id, Timeline, new TimelineEntry(at, actor, kind, details))], UpdatedAt = at };

    /// <summary>A <c>key=value</c> detail code.</summary>
    public static string Code(string key, object? value) => value switch
    {
        DateTimeOffset d => $"{key}={d.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}",
        bool b => $"{key}={(b ? "true" : "false")}",
        IFormattable f => $"{key}={f.ToString(null, CultureInfo.InvariantCulture)}",
        _ => $"{key}={value}",
    };

    /// <summary>Throws when the engagement is closed.</summary>
    internal void RequireOpen()
    {
        if (Status == EngagementStatus.Closed)
        {
            throw new InvalidOperationException("The engagement is closed.");
        }
    }

    internal void Require(EngagementStep step)
    {
        RequireOpen();
        if (CurrentStep.Step.Step != step)
        {
            throw new InvalidOperationException($"The engagement is in step {CurrentStep.Step.Step}, not {step}.");
        }
    }
}
