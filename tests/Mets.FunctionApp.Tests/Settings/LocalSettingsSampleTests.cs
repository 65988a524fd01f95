using static Mets.FunctionApp.Tests.Settings.FunctionAppSettings;

namespace Mets.FunctionApp.Tests.Settings;

/// <summary>
/// local.settings.sample.json lists every setting the function app reads, and nothing it does not: the keys are
/// discovered from the app's own service container (<see cref="SettingsDiscovery"/>, <see cref="FunctionAppSettings"/>),
/// not from a hand-written list.
/// </summary>
public class LocalSettingsSampleTests
{
    [Fact]
    public void Sample_ListsEveryKeyTheAppsOptionsRead()
    {
        var sample = SampleValues();

        var read = Read(sample);
        var listed = new HashSet<string>(sample.Keys.Select(read.Pattern), StringComparer.OrdinalIgnoreCase);

        Assert.NotEmpty(read.Keys);
        var missing = read.Keys
            .Where(k => !listed.Contains(k) && !HostSettings.ContainsKey(k) && !NotForAzure.ContainsKey(k))
            .ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json lacks settings the app reads: " + string.Join(", ", missing.Select(k => k.Replace(":", "__", StringComparison.Ordinal))));
    }

    [Fact]
    public void Sample_ListsNothingTheAppDoesNotRead()
    {
        var sample = SampleValues();

        var read = Read(sample);
        var stale = sample.Keys
            .Where(k => !HostSettings.ContainsKey(read.Pattern(k)) && !read.Reads(k))
            .ToList();

        Assert.True(stale.Count == 0, "local.settings.sample.json lists settings no options of the app read: " + string.Join(", ", stale));
    }

    [Fact]
    public void Discovery_FindsAKeyOnlyWhenAnOptionsPropertyReadsIt()
    {
        // The discovery itself can fail: a made-up key is not reported, a real one is.
        var read = Read(SampleValues());

        Assert.Contains("Mets:Workflow:MailFrom", read.Keys);
        Assert.DoesNotContain("Mets:Workflow:NoSuchSetting", read.Keys);
    }

    [Fact]
    public void Discovery_FoldsListAndDictionaryEntries()
    {
        // Entries are named by the settings, not by the options types: any name of an entry is the same setting.
        var read = Read(SampleValues());

        Assert.Contains("Mets:Roster:Clinicians:*:Id", read.Keys);
        Assert.Contains("Mets:ProviderLinks:Keys:*", read.Keys);
        Assert.True(read.Reads("Mets__ProviderLinks__Keys__another-key"));
        Assert.True(read.Reads("Mets__Entra__Callers__7__User"));
        Assert.False(read.Reads("Mets__Entra__Callers__7__Nickname"));
        Assert.Contains("METS_TASK_HUB", read.Keys); // host.json's %METS_TASK_HUB%
    }

    [Fact]
    public void Sample_WritesSecretsAsKeyVaultReferences()
    {
        var secrets = SampleValues().Where(p => p.Key.Contains("ApiKey", StringComparison.OrdinalIgnoreCase) || p.Key.Contains("ProviderLinks__Keys__", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.NotEmpty(secrets);
        Assert.All(secrets, p => Assert.StartsWith("@Microsoft.KeyVault(SecretUri=", p.Value, StringComparison.Ordinal));
    }
}
