using Mets.Azure.AuditStorage;
using Mets.Azure.ClaimsStorage;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Cases;
using Mets.Azure.Cosmos.Claims;
using Mets.Azure.Cosmos.Emails;
using Mets.Azure.Emails;
using Mets.Claims.Storage;
using Mets.Workflow;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Emails;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SendGrid;

namespace Mets.Azure;

public static class AzureServiceCollectionExtensions
{
    /// <summary>
    /// The Azure adapters, each only when its configuration section is present:
    /// <list type="bullet">
    /// <item><c>Cosmos</c> (Endpoint, Database, ManagedIdentityClientId or Key, ...): the Cosmos DB stores replace the
    /// embedded ones (docs/cosmos.md): the case store (and its step-command ledger), the claims store and the sent-email ledger, checked (or created,
    /// when CreateIfNotExists) by <see cref="CosmosStartupCheck"/> before any other hosted service starts.</item>
    /// <item><c>SendGrid</c> (ApiKey, FromAddress, Host, SentDatabasePath): <see cref="SendGridEmailSender"/> replaces
    /// whatever <see cref="IEmailSender"/> is registered (before or after this call), with its sent-key ledger in
    /// <c>sendgrid-sent.db</c> under Mets:Workflow:DataFolder unless configured.</item>
    /// <item><c>ClaimsStorage</c> (ConnectionString or ServiceUri, Container, ProcessedContainer, QuarantineContainer,
    /// PollInterval): <see cref="BlobClaimsInbox"/> over <see cref="BlobClaimsContainers"/> and its polling
    /// <see cref="BlobClaimsInboxWorker"/>, beside any other inbox (a host whose platform delivers blob events instead
    /// calls <see cref="AddMetsClaimsBlobTrigger"/> after this). Needs AddMetsClaimsIntake.</item>
    /// <item><c>AuditStorage</c> (ConnectionString or ServiceUri, ClientId, Container): <see cref="BlobAuditAnchorStore"/>
    /// replaces the local anchor file as <see cref="IAuditAnchorStore"/> (docs/reliability.md, "Tamper-evident audit").</item>
    /// </list>
    /// Options are validated on start.
    /// </summary>
    public static IServiceCollection AddMetsAzureAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        if (IsCosmosConfigured(configuration))
        {
            services.AddOptions<CosmosOptions>().Bind(configuration.GetSection(CosmosOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.TryAddSingleton(sp => CosmosClientFactory.Create(sp.GetRequiredService<IOptions<CosmosOptions>>().Value));
            services.TryAddSingleton(sp => sp.GetRequiredService<CosmosClient>().GetDatabase(sp.GetRequiredService<IOptions<CosmosOptions>>().Value.Database));
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, CosmosStartupCheck>());
            services.RemoveAll<ICaseStore>();
            services.AddSingleton<ICaseStore>(sp => new CosmosCaseStore(sp.GetRequiredService<Database>()));
            services.RemoveAll<IClaimsStore>();
            services.AddSingleton<IClaimsStore>(sp => new CosmosClaimsStore(
                sp.GetRequiredService<Database>(),
                sp.GetRequiredService<IOptions<CosmosOptions>>().Value,
                sp.GetRequiredService<ILogger<CosmosClaimsStore>>()));
            services.RemoveAll<IStepCommandLedger>();
            services.AddSingleton<IStepCommandLedger>(sp => new CosmosStepCommandLedger(sp.GetRequiredService<Database>().GetContainer(CosmosLayout.Cases.Name)));
            services.RemoveAll<ISentEmailLedger>();
            services.AddSingleton<ISentEmailLedger>(sp => new CosmosSentEmailLedger(sp.GetRequiredService<Database>().GetContainer(CosmosLayout.SentEmails.Name)));
        }

        if (IsSendGridConfigured(configuration))
        {
            services.AddOptions<SendGridOptions>().Bind(configuration.GetSection(SendGridOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<ISentEmailLedger>(sp =>
            {
                var path = sp.GetRequiredService<IOptions<SendGridOptions>>().Value.SentDatabasePath;
                return new SqliteSentEmailLedger(string.IsNullOrWhiteSpace(path)
                    ? Path.Combine(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.DataFolder, "sendgrid-sent.db")
                    : path);
            });
            services.TryAddSingleton<ISendGridClient>(sp => SendGridEmailSender.CreateClient(sp.GetRequiredService<IOptions<SendGridOptions>>().Value));
            services.TryAddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<SendGridOptions>>().Value;
                var from = string.IsNullOrWhiteSpace(options.FromAddress) ? sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.MailFrom : options.FromAddress;
                return new SendGridEmailSender(
                    sp.GetRequiredService<ISendGridClient>(),
                    from,
                    sp.GetRequiredService<ISentEmailLedger>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<SendGridEmailSender>>());
            });
            services.RemoveAll<IEmailSender>();
            services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<SendGridEmailSender>());
        }

        if (IsClaimsStorageConfigured(configuration))
        {
            services.AddOptions<ClaimsStorageOptions>().Bind(configuration.GetSection(ClaimsStorageOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(sp => BlobClaimsContainers.Create(sp.GetRequiredService<IOptions<ClaimsStorageOptions>>().Value));
            services.TryAddSingleton<BlobClaimsInbox>();
            services.AddHostedService<BlobClaimsInboxWorker>();
        }

        if (IsAuditStorageConfigured(configuration))
        {
            services.AddOptions<AuditStorageOptions>().Bind(configuration.GetSection(AuditStorageOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
            services.RemoveAll<IAuditAnchorStore>();
            services.AddSingleton<IAuditAnchorStore>(sp => BlobAuditAnchorStore.Create(sp.GetRequiredService<IOptions<AuditStorageOptions>>().Value));
        }

        return services;
    }

    /// <summary>
    /// For a host whose platform delivers the inbox's blobs (the function app's Event Grid blob trigger), called after
    /// <see cref="AddMetsAzureAdapters"/>: the polling <see cref="BlobClaimsInboxWorker"/> is not run, and
    /// <see cref="BlobClaimsInbox"/> becomes scoped (one per invocation, like the <see cref="ClaimsFileProcessor"/> it
    /// hands files to, which needs the invocation's durable client there). Nothing changes when the <c>ClaimsStorage</c>
    /// section is absent.
    /// </summary>
    public static IServiceCollection AddMetsClaimsBlobTrigger(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var d = services[i];
            if (d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(BlobClaimsInboxWorker))
            {
                services.RemoveAt(i);
            }
        }

        if (services.Any(d => d.ServiceType == typeof(BlobClaimsInbox)))
        {
            services.Replace(ServiceDescriptor.Scoped<BlobClaimsInbox, BlobClaimsInbox>());
        }

        return services;
    }

    /// <summary>True when the <c>Cosmos</c> section has any value (then the Cosmos DB stores are used).</summary>
    public static bool IsCosmosConfigured(IConfiguration configuration) =>
        configuration?.GetSection(CosmosOptions.SectionName).Exists() ?? false;

    /// <summary>True when the <c>SendGrid</c> section has any value (then SendGrid is the mailer).</summary>
    public static bool IsSendGridConfigured(IConfiguration configuration) =>
        configuration?.GetSection(SendGridOptions.SectionName).Exists() ?? false;

    /// <summary>True when the <c>ClaimsStorage</c> section has any value (then the blob inbox runs).</summary>
    public static bool IsClaimsStorageConfigured(IConfiguration configuration) =>
        configuration?.GetSection(ClaimsStorageOptions.SectionName).Exists() ?? false;

    /// <summary>True when the <c>AuditStorage</c> section has any value (then timeline anchors go to its blob container).</summary>
    public static bool IsAuditStorageConfigured(IConfiguration configuration) =>
        configuration?.GetSection(AuditStorageOptions.SectionName).Exists() ?? false;
}
