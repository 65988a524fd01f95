using Mets.Claims;
using Mets.Claims.Analytics;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>What routing a file's triggers did, in counts (no member data).</summary>
public sealed record ClaimsRoutingSummary(int ReferralsCreated, int ReferralsAlreadyKnown, int AttachedToOpenEngagements, int EventsRaised, int Skipped);

/// <summary>
/// Turns claims triggers into work: a referral (source: claims analytics; the referral id is
/// <c>claims-</c> + the trigger id, which names the member, the kind and the index event, not the file, so
/// neither a retried file nor a later file revealing the same trigger creates a second referral, nor a new
/// engagement once the first has closed) for members without an open engagement, or a ClaimsActivityObserved
/// event (event id = trigger id, applied to the engagement once) for members with one.
/// </summary>
public sealed partial class ClaimsTriggerRouter(
    EngagementService engagements,
    ClaimsMemberIds memberIds,
    IOptions<ClaimsIntakeOptions> options,
    TimeProvider time,
    ILogger<ClaimsTriggerRouter> logger)
{
    public async Task<ClaimsRoutingSummary> RouteAsync(IReadOnlyList<ClaimsTrigger> triggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        int created = 0, known = 0, attached = 0, events = 0, skipped = 0;
        foreach (var trigger in triggers)
        {
            if (!memberIds.TryMap(trigger.MemberId, out var member))
            {
                skipped++;
                LogUnmappableMember(trigger.Kind);
                continue;
            }

            if (ToActivity(trigger) is { } activity)
            {
                // The trigger id is the activity's identity: routed again (a re-sent or overlapping file), it is applied once.
                var result = await engagements.ObserveClaimsActivityAsync(member, activity.Kind, activity.At, activity.Measure, trigger.Id, cancellationToken);
                if (result.Status == CommandStatus.Accepted)
                {
                    events++;
                }
                else
                {
                    skipped++;
                }

                continue;
            }

            if (!options.Value.CreateReferrals || ToReason(trigger.Kind) is not { } reason)
            {
                skipped++;
                continue;
            }

            var referral = new Referral(
                ReferralId.Parse("claims-" + trigger.Id),
                member,
                ReferralSource.ClaimsAnalytics,
                reason,
                ReasonDetail: null,
                Diagnoses: [],
                ReferralUrgency.Routine,
                SafetyConcern: false,
                ConsentToShareSubstanceUseInformation: false,
                TreatingProviders: [],
                time.GetUtcNow());
            var submitted = await engagements.SubmitReferralAsync(referral, cancellationToken);
            switch (submitted.Outcome)
            {
                case SubmitReferralOutcome.Created:
                    created++;
                    break;
                case SubmitReferralOutcome.AlreadySubmitted:
                    known++;
                    break;
                case SubmitReferralOutcome.AttachedToOpenEngagement:
                    attached++;
                    break;
                default:
                    skipped++;
                    LogReferralRefused(trigger.Kind, submitted.Outcome);
                    break;
            }
        }

        return new ClaimsRoutingSummary(created, known, attached, events, skipped);
    }

    /// <summary>The measure code the engagement model uses for a claims care-gap measure.</summary>
    public static string MeasureCode(CareGapMeasure measure) => measure switch
    {
        CareGapMeasure.FollowUpAfterHospitalization7 => "FUH-7",
        CareGapMeasure.FollowUpAfterHospitalization30 => "FUH-30",
        CareGapMeasure.FollowUpAfterEmergencyMentalIllness7 => "FUM-7",
        CareGapMeasure.FollowUpAfterEmergencyMentalIllness30 => "FUM-30",
        CareGapMeasure.FollowUpAfterEmergencySubstanceUse7 => "FUA-7",
        CareGapMeasure.FollowUpAfterEmergencySubstanceUse30 => "FUA-30",
        CareGapMeasure.SubstanceUseTreatmentInitiation => "IET-INIT",
        CareGapMeasure.SubstanceUseTreatmentEngagement => "IET-ENG",
        CareGapMeasure.AntidepressantAcutePhase => "AMM-ACUTE",
        CareGapMeasure.AntidepressantContinuationPhase => "AMM-CONT",
        CareGapMeasure.AntipsychoticAdherence => "SAA-PDC",
        _ => throw new ArgumentOutOfRangeException(nameof(measure)),
    };

    private static ReferralReason? ToReason(ClaimsTriggerKind kind) => kind switch
    {
        ClaimsTriggerKind.FollowUpAfterHospitalizationDue or ClaimsTriggerKind.FollowUpAfterEmergencyVisitDue => ReferralReason.OpenCareGap,
        ClaimsTriggerKind.RepeatedBhInpatientStays or ClaimsTriggerKind.FrequentBhEmergencyVisits or ClaimsTriggerKind.HighOutpatientBhUtilization => ReferralReason.HighBehavioralHealthUtilization,
        ClaimsTriggerKind.LowAntipsychoticAdherence => ReferralReason.MedicationNonadherence,
        _ => null,
    };

    private static (ClaimsActivityKind Kind, DateTimeOffset At, string? Measure)? ToActivity(ClaimsTrigger trigger)
    {
        var at = new DateTimeOffset(trigger.EventDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return trigger.Kind switch
        {
            ClaimsTriggerKind.BhDischarge => (ClaimsActivityKind.BehavioralHealthInpatientDischarge, at, null),
            ClaimsTriggerKind.BhEmergencyVisit => (ClaimsActivityKind.BehavioralHealthEdVisit, at, null),
            ClaimsTriggerKind.EligibilityLost => (ClaimsActivityKind.EligibilityLost, at, null),
            ClaimsTriggerKind.CareGapOpened when Measure(trigger) is { } m => (ClaimsActivityKind.CareGapOpened, at, MeasureCode(m)),
            ClaimsTriggerKind.CareGapClosed when Measure(trigger) is { } m => (ClaimsActivityKind.CareGapClosed, at, MeasureCode(m)),
            _ => null,
        };
    }

    private static CareGapMeasure? Measure(ClaimsTrigger trigger) =>
        trigger.EvidenceCodes
            .Where(c => c.StartsWith("measure:", StringComparison.Ordinal))
            .Select(c => Enum.TryParse<CareGapMeasure>(c["measure:".Length..], out var m) ? m : (CareGapMeasure?)null)
            .FirstOrDefault(m => m is not null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A claims trigger of kind {Kind} names a member id that is not a valid member id; skipped")]
    private partial void LogUnmappableMember(ClaimsTriggerKind kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A claims trigger of kind {Kind} did not become a referral: {Outcome}")]
    private partial void LogReferralRefused(ClaimsTriggerKind kind, SubmitReferralOutcome outcome);
}
