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
    };

    [Fact]
    public void Sample_ListsEveryKeyTheAppsOptionsRead()
    {
        var sample = SampleValues();

        var read = KeysRead(sample);
        var listed = new HashSet<string>(sample.Keys.Select(SettingsDiscovery.Fold), StringComparer.OrdinalIgnoreCase);

        Assert.NotEmpty(read);
        var missing = read.Where(k => !listed.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json lacks settings the app reads: " + string.Join(", ", missing.Select(k => k.Replace(":", "__", StringComparison.Ordinal))));
    }

    [Fact]
    public void Sample_ListsNothingTheAppDoesNotRead()
    {
        var sample = SampleValues();

        var read = KeysRead(sample);
        var stale = sample.Keys
            .Where(k => !HostSettings.ContainsKey(k) && !read.Contains(SettingsDiscovery.Fold(k)))
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

    private static SortedSet<string> KeysRead(IReadOnlyDictionary<string, string?> sample) =>
        SettingsDiscovery.KeysRead((services, configuration) => services.AddMetsFunctionApp(configuration), sample
            .ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => p.Value, StringComparer.OrdinalIgnoreCase));

    internal static Dictionary<string, string?> SampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root (Serverless.sln) not found above the test output.");
    }
}
