using Mets.Claims.Ingestion;
using Mets.FunctionApp.Tests.Http;
using Mets.Workflow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Tests.Configuration;

/// <summary>On Azure the app keeps nothing on an instance's disk: it refuses to start without its Azure stores.</summary>
public sealed class AzureStoresRuleTests : IDisposable
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("mets-funcapp-stores-").FullName;

    public void Dispose() => Directory.Delete(_dataFolder, recursive: true);

    [Fact]
    public void OnAzure_WithoutCosmosBlobAuditAndSendGrid_RefusesToStart_NamingEachSection()
    {
        var settings = FunctionAppTestHost.Settings(_dataFolder);
        settings["WEBSITE_SITE_NAME"] = "mets-func-test";

        var failure = Assert.Throws<OptionsValidationException>(() => Validate(settings));

        Assert.Equal(4, failure.Failures.Count());
        Assert.Contains(failure.Failures, f => f.Contains("section Cosmos", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("section ClaimsStorage", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("section AuditStorage", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("section SendGrid", StringComparison.Ordinal));
    }

    [Fact]
    public void OffAzure_TheEmbeddedStoresAreAllowed()
    {
        // Core Tools on a developer's machine: SQLite in the data folder, as in the local host.
        Validate(FunctionAppTestHost.Settings(_dataFolder));
    }

    [Fact]
    public void OnAzure_WithTheAzureSections_StartsWithoutAnyLocalStoreSetting()
    {
        var settings = FunctionAppTestHost.Settings(_dataFolder);
        settings.Remove("Mets:Workflow:DataFolder");
        settings.Remove("Claims:Store:DatabasePath");
        settings["WEBSITE_SITE_NAME"] = "mets-func-test";
        settings["Cosmos:Endpoint"] = "https://mets-test.documents.azure.com:443/";
        settings["Cosmos:Database"] = "mets";
        settings["Cosmos:ManagedIdentityClientId"] = "5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
        settings["ClaimsStorage:ServiceUri"] = "https://metstest.blob.core.windows.net";
        settings["AuditStorage:ServiceUri"] = "https://metstest.blob.core.windows.net";
        settings["SendGrid:ApiKey"] = "SG.test-key";
        settings["SendGrid:FromAddress"] = "mets@example.org";

        var services = Validate(settings);

        // Nothing reads these paths with Cosmos configured; they are defaulted, not required.
        Assert.StartsWith(Path.GetTempPath(), services.GetRequiredService<IOptions<WorkflowOptions>>().Value.DataFolder, StringComparison.Ordinal);
        Assert.StartsWith(Path.GetTempPath(), services.GetRequiredService<IOptions<ClaimsStoreOptions>>().Value.DatabasePath, StringComparison.Ordinal);
    }

    private static ServiceProvider Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMetsFunctionApp(configuration);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }
}
