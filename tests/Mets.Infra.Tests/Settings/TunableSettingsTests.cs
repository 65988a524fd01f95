using System.Text.Json.Nodes;
using Mets.Infra.Tests.Template;

namespace Mets.Infra.Tests.Settings;

/// <summary>
/// infra/app-settings.json holds the tunable settings (strings, in app-setting form) and each reaches the app as
/// written: no setting the deployment decides (connections, identities, secrets, callers) shadows one of them.
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
