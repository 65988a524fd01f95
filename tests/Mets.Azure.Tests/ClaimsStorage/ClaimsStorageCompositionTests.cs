using Mets.Azure.ClaimsStorage;
using Mets.Workflow;
using Mets.Workflow.ClaimsIntake;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mets.Azure.Tests.ClaimsStorage;

/// <summary>The ClaimsStorage section's three containers and the registration for a host with a blob trigger (AddMetsClaimsBlobTrigger).</summary>
public sealed class ClaimsStorageCompositionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-azure-claims-composition-tests", Guid.NewGuid().ToString("N"));

    public ClaimsStorageCompositionTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Defaults_AreThreeSeparateContainers()
    {
        var options = new ClaimsStorageOptions();

        Assert.Equal(("claims-inbox", "claims-processed", "claims-quarantine"), (options.Container, options.ProcessedContainer, options.QuarantineContainer));
    }

    [Theory]
    [InlineData("claims-inbox", "claims-inbox", "claims-quarantine")]
    [InlineData("claims-inbox", "claims-processed", "claims-inbox")]
    [InlineData("claims-inbox", "claims-out", "claims-out")]
    public void SameContainerTwice_FailsStartValidation(string inbox, string processed, string quarantine)
    {
        using var provider = Compose(new()
        {
            ["ClaimsStorage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["ClaimsStorage:Container"] = inbox,
            ["ClaimsStorage:ProcessedContainer"] = processed,
            ["ClaimsStorage:QuarantineContainer"] = quarantine,
        }).BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("must be three different containers", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainersFromOptions_NameTheConfiguredContainers()
    {
        var containers = BlobClaimsContainers.Create(new ClaimsStorageOptions
        {
            ConnectionString = "UseDevelopmentStorage=true",
            Container = "in-box",
            ProcessedContainer = "done-box",
            QuarantineContainer = "bad-box",
        });

        Assert.Equal(("in-box", "done-box", "bad-box"), (containers.Inbox.Name, containers.Processed.Name, containers.Quarantine.Name));
    }

    [Fact]
    public void AddMetsClaimsBlobTrigger_DropsThePollingWorkerAndScopesTheInbox()
    {
        var services = Compose(new() { ["ClaimsStorage:ConnectionString"] = "UseDevelopmentStorage=true" });

        services.AddMetsClaimsBlobTrigger();

        Assert.DoesNotContain(services, d => d.ImplementationType == typeof(BlobClaimsInboxWorker));
        Assert.Equal(ServiceLifetime.Scoped, Assert.Single(services, d => d.ServiceType == typeof(BlobClaimsInbox)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(BlobClaimsContainers)).Lifetime);
    }

    [Fact]
    public void AddMetsClaimsBlobTrigger_WithoutClaimsStorage_AddsNothing()
    {
        var services = Compose([]);
        var before = services.Count;

        services.AddMetsClaimsBlobTrigger();

        Assert.Equal(before, services.Count);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(BlobClaimsInbox));
    }

    private IServiceCollection Compose(Dictionary<string, string?> azure)
    {
        var settings = WorkflowTestSettings.For(_folder);
        foreach (var (key, value) in azure)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddMetsWorkflowCore().AddMetsClaimsIntake(configuration).AddMetsAzureAdapters(configuration);
    }
}
