using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Tests.Settings;

/// <summary>
/// local.settings.sample.json lists every setting the function app reads, and nothing it does not: the keys are
/// discovered from the app's own service container (<see cref="SettingsDiscovery"/>), not from a hand-written list.
/// </summary>
public class LocalSettingsSampleTests
{
    /// <summary>Read by the Functions host or the platform, not by the app's options (each with why).</summary>
    internal static readonly IReadOnlyDictionary<string, string> HostSettings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage"] = "the host's storage (leases, timers, Durable Functions' task hub)",
        ["FUNCTIONS_WORKER_RUNTIME"] = "tells the host to start the isolated worker",
        ["METS_TASK_HUB"] = "host.json extensions.durableTask.hubName (%METS_TASK_HUB%)",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "read by the host and the worker's Application Insights SDK",
        ["WEBSITE_SITE_NAME"] = "set by the platform on every Azure instance (the app reads it to require its Azure stores)",
        ["ClaimsStorage:credential"] = "the blob trigger's identity-based connection: managedidentity (its clientId is ClaimsStorage:ClientId, which the app reads too)",
    };

    /// <summary>Read by the app's options but deliberately not in the sample (each with why).</summary>
    internal static readonly IReadOnlyDictionary<string, string> NotForAzure = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
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
    };

    [Fact]
    public void Sample_ListsEveryKeyTheAppsOptionsRead()
    {
        var sample = SampleValues();

        var read = KeysRead(sample);
        var listed = new HashSet<string>(sample.Keys.Select(SettingsDiscovery.Fold), StringComparer.OrdinalIgnoreCase);

        Assert.NotEmpty(read);
        var missing = read.Concat(HostExpressions())
            .Where(k => !listed.Contains(k) && !HostSettings.ContainsKey(k) && !NotForAzure.ContainsKey(k))
            .ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json lacks settings the app reads: " + string.Join(", ", missing.Select(k => k.Replace(":", "__", StringComparison.Ordinal))));
    }

    [Fact]
    public void Sample_ListsNothingTheAppDoesNotRead()
    {
        var sample = SampleValues();

        var read = KeysRead(sample);
        read.UnionWith(HostExpressions());
        var stale = sample.Keys
            .Where(k => !HostSettings.ContainsKey(SettingsDiscovery.Fold(k)) && !read.Contains(SettingsDiscovery.Fold(k)))
            .ToList();

        Assert.True(stale.Count == 0, "local.settings.sample.json lists settings no options of the app read: " + string.Join(", ", stale));
    }

    [Fact]
    public void Discovery_FindsAKeyOnlyWhenAnOptionsPropertyReadsIt()
    {
        // The discovery itself can fail: a made-up key is not reported, a real one is.
        var read = KeysRead(SampleValues());

        Assert.Contains("Mets:Workflow:MailFrom", read);
        Assert.DoesNotContain("Mets:Workflow:NoSuchSetting", read);
    }

    [Fact]
    public void Sample_WritesSecretsAsKeyVaultReferences()
    {
        var secrets = SampleValues().Where(p => p.Key.Contains("ApiKey", StringComparison.OrdinalIgnoreCase) || p.Key.Contains("ProviderLinks__Keys__", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.NotEmpty(secrets);
        Assert.All(secrets, p => Assert.StartsWith("@Microsoft.KeyVault(SecretUri=", p.Value, StringComparison.Ordinal));
    }

    /// <summary>Settings the Functions host resolves in the app's trigger attributes (<c>%Setting%</c> in functions.metadata).</summary>
    internal static IEnumerable<string> HostExpressions()
    {
        var text = File.ReadAllText(FunctionAppBuild.MetadataPath);
        return System.Text.RegularExpressions.Regex.Matches(text, "%([A-Za-z0-9_:]+)%").Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The keys the app's options read over the sample, its placeholders (<c>&lt;...&gt;</c>) made bindable.</summary>
    private static SortedSet<string> KeysRead(IReadOnlyDictionary<string, string?> sample) =>
        SettingsDiscovery.KeysRead((services, configuration) => services.AddMetsFunctionApp(configuration), sample
            .ToDictionary(
                p => p.Key.Replace("__", ":", StringComparison.Ordinal),
                p => p.Value is null ? null : System.Text.RegularExpressions.Regex.Replace(p.Value, "<[^>]*>", "placeholder"),
                StringComparer.OrdinalIgnoreCase));

    internal static Dictionary<string, string?> SampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FunctionAppBuild.RepositoryFile("local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }
}
