using System.Text.RegularExpressions;
using Mets.Infra.Tests.Template;

namespace Mets.Infra.Tests.Azd;

/// <summary>
/// azure.yaml points azd at what exists (the Bicep module, the function app project, the hook script), the function app
/// carries the tag azd finds it by, and docs/deploy.md documents every variable main.bicepparam reads.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class AzdProjectTests(TemplateFixture fixture)
{
    private static readonly string AzureYaml = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "azure.yaml"));

    [Fact]
    public void AzureYaml_ProvisionsMainBicepFromInfra()
    {
        Assert.Matches(@"(?m)^infra:\s*\n\s+provider: bicep\s*\n\s+path: infra\s*\n\s+module: main\s*$", AzureYaml);
        Assert.True(File.Exists(Path.Combine(BicepCli.InfraFolder, "main.bicep")));
        Assert.True(File.Exists(Path.Combine(BicepCli.InfraFolder, "main.bicepparam")), "azd reads parameters from infra/main.bicepparam");
    }

    [Fact]
    public void AzureYaml_DeploysTheFunctionAppProjectToTheTaggedApp()
    {
        var service = Regex.Match(AzureYaml, @"(?m)^services:\s*\n\s+(?<name>[\w-]+):\s*\n\s+project: (?<project>\S+)\s*\n\s+language: dotnet\s*\n\s+host: function\s*$");

        Assert.True(service.Success, "azure.yaml has no dotnet function service");
        var project = Path.Combine(BicepCli.RepositoryRoot, service.Groups["project"].Value);
        Assert.Equal(Path.GetFullPath(Path.Combine(BicepCli.RepositoryRoot, "functions", "Mets.FunctionApp")), Path.GetFullPath(project));
        var site = fixture.Template.Resources(Promises.Sites).Single();
        Assert.Equal(service.Groups["name"].Value, site["tags"]?["azd-service-name"]?.GetValue<string>());
    }

    [Fact]
    public void AzureYaml_PostdeployHookRunsTheEventGridScript()
    {
        var runs = HookRun().Matches(AzureYaml).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.Equal("bash ./infra/scripts/postdeploy-eventgrid.sh", run));
        Assert.True(File.Exists(Path.Combine(BicepCli.InfraFolder, "scripts", "postdeploy-eventgrid.sh")));
        Assert.Matches(@"(?m)^hooks:\s*\n\s+postdeploy:", AzureYaml);
    }

    [Fact]
    public void DeployDoc_DocumentsEveryVariableTheParametersFileReads()
    {
        var parameters = File.ReadAllText(Path.Combine(BicepCli.InfraFolder, "main.bicepparam"));
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));

        var variables = EnvironmentVariable().Matches(parameters).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Contains($"`{v}`", doc, StringComparison.Ordinal));
    }

    [Fact]
    public void DeployDoc_NamesEveryOutputTheHookReads()
    {
        var doc = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "docs", "deploy.md"));
        var outputs = fixture.Template.Compiled["outputs"]!.AsObject().Select(o => o.Key).ToList();

        Assert.All(outputs, o => Assert.Contains($"`{o}`", doc, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(?m)^\s+run: (.+?)\s*$")]
    private static partial Regex HookRun();

    [GeneratedRegex(@"readEnvironmentVariable\('([A-Z0-9_]+)'")]
    private static partial Regex EnvironmentVariable();
}
