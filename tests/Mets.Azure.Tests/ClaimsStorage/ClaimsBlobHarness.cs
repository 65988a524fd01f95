using Azure.Storage.Blobs;
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

    private ClaimsBlobHarness(string folder, DurableTestHost host, BlobContainerClient container, BlobContainerClient processed, BlobContainerClient quarantine)
    {
        _folder = folder;
        Host = host;
        Container = container;
        Processed = processed;
        Quarantine = quarantine;
    }

    /// <summary>The composed services (workflow, claims intake, Azure adapters, the engine).</summary>
    public IServiceProvider Provider => Host.Services;

    /// <summary>The inbox container.</summary>
    public BlobContainerClient Container { get; }

    public BlobContainerClient Processed { get; }

    public BlobContainerClient Quarantine { get; }

    public DurableTestHost Host { get; }

    public static async Task<ClaimsBlobHarness> StartAsync(string connectionString, TimeSpan? pollInterval = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-azure-blob-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var containerName = "claims-" + Guid.NewGuid().ToString("N")[..12];
        var processedName = containerName + "-processed";
        var quarantineName = containerName + "-quarantine";
        var settings = WorkflowTestSettings.For(folder);
        settings["ClaimsStorage:ConnectionString"] = connectionString;
        settings["ClaimsStorage:Container"] = containerName;
        settings["ClaimsStorage:ProcessedContainer"] = processedName;
        settings["ClaimsStorage:QuarantineContainer"] = quarantineName;
        settings["ClaimsStorage:PollInterval"] = (pollInterval ?? TimeSpan.FromSeconds(30)).ToString("c");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var service = new BlobServiceClient(connectionString);
        var container = service.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync();
        var host = await DurableTestHost.StartAsync(
            _ => { },
            new SqliteOrchestrationStore(Path.Combine(folder, "durable.db")),
            configureServices: services => services
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
                .AddFakeLogging()
                .AddMetsWorkflowCore()
                .AddMetsClaimsIntake(configuration)
                .AddMetsAzureAdapters(configuration),
            configureWorker: b => b.AddMetsTasks());
        return new ClaimsBlobHarness(folder, host, container, service.GetBlobContainerClient(processedName), service.GetBlobContainerClient(quarantineName));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Container.DeleteIfExistsAsync();
        await Processed.DeleteIfExistsAsync();
        await Quarantine.DeleteIfExistsAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
