using Mets.FunctionApp.Tests.Settings;

namespace Mets.Infra.Tests.Template;

/// <summary>
/// The function app's settings in the template: every setting the app reads is set, and nothing else is but the
/// Functions host's own. "What the app reads" is not a list kept here: <see cref="FunctionAppSettings"/> (the function
/// app tests' discovery, linked) finds it in the container the app builds, plus the host's <c>%Setting%</c>
/// expressions in functions.metadata and host.json. A new option, or a new options class, is demanded from the
/// template by itself.
/// </summary>
internal static partial class Promises
{
    /// <summary>
    /// Settings the template sets that no options of the app read, each with why it is set: the Functions host's
    /// (identity-based connections, telemetry). Flex Consumption takes the runtime and its version from
    /// functionAppConfig, so FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not here: it refuses them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> HostManagedSettings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage__credential"] = "the host's storage connection (keys, timers, leases, the Durable task hub) authenticates with a managed identity",
        ["AzureWebJobsStorage__clientId"] = "… the app's user-assigned identity",
        ["AzureWebJobsStorage__blobServiceUri"] = "… the blob endpoint of that connection",
        ["AzureWebJobsStorage__queueServiceUri"] = "… the queue endpoint of that connection",
        ["AzureWebJobsStorage__tableServiceUri"] = "… the table endpoint of that connection (Durable task hub)",
        [$"{ClaimsConnection}__credential"] = "the blob trigger's connection (functions.metadata: connection ClaimsStorage) authenticates with a managed identity (its clientId is read by the app too)",
        [$"{ClaimsConnection}__blobServiceUri"] = "… the blob endpoint the host's blob extension reads the inbox from",
        [$"{ClaimsConnection}__queueServiceUri"] = "… the queue endpoint the blob extension keeps its receipts in",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "the host's telemetry (the worker's logs reach Application Insights through the host)",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "the host sends telemetry with the app's identity (Microsoft Entra ID)",
    };

    /// <summary>
    /// Settings the app reads that the template may leave out, each with why: an optional list, which app settings can
    /// only leave empty by not setting it.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> OptionalOnAzure = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Claims:Diagnosis:CodeSetFiles:*:Path"] = "the CMS ICD-10-CM releases are the plan's to deploy with the app; without one, diagnosis codes are checked by their structure only (docs/claims.md)",
        ["Claims:Diagnosis:CodeSetFiles:*:EffectiveFrom"] = "… the date each release takes effect, set with its path",
    };

    /// <summary>
    /// What the app reads over its sample settings and the template's: the sample holds every optional section (the
    /// app registers some options only when their section is present) and an example of every list; the template's
    /// own values add its list and dictionary entries.
    /// </summary>
    public static SettingsRead AppReads(DeploymentTemplate t)
    {
        var values = FunctionAppSettings.SampleValues();
        foreach (var (key, node) in t.AppSettings)
        {
            values[key] = node.Str() ?? node?.ToJsonString();
        }

        return FunctionAppSettings.Read(values);
    }

    private static IEnumerable<string> AppSettingsSetEverySettingTheAppReads(DeploymentTemplate t)
    {
        var read = AppReads(t);
        var set = t.AppSettings.Select(s => read.Pattern(s.Key)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in read.Keys)
        {
            if (!set.Contains(key) && !FunctionAppSettings.NotForAzure.ContainsKey(key) && !OptionalOnAzure.ContainsKey(key) && !IsPlatformSetting(key))
            {
                yield return $"{AsSetting(key)}: the app reads it, the template does not set it";
            }
        }
    }

    private static IEnumerable<string> AppSettingsSetNothingTheAppDoesNotRead(DeploymentTemplate t)
    {
        var read = AppReads(t);
        foreach (var (key, _) in t.AppSettings)
        {
            var pattern = read.Pattern(key);
            if (FunctionAppSettings.NotForAzure.TryGetValue(pattern, out var why))
            {
                yield return $"{key} is set, but it is not for Azure: {why}";
            }
            else if (IsPlatformSetting(pattern))
            {
                yield return $"{key} is set, but the platform sets it on every instance";
            }
            else if (!read.Keys.Contains(pattern) && !HostManagedSettings.ContainsKey(key))
            {
                yield return $"{key} is set, but neither the app nor the Functions host reads it";
            }
        }
    }

    private static bool IsPlatformSetting(string key) => string.Equals(key, FunctionAppSettings.PlatformSiteName, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>Mets:Roster:Clinicians:*:Id</c> as an app setting's name: <c>Mets__Roster__Clinicians__*__Id</c>.</summary>
    private static string AsSetting(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
