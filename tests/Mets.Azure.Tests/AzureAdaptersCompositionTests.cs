using Mets.Azure.AuditStorage;
using Mets.Azure.ClaimsStorage;
using Mets.Azure.Emails;
using Mets.Azure.Tests.Emails;
using Mets.Workflow;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Audit;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Emails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mets.Azure.Tests;

/// <summary>AddMetsAzureAdapters: each adapter only when its section is present, validated on start.</summary>
public sealed class AzureAdaptersCompositionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-azure-composition-tests", Guid.NewGuid().ToString("N"));

    public AzureAdaptersCompositionTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void NoAzureSections_KeepsOutboxMailerAndAddsNoBlobInbox()
    {
        var services = Compose([]);
        using var provider = services.BuildServiceProvider();

        Assert.IsType<OutboxEmailSender>(provider.GetRequiredService<IEmailSender>());
        Assert.DoesNotContain(services, d => d.ImplementationType == typeof(BlobClaimsInboxWorker) || d.ServiceType == typeof(BlobClaimsInbox));
        Assert.Equal(Path.Combine(_folder, "audit", "timeline-anchors.log"), Assert.IsType<FileAuditAnchorStore>(provider.GetRequiredService<IAuditAnchorStore>()).FilePath);
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AuditStorageSection_ReplacesTheAnchorFile_WhicheverIsRegisteredFirst(bool azureFirst)
    {
        using var provider = Build(new() { ["AuditStorage:ConnectionString"] = "UseDevelopmentStorage=true", ["AuditStorage:Container"] = "audit-anchors" }, azureFirst);

        Assert.Equal("audit-anchors", Assert.IsType<BlobAuditAnchorStore>(provider.GetRequiredService<IAuditAnchorStore>()).Container.Name);
        Assert.Single(provider.GetServices<IAuditAnchorStore>());
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SendGridSection_ReplacesTheMailer_WhicheverIsRegisteredFirst(bool azureFirst)
    {
        using var provider = Build(new() { ["SendGrid:ApiKey"] = "SG.composition-test" }, azureFirst);

        Assert.IsType<SendGridEmailSender>(provider.GetRequiredService<IEmailSender>());
        Assert.Single(provider.GetServices<IEmailSender>());
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task SendGridSection_WithoutFromAddress_SendsFromWorkflowMailFromAndKeepsLedgerInDataFolder()
    {
        await using var server = await SendGridCaptureServer.StartAsync();
        using var provider = Build(new() { ["SendGrid:ApiKey"] = "SG.composition-test", ["SendGrid:Host"] = server.Address });

        Assert.True(await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("k-1", "reyes@plan.example", "METS: test", "body")));

        var sent = Assert.Single(server.Sends);
        Assert.Equal("mets@plan.example", sent.Body.GetProperty("from").GetProperty("email").GetString());
        Assert.True(File.Exists(Path.Combine(_folder, "sendgrid-sent.db")));
    }

    [Theory]
    [InlineData(null, null, "SendGrid:ApiKey is required")]
    [InlineData("SG.k", "not-a-uri", "SendGrid:Host must be an absolute http(s) address")]
    public void SendGridSection_Invalid_FailsStartValidationNamingTheSetting(string? apiKey, string? host, string expected)
    {
        using var provider = Build(new() { ["SendGrid:FromAddress"] = "mets@plan.example", ["SendGrid:ApiKey"] = apiKey, ["SendGrid:Host"] = host });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClaimsStorageSection_AddsBlobInboxWorker()
    {
        // Resolving the inbox needs the durable engine's client (see BlobClaimsInboxTests for the running
        // composition); here the registrations and the option validation are checked.
        var services = Compose(new() { ["ClaimsStorage:ConnectionString"] = "UseDevelopmentStorage=true", ["ClaimsStorage:Container"] = "claims-inbox" });
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(BlobClaimsInboxWorker));
        Assert.Single(services, d => d.ServiceType == typeof(BlobClaimsInbox));
        Assert.IsType<OutboxEmailSender>(provider.GetRequiredService<IEmailSender>());
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("ClaimsStorage", "UseDevelopmentStorage=true", "https://acct.blob.core.windows.net", "claims-inbox", "ClaimsStorage: set exactly one of ConnectionString")]
    [InlineData("ClaimsStorage", null, null, "claims-inbox", "ClaimsStorage: set exactly one of ConnectionString")]
    [InlineData("ClaimsStorage", null, "not a uri", "claims-inbox", "ClaimsStorage:ServiceUri must be an absolute")]
    [InlineData("ClaimsStorage", "UseDevelopmentStorage=true", null, "Claims_Inbox", "ClaimsStorage:Container must be a valid container name")]
    [InlineData("AuditStorage", "UseDevelopmentStorage=true", "https://acct.blob.core.windows.net", "audit-anchors", "AuditStorage: set exactly one of ConnectionString")]
    [InlineData("AuditStorage", null, "https://acct.blob.core.windows.net", "Audit_Anchors", "AuditStorage:Container must be a valid container name")]
    public void BlobStorageSection_Invalid_FailsStartValidationNamingTheSetting(string section, string? connectionString, string? serviceUri, string container, string expected)
    {
        using var provider = Build(new()
        {
            [section + ":ConnectionString"] = connectionString,
            [section + ":ServiceUri"] = serviceUri,
            [section + ":Container"] = container,
        });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Build(Dictionary<string, string?> azure, bool azureFirst = false) => Compose(azure, azureFirst).BuildServiceProvider();

    private IServiceCollection Compose(Dictionary<string, string?> azure, bool azureFirst = false)
    {
        var settings = WorkflowTestSettings.For(_folder);
        foreach (var (key, value) in azure)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        if (azureFirst)
        {
            services.AddMetsAzureAdapters(configuration);
        }

        services.AddMetsWorkflowCore().AddMetsClaimsIntake(configuration);
        if (!azureFirst)
        {
            services.AddMetsAzureAdapters(configuration);
        }

        return services;
    }
}
