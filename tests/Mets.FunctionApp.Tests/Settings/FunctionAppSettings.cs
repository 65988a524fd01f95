using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Tests.Settings;

/// <summary>
/// The function app's settings as its tests and the deployment's tests see them: what the app reads (its options,
/// found by <see cref="SettingsDiscovery"/> in the container <see cref="FunctionAppServiceCollectionExtensions.AddMetsFunctionApp"/>
/// builds, plus the <c>%Setting%</c> expressions the Functions host resolves in functions.metadata and host.json),
/// local.settings.sample.json, and the two short lists of settings that are not the options' business. Compiled into
/// Mets.FunctionApp.Tests (local.settings.sample.json) and, linked, into Mets.Infra.Tests (the template's app settings).
/// </summary>
internal static partial class FunctionAppSettings
{
    /// <summary>Read by the Functions host or the platform, not by the app's options (each with why).</summary>
    public static readonly IReadOnlyDictionary<string, string> HostSettings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage"] = "the host's storage (leases, timers, Durable Functions' task hub)",
        ["FUNCTIONS_WORKER_RUNTIME"] = "tells the host to start the isolated worker",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "read by the host and the worker's Application Insights SDK",
        [PlatformSiteName] = "set by the platform on every Azure instance (the app reads it to require its Azure stores)",
        ["ClaimsStorage:credential"] = "the blob trigger's identity-based connection: managedidentity (its clientId is ClaimsStorage:ClientId, which the app reads too)",
    };

    /// <summary>Set by App Service and Azure Functions on every instance: read by the app, never set by a deployer.</summary>
    public const string PlatformSiteName = "WEBSITE_SITE_NAME";

    /// <summary>Read by the app's options but deliberately not in the sample nor in the deployment (each with why).</summary>
    public static readonly IReadOnlyDictionary<string, string> NotForAzure = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Mets:Workflow:DataFolder"] = "the embedded SQLite stores' folder; unused (and defaulted) when Cosmos is configured, as it always is on Azure",
        ["Claims:Store:DatabasePath"] = "the embedded SQLite claims store; unused (and defaulted) when Cosmos is configured",
        ["SendGrid:SentDatabasePath"] = "the SQLite sent-email ledger; Cosmos's sent-emails container replaces it",
        ["Cosmos:Key"] = "key authentication: the deployed account disables it (disableLocalAuth); for the Cosmos test server only",
        ["Cosmos:TestServer"] = "tests only: accepts the Cosmos test server's certificate and its missing-item answer",
        ["SendGrid:Host"] = "tests only: the loopback SendGrid capture server",
        ["ClaimsStorage:ConnectionString"] = "Azurite's shared-key alternative to ServiceUri; the deployed storage account disables shared keys",
        ["ClaimsStorage:PollInterval"] = "the local host's polling worker; the function app is triggered through Event Grid",
        ["Mets:Api:MaxClaimsUploadBytes"] = "the local host's upload route; on Azure claims files arrive as blobs",
        ["AuditStorage:ConnectionString"] = "Azurite's shared-key alternative to ServiceUri; the deployed storage account disables shared keys",
        ["Mets:Audit:AnchorSweepInterval"] = "the local host's periodic anchor sweep; the function app's timer runs it on Mets:Audit:AnchorSweepSchedule",
        ["Mets:ProviderFeedback:Interval"] = "the local host's periodic provider feedback run; the function app's timer runs it on Mets:ProviderFeedback:Schedule",
    };

    /// <summary>
    /// The settings the app reads over <paramref name="values"/> (setting names in either form; <c>&lt;...&gt;</c>
    /// placeholders made bindable): its options' keys and the host's <c>%Setting%</c> expressions.
    /// </summary>
    public static SettingsRead Read(IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var bindable = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            bindable[key.Replace("__", ":", StringComparison.Ordinal)] = value is null ? null : Placeholder().Replace(value, "placeholder");
        }

        var read = SettingsDiscovery.KeysRead((services, configuration) => services.AddMetsFunctionApp(configuration), bindable);
        read.Keys.UnionWith(HostExpressions());
        return read;
    }

    /// <summary>Settings the Functions host resolves in the app's trigger attributes (functions.metadata) and in host.json (<c>%Setting%</c>).</summary>
    public static IEnumerable<string> HostExpressions() =>
        new[] { FunctionAppBuild.MetadataPath, Path.Combine(FunctionAppBuild.OutputFolder, "host.json") }
            .SelectMany(file => Expression().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>local.settings.sample.json's values, by setting name (<c>Mets__Workflow__MailFrom</c>).</summary>
    public static Dictionary<string, string?> SampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FunctionAppBuild.RepositoryFile("local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex("%([A-Za-z0-9_:]+)%")]
    private static partial Regex Expression();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Placeholder();
}
