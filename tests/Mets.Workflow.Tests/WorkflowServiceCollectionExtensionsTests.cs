using Mets.Domain.Engagements;
using Mets.Durable;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Microsoft.DurableTask.Worker;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Tests;

/// <summary>
/// The whole wiring through real DI and the real clock: AddMetsWorkflow on Microsoft.DurableTask's hosting with
/// the embedded engine on SQLite as the backend, composed as the local host composes it.
/// </summary>
public sealed class WorkflowServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-wiring-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void AddMetsWorkflow_EmptyConfiguration_FailsOnStartNamingEachMissingSetting()
    {
        using var provider = Build(new Dictionary<string, string?>());
        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var message = error is AggregateException aggregate ? string.Join(" ", aggregate.InnerExceptions.Select(e => e.Message)) : error.Message;
        Assert.Contains("Mets:Workflow:DataFolder is required", message, StringComparison.Ordinal);
        Assert.Contains("Mets:Roster:Clinicians needs at least one entry.", message, StringComparison.Ordinal);
        Assert.Contains("Mets:ProviderLinks:BaseUrl is required.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMetsWorkflow_InvalidPolicy_ReportsEverySettingAtOnce()
    {
        var settings = WorkflowHarness.Settings(_folder, new Dictionary<string, string?>
        {
            ["Mets:Policy:ReminderLead"] = "20.00:00:00",
            ["Mets:Policy:HighRiskReviewInterval"] = "90.00:00:00",
        });
        using var provider = Build(settings);
        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Mets:Policy:ReminderLead", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mets:Policy:HighRiskReviewInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMetsWorkflow_HostedEngine_RepairsAtStartUpAndRunsAReferral()
    {
        await using var provider = Build(WorkflowHarness.Settings(_folder), withEngine: true);
        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<ICaseStore>();
        var orphan = Sample.Referral("REF-ORPHAN", memberNumber: "ORPHAN1", at: TimeProvider.System.GetUtcNow());
        var orphanId = Mets.Domain.Identifiers.EngagementId.New(Guid.NewGuid());
        await store.ReceiveReferralAsync(orphan, EngagementCase.Receive(orphanId, orphan, orphan.ReceivedAt));

        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            var service = provider.GetRequiredService<EngagementService>();
            var submitted = await service.SubmitReferralAsync(Sample.Referral("REF-1", at: TimeProvider.System.GetUtcNow()));
            Assert.Equal(SubmitReferralOutcome.Created, submitted.Outcome);
            Assert.NotNull(await service.GetEngagementAsync(submitted.EngagementId!.Value));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await provider.GetRequiredService<EmbeddedTaskHub>().WaitForIdleAsync(timeout.Token);
            Assert.Equal(EngagementStatus.Open, (await store.GetAsync(submitted.EngagementId!.Value))!.Status);
            Assert.Equal(EngagementStatus.Open, (await store.GetAsync(orphanId))!.Status);
            Assert.True(File.Exists(Path.Combine(_folder, "mets-durable.db")));
            Assert.True(File.Exists(Path.Combine(_folder, "mets-cases.db")));
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    private static ServiceProvider Build(IDictionary<string, string?> settings, bool withEngine = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        if (withEngine)
        {
            services.AddSingleton<IOrchestrationStore>(sp => new SqliteOrchestrationStore(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.DurableDatabasePath));
            services.AddDurableTaskWorker(b => b.AddMetsTasks().UseEmbeddedEngine());
            services.AddDurableTaskClient(b => b.UseEmbeddedEngine());
        }

        return services.AddMetsWorkflow(configuration).BuildServiceProvider();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
