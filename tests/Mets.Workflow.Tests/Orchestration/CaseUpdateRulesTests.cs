using Mets.Domain.CareGaps;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Durable.Testing;
using Mets.Workflow.Activities;

namespace Mets.Workflow.Tests.Orchestration;

/// <summary>How the case-update activity applies claims activity (Activities/CaseUpdateRules), beside the orchestration that sends it.</summary>
public class CaseUpdateRulesTests
{
    private static readonly DateTimeOffset T0 = DurableTestHost.DefaultStart;

    [Fact]
    public void Apply_ClaimsActivityTheCaseHasSeen_ChangesNothingEvenAfterTheGapReopened()
    {
        // FUH-7 opened by event "a" (discharge of day 0), closed by "b", opened again by "c" (a later discharge).
        // "b" arriving again, after the store has forgotten its change id, must not close the new gap.
        var engagement = EngagementId.New(Guid.NewGuid());
        var started = EngagementCase.Receive(engagement, Sample.Referral(), T0).Start(Sample.Clinician, T0.AddDays(7), T0.AddDays(180), T0);
        var current = started;
        foreach (var (kind, eventId, day) in new[] { (ClaimsActivityKind.CareGapOpened, "a", 1), (ClaimsActivityKind.CareGapClosed, "b", 3), (ClaimsActivityKind.CareGapOpened, "c", 20) })
        {
            current = CaseUpdateRules.Apply(current, new ClaimsActivityRecorded(kind, "FUH-7", T0.AddDays(day), T0.AddDays(day), eventId), _ => null, null);
        }

        var replayed = CaseUpdateRules.Apply(current, new ClaimsActivityRecorded(ClaimsActivityKind.CareGapClosed, "FUH-7", T0.AddDays(3), T0.AddDays(25), "b"), _ => null, null);

        Assert.Same(current, replayed);
        Assert.Equal(CareGapStatus.Open, replayed.CareGaps.Gaps.Single(g => g.Measure == "FUH-7").Status);
        Assert.Equal(3, replayed.Timeline.Count(t => t.Kind == TimelineEntryKind.ClaimsActivityObserved));
    }
}
