using Azure.Storage.Blobs;
using Mets.Durable;
using Mets.Durable.Storage.Sqlite;
using Mets.Durable.Testing;
using Mets.Workflow;
using Mets.Workflow.ClaimsIntake;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Azure.Tests.ClaimsStorage;

/// <summary>
/// The real claims intake (Mets.Claims ingest on SQLite, workflow case store on SQLite, embedded durable
/// engine on SQLite with fake time) composed with AddMetsAzureAdapters against a fresh Azurite container.
/// </summary>
internal sealed class ClaimsBlobHarness : IAsyncDisposable
{
    private readonly string _folder;
    private DurableTestHost? _host;

    private ClaimsBlobHarness(string folder, ServiceProvider provider, BlobContainerClient container)
    {
        _folder = folder;
        Provider = provider;
        Container = container;
    }

    public ServiceProvider Provider { get; }

    public BlobContainerClient Container { get; }

    public DurableTestHost Host => _host!;

    public static async Task<ClaimsBlobHarness> StartAsync(string connectionString, TimeSpan? pollInterval = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-azure-blob-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var containerName = "claims-" + Guid.NewGuid().ToString("N")[..12];
        var settings = WorkflowTestSettings.For(folder);
        settings["ClaimsStorage:ConnectionString"] = connectionString;
        settings["ClaimsStorage:Container"] = containerName;
        settings["ClaimsStorage:PollInterval"] = (pollInterval ?? TimeSpan.FromSeconds(30)).ToString("c");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var clock = new DelegatingClock();
        ClaimsBlobHarness? harness = null;
        var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .AddFakeLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<DurableTaskClient>(_ => harness!.Host.Client)
            .AddMetsWorkflowCore()
            .AddMetsClaimsIntake(configuration)
            .AddMetsAzureAdapters(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync();
        harness = new ClaimsBlobHarness(folder, provider, container);
        harness._host = await DurableTestHost.StartAsync(
            r => r.AddMetsTasks(),
            new SqliteOrchestrationStore(Path.Combine(folder, "durable.db")),
            services: provider,
            loggerFactory: provider.GetRequiredService<ILoggerFactory>());
        clock.Inner = harness._host.Time;
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await Provider.DisposeAsync();
        await Container.DeleteIfExistsAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class DelegatingClock : TimeProvider
    {
        public TimeProvider Inner { get; set; } = System;

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();
    }
}
