using System.Globalization;
using Mets.Api.Authentication;
using Mets.Api.Claims;
using Mets.Azure;
using Mets.Claims.Ingestion;
using Mets.Local.Claims;
using Mets.Local.Configuration;
using Mets.Local.Data;
using Mets.Local.Durable;
using Mets.Local.Keys;
using Mets.Local.Startup;
using Mets.Workflow;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Links;
using Mets.Workflow.Reports;
using Microsoft.Extensions.Options;

namespace Mets.Local;

/// <summary>
/// The local host's composition: its options, data folder, key files, start banner and shutdown, plus the
/// whole product embedded: the METS workflow (AddMetsWorkflow) on Microsoft.DurableTask with the embedded engine
/// over SQLite as its backend (AddMetsEmbeddedEngine), claims intake on SQLite
/// (AddMetsClaimsIntake), and the claims inbox folder with its background worker. The Azure adapters
/// join when configured (AddMetsAzureAdapters): a <c>SendGrid</c> section replaces the outbox mailer, a
/// <c>ClaimsStorage</c> section adds the blob container inbox (e.g. Azurite) beside the inbox folder.
/// </summary>
public static class LocalServiceCollectionExtensions
{
    public static IServiceCollection AddMetsLocal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LocalHostOptions>()
            .BindConfiguration(LocalHostOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // HostOptions are read while the host is built, before LocalHostOptions are validated: take the
        // raw value when it is in range and leave a bad one to the start-up validation to report.
        services.Configure<HostOptions>(host =>
        {
            var timeout = configuration.GetSection(LocalHostOptions.SectionName)[nameof(LocalHostOptions.ShutdownTimeout)];
            if (TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value)
                && value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(10))
            {
                host.ShutdownTimeout = value;
            }
            else
            {
                host.ShutdownTimeout = new LocalHostOptions().ShutdownTimeout;
            }
        });

        services.AddSingleton<LocalDataFolder>();
        services.AddSingleton<LocalKeyFiles>();
        services.AddSingleton<IPostConfigureOptions<ApiAccessOptions>>(sp => sp.GetRequiredService<LocalKeyFiles>());
        services.AddHostedService<LocalStartBanner>();

        // Defaults for the workflow and claims settings the local host can decide itself (a configured value wins).
        services.AddSingleton<LocalWorkflowDefaults>();
        services.AddSingleton<IPostConfigureOptions<WorkflowOptions>>(sp => sp.GetRequiredService<LocalWorkflowDefaults>());
        services.AddSingleton<IPostConfigureOptions<ClaimsStoreOptions>>(sp => sp.GetRequiredService<LocalWorkflowDefaults>());
        services.AddSingleton<IPostConfigureOptions<ProviderLinkOptions>>(sp => sp.GetRequiredService<LocalWorkflowDefaults>());
        services.AddMetsEmbeddedEngine();
        services.AddMetsWorkflow(configuration);
        services.AddMetsClaimsIntake(configuration);
        services.AddMetsReports();
        services.AddMetsProviderFeedbackService();

        services.AddSingleton<ClaimsInbox>();
        services.AddSingleton<IClaimsUploadInbox>(sp => sp.GetRequiredService<ClaimsInbox>());
        services.AddHostedService<ClaimsInboxWorker>();
        services.AddMetsAzureAdapters(configuration);
        return services;
    }
}
