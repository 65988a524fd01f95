using System.Text;
using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Workflow.Application;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Durable.Storage.Sqlite;
using Mets.Durable.Testing;
using Mets.Workflow.Cases;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Utilization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Tests.ClaimsIntake;

/// <summary>
/// Claims files through real Mets.Claims ingest (SQLite claims store) into the real workflow (SQLite
/// case store, embedded engine on SQLite, fake time): triggers become referrals, idempotently.
/// </summary>
public sealed class ClaimsIntakeTests : IAsyncDisposable
{
    private const string Header = "claim_id,line_number,member_id,claim_type,service_from,service_to,admission_date,discharge_date,bill_type,revenue_code,dx1,paid_amount";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-claims-intake-tests", Guid.NewGuid().ToString("N"));
    private DurableTestHost? _host;

    [Fact]
    public async Task ProcessAsync_RecentPsychiatricDischargeWithoutFollowUp_CreatesOneClaimsReferral()
    {
        var processor = await StartAsync();
        var csv = Header + "\nC-100,1,M7001,institutional,2026-01-01,2026-01-03,2026-01-01,2026-01-03,111,0114,F32.2,5000.00\n";

        var first = await processor.ProcessAsync("claims-week1.csv", Stream(csv), CancellationToken.None);
        var again = await processor.ProcessAsync("claims-week1-resent.csv", Stream(csv), CancellationToken.None);
        await _host!.WaitForIdleAsync();

        Assert.Equal(ClaimsFileOutcome.Processed, first.File.Outcome);
        Assert.Equal(1, first.Routing.ReferralsCreated);
        Assert.Equal(ClaimsFileOutcome.Duplicate, again.File.Outcome);
        Assert.Equal(0, again.Routing.ReferralsCreated);
        var engagement = await Cases.FindOpenByMemberAsync(MemberId.Create("PLAN", "M7001"));
        Assert.NotNull(engagement);
        var referral = await Cases.GetReferralAsync(engagement.ReferralIds[0]);
        Assert.Equal(ReferralSource.ClaimsAnalytics, referral!.Source);
        Assert.Equal(ReferralReason.OpenCareGap, referral.Reason);
    }

    [Fact]
    public async Task ProcessAsync_TwoFilesRevealingOneTrigger_CreateOneReferralAndNoNewEngagementAfterClosure()
    {
        // Today is 2026-01-05. The stay discharged 2026-01-03 without follow-up is an FUH-7 gap due by 2026-01-10:
        // week 1 reveals it, week 2 (another file: the same claim plus another member's visit) reveals it again,
        // and after the engagement closed, week 3 (yet another file) once more.
        var processor = await StartAsync();
        const string stay = "C-400,1,M7004,institutional,2026-01-01,2026-01-03,2026-01-01,2026-01-03,111,0114,F32.2,5000.00\n";
        var member = MemberId.Create("PLAN", "M7004");

        var week1 = await processor.ProcessAsync("week1.csv", Stream(Header + "\n" + stay), CancellationToken.None);
        await _host!.WaitForIdleAsync();
        var week2 = await processor.ProcessAsync("week2.csv", Stream(Header + "\n" + stay + "C-900,1,M7998,professional,2026-01-04,,,,,0510,J06.9,80.00\n"), CancellationToken.None);
        await _host.WaitForIdleAsync();

        var fuh = Assert.Single(week1.File.Triggers, t => t.Kind == ClaimsTriggerKind.FollowUpAfterHospitalizationDue);
        Assert.Equal(fuh.Id, Assert.Single(week2.File.Triggers, t => t.Kind == ClaimsTriggerKind.FollowUpAfterHospitalizationDue).Id);
        Assert.Equal((1, 0), (week1.Routing.ReferralsCreated, week1.Routing.ReferralsAlreadyKnown));
        Assert.Equal((0, 1), (week2.Routing.ReferralsCreated, week2.Routing.ReferralsAlreadyKnown));
        var engagement = await Cases.FindOpenByMemberAsync(member);
        Assert.NotNull(engagement);
        Assert.Single(engagement.ReferralIds);

        var service = _host.Services.GetRequiredService<EngagementService>();
        Assert.Equal(CommandStatus.Accepted, (await service.RequestClosureAsync(engagement.Id, ClosureReason.MemberDeclined, Actor.System)).Status);
        await _host.WaitForIdleAsync();
        var week3 = await processor.ProcessAsync("week3.csv", Stream(Header + "\n" + stay + "C-901,1,M7997,professional,2026-01-04,,,,,0510,J06.9,80.00\n"), CancellationToken.None);
        await _host.WaitForIdleAsync();

        Assert.Equal(fuh.Id, Assert.Single(week3.File.Triggers, t => t.Kind == ClaimsTriggerKind.FollowUpAfterHospitalizationDue).Id);
        Assert.Equal((0, 1), (week3.Routing.ReferralsCreated, week3.Routing.ReferralsAlreadyKnown));
        Assert.Null(await Cases.FindOpenByMemberAsync(member));
        Assert.Equal(EngagementStatus.Closed, (await Cases.GetAsync(engagement.Id))!.Status);
    }

    [Fact]
    public async Task ProcessAsync_SameTriggersRoutedAgainAndAFileRepeatingTheEvent_AddOneTimelineEntryPerEvent()
    {
        // Today is 2026-01-05. Week 1: a stay discharged 2026-01-02 makes M7003 a claims referral (engagement open).
        // Week 2: an ED visit for schizophrenia on 2026-01-04 -> for the engaged member a BH ED visit and the FUM-7 and
        // FUM-30 gaps opening: three claims events. Week 2's triggers are routed again, week 2 is re-sent (a
        // duplicate, routed again), and week 3 (another file) repeats the ED visit: still three timeline entries.
        var processor = await StartAsync();
        var router = _host!.Services.GetRequiredService<ClaimsTriggerRouter>();
        const string edVisit = "C-301,1,M7003,institutional,2026-01-04,2026-01-04,,,131,0450,F20.0,900.00\n";
        await processor.ProcessAsync("week1.csv", Stream(Header + "\nC-300,1,M7003,institutional,2025-12-30,2026-01-02,2025-12-30,2026-01-02,111,0114,F32.2,5000.00\n"), CancellationToken.None);
        await _host.WaitForIdleAsync();
        var engagement = (await Cases.FindOpenByMemberAsync(MemberId.Create("PLAN", "M7003")))!;

        var week2 = await processor.ProcessAsync("week2.csv", Stream(Header + "\n" + edVisit), CancellationToken.None);
        await _host.WaitForIdleAsync();
        var rerouted = await router.RouteAsync(week2.File.Triggers, CancellationToken.None);
        var resent = await processor.ProcessAsync("week2-resent.csv", Stream(Header + "\n" + edVisit), CancellationToken.None);
        var week3 = await processor.ProcessAsync("week3.csv", Stream(Header + "\n" + edVisit + "C-902,1,M7996,professional,2026-01-04,,,,,0510,J06.9,80.00\n"), CancellationToken.None);
        await _host.WaitForIdleAsync();

        var events = week2.File.Triggers.Where(t => t.Kind is ClaimsTriggerKind.BhEmergencyVisit or ClaimsTriggerKind.CareGapOpened).Select(t => t.Id).ToList();
        Assert.Equal(3, events.Count);
        Assert.Equal((3, 3, 3), (week2.Routing.EventsRaised, rerouted.EventsRaised, resent.Routing.EventsRaised));
        Assert.Equal(ClaimsFileOutcome.Duplicate, resent.File.Outcome);
        Assert.Contains(week3.File.Triggers, t => t.Kind == ClaimsTriggerKind.BhEmergencyVisit && events.Contains(t.Id));
        var timeline = (await Cases.GetAsync(engagement.Id))!.Timeline;
        var claimsEntries = timeline.Where(t => t.Kind == TimelineEntryKind.ClaimsActivityObserved).ToList();
        Assert.Equal(3, claimsEntries.Count);
        Assert.Equal(events.Select(e => "event=" + e).Order(StringComparer.Ordinal),
            claimsEntries.Select(t => t.Details.Single(d => d.StartsWith("event=", StringComparison.Ordinal))).Order(StringComparer.Ordinal));
        Assert.Single(timeline, t => t.Kind == TimelineEntryKind.ReferralAttached); // the FUM-7 referral, attached once
        Assert.Equal(2, (await Cases.GetAsync(engagement.Id))!.CareGaps.Open);
    }

    [Fact]
    public async Task RiskTierUtilization_ReadsClaimsStore_ForTheEngagementMember()
    {
        var processor = await StartAsync();
        var csv = Header + "\n" +
            "C-200,1,M7002,institutional,2025-11-01,2025-11-05,2025-11-01,2025-11-05,111,0114,F20.9,8000.00\n" +
            "C-201,1,M7002,institutional,2025-12-10,2025-12-12,2025-12-10,2025-12-12,111,0114,F20.9,6000.00\n";
        await processor.ProcessAsync("claims.csv", Stream(csv), CancellationToken.None);

        var utilization = await _host!.Services.GetRequiredService<IMemberUtilization>().GetRecentAsync(MemberId.Create("PLAN", "M7002"), new DateOnly(2026, 1, 5));

        Assert.Equal(2, utilization.BehavioralHealthInpatientStays);
    }

    [Fact]
    public void MeasureCode_EveryClaimsMeasure_IsAValidEngagementMeasureCode()
    {
        foreach (var measure in Enum.GetValues<CareGapMeasure>())
        {
            Assert.True(Mets.Domain.CareGaps.CareGap.IsMeasureCode(ClaimsTriggerRouter.MeasureCode(measure)), measure.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private ICaseStore Cases => _host!.Services.GetRequiredService<ICaseStore>();

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    private async Task<ClaimsFileProcessor> StartAsync()
    {
        Directory.CreateDirectory(_folder);
        var settings = WorkflowHarness.Settings(_folder);
        settings["Claims:Store:DatabasePath"] = Path.Combine(_folder, "claims.db");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _host = await DurableTestHost.StartAsync(
            _ => { },
            new SqliteOrchestrationStore(Path.Combine(_folder, "durable.db")),
            configureServices: services => services
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
                .AddMetsWorkflowCore()
                .AddMetsClaimsIntake(configuration),
            configureWorker: b => b.AddMetsTasks());
        return _host.Services.GetRequiredService<ClaimsFileProcessor>();
    }
}
