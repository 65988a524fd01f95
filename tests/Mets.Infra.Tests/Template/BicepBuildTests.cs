using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mets.Infra.Tests.Template;

/// <summary>infra/ compiles and lints clean with the real Bicep CLI, and the linter configuration makes mistakes fail.</summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class BicepBuildTests(TemplateFixture fixture)
{
    [Fact]
    public void Build_MainBicep_CompilesWithoutWarnings()
    {
        Assert.Equal(0, fixture.Build.ExitCode);
        Assert.True(fixture.Build.All.Trim().Length == 0, "bicep build printed diagnostics:\n" + fixture.Build.All);
        Assert.Contains("deploymentTemplate.json", fixture.Template.Compiled["$schema"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_MainBicep_HasNoWarningsOrErrors()
    {
        Assert.True(fixture.Lint.ExitCode == 0 && fixture.Lint.All.Trim().Length == 0, "bicep lint:\n" + fixture.Lint.All);
    }

    [Fact]
    public async Task Lint_ParametersFile_HasNoWarningsOrErrors()
    {
        // It reads environment variables (azd's, or the shell's): lint it as a deployer would run it.
        var lint = await BicepCli.RunAsync(["lint", Path.Combine(BicepCli.InfraFolder, "main.bicepparam")], TestParameters.Environment, null);

        Assert.True(lint.ExitCode == 0 && lint.All.Trim().Length == 0, "bicep lint main.bicepparam:\n" + lint.All);
    }

    [Fact]
    public void Snapshot_OfTheParametersFile_HasNoDiagnostics()
    {
        Assert.Equal(0, fixture.Snapshot.ExitCode);
        Assert.Empty(fixture.Template.Snapshot["diagnostics"]!.AsArray());
        Assert.NotEmpty(fixture.Template.PredictedResources);
    }

    /// <summary>Rules that must fail the build; none of them depends on the date or on a registry.</summary>
    public static TheoryData<string> ErrorRules =>
    [
        "no-unused-params", "no-unused-vars", "no-unused-existing-resources", "no-unused-imports",
        "outputs-should-not-contain-secrets", "secure-secrets-in-params", "secure-parameter-default",
        "secure-params-in-nested-deploy", "use-secure-value-for-secure-inputs", "protect-commandtoexecute-secrets",
        "no-hardcoded-env-urls", "no-hardcoded-location", "explicit-values-for-loc-params", "no-loc-expr-outside-params",
        "use-stable-resource-identifiers", "use-resource-symbol-reference", "no-deployments-resources", "what-if-short-circuiting",
    ];

    [Theory]
    [MemberData(nameof(ErrorRules))]
    public void BicepConfig_MakesRuleAnError(string rule)
    {
        Assert.Equal("error", Rules().GetValueOrDefault(rule));
    }

    [Theory]
    [InlineData("use-recent-api-versions")]
    [InlineData("use-recent-module-versions")]
    public void BicepConfig_LeavesOutRulesThatDependOnTheDate(string rule)
    {
        // Enabled, these compare API versions with today's date: a green build would turn red with time.
        Assert.False(Rules().ContainsKey(rule), $"{rule} is configured; its verdict changes with the date.");
    }

    [Fact]
    public async Task Lint_TemplateWithPlantedMistakes_FailsNamingEachRule()
    {
        var work = Directory.CreateTempSubdirectory("mets-infra-lint-");
        try
        {
            var infra = TemplateFixture.CopyInfra(work.FullName);
            await File.AppendAllTextAsync(Path.Combine(infra, "main.bicep"), """

                param unusedSetting string = 'x'

                @secure()
                param defaultedSecret string = 'not-a-secret'

                output leaked string = defaultedSecret
                output portal string = 'https://management.azure.com/'
                """);

            var lint = await BicepCli.RunAsync("lint", Path.Combine(infra, "main.bicep"));

            Assert.NotEqual(0, lint.ExitCode);
            foreach (var rule in new[] { "no-unused-params", "secure-parameter-default", "outputs-should-not-contain-secrets", "no-hardcoded-env-urls" })
            {
                Assert.Matches($@"Error {rule}:", lint.All);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void Modules_AreLocalFiles()
    {
        // Registry modules (br:, ts:) cannot be restored here, and a deployment should not depend on one.
        foreach (var file in Directory.EnumerateFiles(BicepCli.InfraFolder, "*.bicep", SearchOption.AllDirectories))
        {
            foreach (Match module in ModuleReference().Matches(File.ReadAllText(file)))
            {
                var path = module.Groups[1].Value;
                Assert.DoesNotMatch("^(br|ts)[:/]", path);
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, path)), $"{file}: module {path} does not exist");
            }
        }
    }

    [Fact]
    public void EveryParameter_HasADescription()
    {
        foreach (var (path, template) in fixture.Template.CompiledTemplates())
        {
            foreach (var (name, parameter) in template["parameters"]?.AsObject() ?? [])
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter?["metadata"]?["description"]?.GetValue<string>()), $"{path}: parameter {name} has no @description");
            }
        }
    }

    private static Dictionary<string, string> Rules()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraFolder, "bicepconfig.json")), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules").EnumerateObject()
            .ToDictionary(r => r.Name, r => r.Value.GetProperty("level").GetString()!, StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\s*module\s+\w+\s+'([^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();
}
