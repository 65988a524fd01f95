using System.Reflection;
using System.Text.Json.Nodes;
using Mets.FunctionApp.Tests.Settings;
using Mets.Infra.Tests.Template;
using Microsoft.Extensions.Configuration;

namespace Mets.Infra.Tests.Settings;

/// <summary>
/// infra/app-settings.json holds the tunable settings (strings, in app-setting form) and each reaches the app as
/// written: no setting the deployment decides (connections, identities, secrets, callers) shadows one of them. Each is
/// the app's own default unless it says why not, so a default changed in the code is not pinned to its old value here.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed class TunableSettingsTests(TemplateFixture fixture)
{
    private static JsonObject Tunables() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraFolder, "app-settings.json")))!.AsObject();

    [Fact]
    public void Tunables_AreStringsInAppSettingForm()
    {
        Assert.All(Tunables(), p =>
        {
            Assert.Matches("^[A-Za-z][A-Za-z0-9]*(__[A-Za-z0-9]+)+$", p.Key);
            Assert.True(p.Value is JsonValue v && v.TryGetValue<string>(out _), $"{p.Key}: app settings are strings");
        });
    }

    [Fact]
    public void Tunables_ReachTheAppAsWritten()
    {
        var settings = fixture.Template.AppSettings;

        Assert.All(Tunables(), p => Assert.Equal(p.Value!.GetValue<string>(), settings.Str(p.Key)));
    }

    /// <summary>Tunables deliberately not the app's default on Azure, each with why.</summary>
    private static readonly IReadOnlyDictionary<string, string> NotTheAppsDefault = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Cosmos__StartupTimeout"] = "a cold instance's first call reaches Cosmos DB across the network: 30 s, not the 5 s that suits a local emulator",
    };

    [Fact]
    public void Tunables_AreTheAppsOwnDefaults_ExceptThoseSayingWhy()
    {
        // The app's options types and sections, found in its container; a tunable no options type binds (a timer
        // schedule: the host's %expression%, which has no default) is not compared.
        var options = FunctionAppSettings.Read(FunctionAppSettings.SampleValues()).Options;
        var compared = 0;
        foreach (var (key, node) in Tunables())
        {
            var setting = key.Replace("__", ":", StringComparison.Ordinal);
            var match = options
                .Select(o => (o.Section, o.Type, Property: setting.StartsWith(o.Section + ":", StringComparison.OrdinalIgnoreCase)
                    ? o.Type.GetProperty(setting[(o.Section.Length + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
                    : null))
                .FirstOrDefault(o => o.Property is not null);
            if (match.Property is null)
            {
                continue;
            }

            var configured = match.Property.GetValue(new ConfigurationBuilder()
                .AddInMemoryCollection([new(setting, node!.GetValue<string>())]).Build()
                .GetSection(match.Section).Get(match.Type));
            var appDefault = match.Property.GetValue(Activator.CreateInstance(match.Type));
            compared++;
            if (Equals(configured ?? string.Empty, appDefault ?? string.Empty))
            {
                Assert.False(NotTheAppsDefault.ContainsKey(key), $"{key} is the app's default now: drop it from NotTheAppsDefault");
            }
            else
            {
                Assert.True(NotTheAppsDefault.ContainsKey(key), $"{key} is {configured} in infra/app-settings.json, the app's default is {appDefault}: take the default, or say why not in NotTheAppsDefault");
            }
        }

        Assert.True(compared > 30, $"only {compared} tunables were compared with the app's defaults");
        Assert.All(NotTheAppsDefault.Keys, k => Assert.True(Tunables().ContainsKey(k), $"{k} is not a tunable"));
    }

    [Fact]
    public void Tunables_HoldNoSecretAndNoConnection()
    {
        Assert.All(Tunables(), p =>
        {
            Assert.False(Promises.IsSecretSetting(p.Key), $"{p.Key} is a secret: it belongs in Key Vault");
            Assert.DoesNotContain("ServiceUri", p.Key, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Endpoint", p.Key, StringComparison.OrdinalIgnoreCase);
        });
    }
}
