using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Microsoft.DurableTask;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Roster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Activities;

public sealed record StartEngagementRequest(EngagementId EngagementId, DateTimeOffset At);

/// <summary>What the orchestration needs after the engagement started.</summary>
public sealed record EngagementStarted(
    StaffId Clinician,
    StaffId Supervisor,
    DateTimeOffset AssessmentDueAt,
    DateTimeOffset MaximumDurationEndsAt,
    IReadOnlyList<ReferralId> ReferralIds);

/// <summary>
/// Takes a received case: assigns the roster clinician with the fewest open engagements (ties in
/// roster order), sets the assessment due date (the earliest any referral on the case asks for) and the
/// maximum-duration end. Idempotent: a case already started answers with what it holds.
/// </summary>
public sealed partial class StartEngagementActivity(
    ICaseStore store,
    EngagementSchedule schedule,
    IOptions<RosterOptions> roster,
    TimelineAnchoring anchoring,
    ILogger<StartEngagementActivity> logger) : TaskActivity<StartEngagementRequest, EngagementStarted>
{
    public override async Task<EngagementStarted> RunAsync(TaskActivityContext context, StartEngagementRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var supervisor = roster.Value.GetSupervisor();
        for (var attempt = 1; attempt <= UpdateCaseActivity.MaxConcurrencyRetries; attempt++)
        {
            var current = await store.GetAsync(input.EngagementId)
                ?? throw new InvalidOperationException($"Engagement {input.EngagementId} has no case document.");
            if (current.Status != EngagementStatus.Received)
            {
                return new EngagementStarted(
                    current.AssignedClinician ?? throw new InvalidOperationException($"Engagement {input.EngagementId} has no clinician."),
                    supervisor,
                    current.DueDates.AssessmentDueAt ?? input.At,
                    current.DueDates.MaximumDurationEndsAt ?? schedule.MaximumDurationEndsAt(current.StartedAt),
                    current.ReferralIds);
            }

            var counts = await store.CountOpenByClinicianAsync();
            var clinician = roster.Value.GetClinicianIds()
                .Select((id, index) => (id, index, open: counts.TryGetValue(id, out var n) ? n : 0))
                .OrderBy(c => c.open).ThenBy(c => c.index).First().id;
            var due = current.Referrals.Min(schedule.AssessmentDueAt);
            var maximumEnd = schedule.MaximumDurationEndsAt(input.At);
            var started = current.Start(clinician, due, maximumEnd, input.At);
            var saved = await store.SaveAsync(started, $"{input.EngagementId}:start");
            if (saved.Outcome == CaseSaveOutcome.Saved)
            {
                LogStarted(input.EngagementId.Value, clinician.Value);
                await anchoring.AfterSaveAsync(current.Timeline.Count, saved.Case!);
                return new EngagementStarted(clinician, supervisor, due, maximumEnd, started.ReferralIds);
            }
        }

        throw new InvalidOperationException($"Engagement {input.EngagementId} kept changing; it was not started.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId} started; clinician {Clinician} assigned")]
    private partial void LogStarted(string engagementId, string clinician);
}
