using System.Text;
using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
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
