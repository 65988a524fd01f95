using Mets.Domain.CareGaps;
using Mets.Domain.CarePlans;
using Mets.Domain.Engagements;
using Mets.Workflow.Cases;

namespace Mets.Workflow.Activities;

/// <summary>How each <see cref="CaseUpdate"/> changes a case document (pure; the domain's helpers do the work).</summary>
internal static class CaseUpdateRules
{
    public static EngagementCase Apply(EngagementCase current, CaseUpdate update, Func<Mets.Domain.Identifiers.ReferralId, Mets.Domain.Referrals.Referral?> referral, AssessmentDetails? details)
    {
        var at = update.At;
        switch (update)
        {
            case ReminderRecorded:
                return current.RecordReminder(at);
            case EscalationRecorded e:
                return current.RecordEscalation(e.Supervisor, at);
            case ReferralAttachment e:
                var attached = referral(e.ReferralId) ?? throw new InvalidOperationException($"Referral {e.ReferralId} is not in the case store.");
                return current.AttachReferral(attached, e.AssessmentDueAt, at);
            case ContactAttemptRecorded e:
                return current.RecordContactAttempt(e.Outcome, e.By, at);
            case AssessmentApplied e:
                return ApplyAssessment(current, e, details);
            case ReviewApplied e:
                return current.CompleteReview(e.Review.Risk, e.Review.Phq9Total, e.Review.Gad7Total, e.Review.ReviewedBy, at);
            case NextReviewStarted e:
                return current.StartNextReview(e.DueAt, at);
            case ReviewDueMoved e:
                return current.ChangeReviewDue(e.DueAt, e.Because, at);
            case ClaimsActivityRecorded e:
                // The case remembers claims activity by its stable id: applied once, however often it is raised.
                return e.EventId is not null && current.HasClaimsEvent(e.EventId)
                    ? current
                    : ApplyCareGap(current.RecordClaimsActivity(e.Kind, at, e.EventId), e);
            case ClosureReviewStarted e:
                return current.OpenClosureReview(e.DecisionDueAt, e.Supervisor, at);
            case EngagementExtension e:
                return current.Extend(e.Until, e.By, at);
            case ClosureRequestRecorded e:
                return current.RecordClosureRequested(e.Reason, e.By, at);
            case EngagementClosure e:
                return current.Status == EngagementStatus.Closed ? current : current.Close(e.Reason, e.By, at);
            case EventIgnored e:
                return current.NoteIgnoredEvent(e.Ignored, e.Fit, at);
            case OutreachProgress e:
                return ApplyOutreach(current, e);
            case FollowUpTimerRecorded e:
                return current.RecordFollowUpTimer(e.InterventionId, e.Escalation, e.To, at);
            case CareTeamOutreachStarted e:
                return current.Status == EngagementStatus.Closed || current.Outreach.Any(o => o.Id == e.OutreachId)
                    ? current
                    : current.RecordOutreach(ProviderOutreach.Start(e.OutreachId, e.Role, at), TimelineEntryKind.OutreachStarted, Actor.System, at);
            default:
                throw new ArgumentOutOfRangeException(nameof(update), "Unknown case update.");
        }
    }

    private static EngagementCase ApplyCareGap(EngagementCase current, ClaimsActivityRecorded e)
    {
        if (!CareGap.IsMeasureCode(e.Measure))
        {
            return current;
        }

        var on = DateOnly.FromDateTime(e.ActivityAt.UtcDateTime);
        var existing = current.CareGaps.Gaps.FirstOrDefault(g => g.Measure == e.Measure);
        CareGap? changed = e.Kind switch
        {
            ClaimsActivityKind.CareGapOpened when existing is not { Status: CareGapStatus.Open } => new CareGap(e.Measure!, CareGapStatus.Open, on, null),
            ClaimsActivityKind.CareGapClosed when existing is { Status: CareGapStatus.Open } => existing.CloseOn(on < existing.IdentifiedOn ? existing.IdentifiedOn : on),
            _ => null,
        };
        return changed is null ? current : current.UpdateCareGaps(current.CareGaps.With(changed), e.At);
    }

    private static EngagementCase ApplyAssessment(EngagementCase current, AssessmentApplied e, AssessmentDetails? details)
    {
        if (details is null)
        {
            throw new InvalidOperationException($"The assessment details of engagement {current.Id} are not in the case store.");
        }

        var carePlan = CarePlan.FromAssessment(details.Assessment, []);
        var updated = current.CompleteAssessment(details.Assessment, e.Risk, carePlan, details.ConfirmedProviders);
        if (e.EscalateForSafety)
        {
            updated = updated.RecordEscalation(e.Supervisor, e.At, EscalationReason.SafetyScreen);
        }

        if (e.Providers.Count == 0)
        {
            return updated.NoteOutreachSkipped(e.At);
        }

        foreach (var provider in e.Providers)
        {
            var id = Mets.Domain.Identifiers.OutreachId.For(current.Id, provider.Npi);
            updated = updated.RecordOutreach(ProviderOutreach.Start(id, provider.Role, e.At), TimelineEntryKind.OutreachStarted, Actor.System, e.At);
        }

        return updated;
    }

    private static EngagementCase ApplyOutreach(EngagementCase current, OutreachProgress e)
    {
        var outreach = current.Outreach.FirstOrDefault(o => o.Id == e.OutreachId) ?? ProviderOutreach.Start(e.OutreachId, e.Role, e.At);
        if (current.Status == EngagementStatus.Closed || !outreach.IsRunning)
        {
            return current; // a late step of an outreach that closure (or an answer) already ended
        }

        var (updated, kind, actor) = e.Change switch
        {
            OutreachChange.Emailed => (outreach.Emailed(e.At), TimelineEntryKind.OutreachStarted, Actor.System),
            OutreachChange.Reminded => (outreach.Reminded(), TimelineEntryKind.ProviderReminded, Actor.System),
            OutreachChange.Escalated => (outreach.Escalated(e.At), TimelineEntryKind.ProviderEscalatedToMedicalDirector, Actor.System),
            OutreachChange.Answered => (outreach.Answered(e.Response ?? throw new ArgumentException("An answer needs a response.", nameof(e)), e.At),
                TimelineEntryKind.ProviderResponded, Actor.Provider(e.OutreachId.Provider)),
            OutreachChange.PeerReviewed => (outreach.PeerReviewed(e.PeerReview ?? throw new ArgumentException("A peer review needs an outcome.", nameof(e)), e.At),
                TimelineEntryKind.PeerReviewRecorded, e.RecordedBy is { } by ? Actor.Staff(ActorKind.MedicalDirector, by) : Actor.System),
            OutreachChange.EndedWithoutResponse => (outreach.EndedWithoutResponse(e.At), TimelineEntryKind.OutreachEndedNoResponse, Actor.System),
            _ => throw new ArgumentOutOfRangeException(nameof(e), "Unknown outreach change."),
        };
        return current.RecordOutreach(updated, kind, actor, e.At);
    }
}
