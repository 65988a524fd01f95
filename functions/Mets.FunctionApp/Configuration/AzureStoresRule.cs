using Mets.Azure;
using Mets.Claims.Ingestion;
using Mets.Workflow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Configuration;

/// <summary>
/// On Azure nothing may live on an instance's disk: several instances run at once and any of them can be recycled.
/// So when the app runs in Azure (the platform sets <see cref="SiteNameSetting"/>) it refuses to start unless the
/// Cosmos DB stores, the claims blob containers, the audit anchor container and SendGrid are configured, naming each
/// missing section. Where the Cosmos section is present, the embedded stores' file settings (<c>Mets:Workflow:DataFolder</c>,
/// <c>Claims:Store:DatabasePath</c>) are not needed: nothing is written there, so they default to a folder under the
/// instance's temporary path instead of being required. Under Core Tools on a developer's machine the embedded SQLite
/// stores still work, as in the local host.
/// </summary>
internal sealed class AzureStoresRule(IConfiguration configuration) : IValidateOptions<WorkflowOptions>
{
    /// <summary>Set by App Service and Azure Functions (Flex Consumption included) on every instance.</summary>
    public const string SiteNameSetting = "WEBSITE_SITE_NAME";

    public static IServiceCollection AddAzureStoresRule(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<WorkflowOptions>>(new AzureStoresRule(configuration));
        if (AzureServiceCollectionExtensions.IsCosmosConfigured(configuration))
        {
            var unused = Path.Combine(Path.GetTempPath(), "mets-no-local-stores");
            services.PostConfigure<WorkflowOptions>(o => o.DataFolder = string.IsNullOrWhiteSpace(o.DataFolder) ? unused : o.DataFolder);
            services.PostConfigure<ClaimsStoreOptions>(o => o.DatabasePath = string.IsNullOrWhiteSpace(o.DatabasePath) ? Path.Combine(unused, "claims.db") : o.DatabasePath);
        }

        return services;
    }

    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        if (string.IsNullOrEmpty(configuration[SiteNameSetting]))
        {
            return ValidateOptionsResult.Skip;
        }

        var missing = new List<string>();
        if (!AzureServiceCollectionExtensions.IsCosmosConfigured(configuration))
        {
            missing.Add("Cosmos (Endpoint, Database, ManagedIdentityClientId): on Azure cases, claims and the email ledger live in Cosmos DB, never on an instance's disk.");
        }

        if (!AzureServiceCollectionExtensions.IsClaimsStorageConfigured(configuration))
        {
            missing.Add("ClaimsStorage (ServiceUri, Container, ProcessedContainer, QuarantineContainer): on Azure claims files arrive in blob containers.");
        }

        if (!AzureServiceCollectionExtensions.IsAuditStorageConfigured(configuration))
        {
            missing.Add("AuditStorage (ServiceUri, ClientId, Container): on Azure timeline anchors go to the immutable audit container, never to an instance's disk.");
        }

        if (!AzureServiceCollectionExtensions.IsSendGridConfigured(configuration))
        {
            missing.Add("SendGrid (ApiKey, FromAddress): on Azure emails go out through SendGrid, not to an outbox folder.");
        }

        return missing.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(missing.Select(m => "The function app runs in Azure and lacks the section " + m));
    }
}
