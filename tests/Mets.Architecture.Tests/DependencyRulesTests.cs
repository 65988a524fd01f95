using Mets.FunctionApp.Tests;
using Xunit.Abstractions;

namespace Mets.Architecture.Tests;

/// <summary>
/// Every production assembly, as built, against the one description of the architecture (<see cref="Architecture"/>);
/// and the checker itself, on planted violations.
/// </summary>
public sealed class DependencyRulesTests(ITestOutputHelper output)
{
    /// <summary>functions/{project}/bin/{configuration}/net10.0/{project}.dll: the project's own build output.</summary>
    private static string AssemblyPath(string project) =>
        FunctionAppBuild.RepositoryFile("functions", project, "bin", FunctionAppBuild.Configuration, "net10.0", project + ".dll");

    public static TheoryData<string> ProductionProjects() => [.. Architecture.Projects.Select(p => p.Project)];

    [Theory]
    [MemberData(nameof(ProductionProjects))]
    public void ProductionAssembly_ReferencesOnlyWhatTheArchitectureAllows(string project)
    {
        var rule = Architecture.Projects.Single(p => p.Project == project);
        var path = AssemblyPath(project);
        Assert.True(File.Exists(path), $"{project} is not built at {path}.");

        var references = DependencyRules.ReferencesOf(path);
        output.WriteLine($"{project} references: {string.Join(", ", references.Order(StringComparer.Ordinal))}");

        Assert.Contains(references, r => r.StartsWith("System", StringComparison.Ordinal)); // the references were read
        Assert.Empty(DependencyRules.Violations(rule, references));
    }

    [Fact]
    public void Architecture_DescribesEveryProductionProject()
    {
        var projects = Directory.GetDirectories(FunctionAppBuild.RepositoryFile("functions"))
            .SelectMany(folder => Directory.GetFiles(folder, "*.csproj")) // functions/{project}/{project}.csproj; not the generated ones under obj/
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal);

        Assert.Equal(projects, Architecture.Projects.Select(p => p.Project).Order(StringComparer.Ordinal));
        Assert.All(Architecture.Projects, rule => Assert.All(rule.MayReference, named => Assert.Contains(Architecture.Projects, p => p.Project == named)));
    }

    public static TheoryData<string, string, string> PlantedViolations() => new()
    {
        { "Mets.Domain", "Mets.Workflow", "a METS project it may not reference" },
        { "Mets.Domain", "Microsoft.Extensions.Logging.Abstractions", "only System, netstandard, mscorlib may be referenced here" },
        { "Mets.Claims", "Microsoft.DurableTask.Abstractions", "the Microsoft.DurableTask family is never referenced here" },
        { "Mets.Durable", "Mets.Domain", "a METS project it may not reference" },
        { "Mets.Workflow", "Mets.Durable", "a METS project it may not reference" },
        { "Mets.Workflow", "Microsoft.AspNetCore.Http.Abstractions", "the Microsoft.AspNetCore family is never referenced here" },
        { "Mets.Api", "Azure.Storage.Blobs", "the Azure family is never referenced here" },
        { "Mets.Api", "Mets.Azure", "a METS project it may not reference" },
        { "Mets.Azure", "Mets.Api", "a METS project it may not reference" },
        { "Mets.FunctionApp", "Mets.Durable", "a METS project it may not reference" },
        { "Mets.Local", "Microsoft.Azure.Functions.Worker.Core", "the Microsoft.Azure.Functions family is never referenced here" },
    };

    [Theory]
    [MemberData(nameof(PlantedViolations))]
    public void Checker_FindsAPlantedViolation(string project, string planted, string why)
    {
        var rule = Architecture.Projects.Single(p => p.Project == project);
        string[] allowed = ["System.Runtime", .. rule.MayReference];
        Assert.Empty(DependencyRules.Violations(rule, allowed));

        var violations = DependencyRules.Violations(rule, [.. allowed, planted]);

        Assert.Equal([$"{project} -> {planted} ({why})"], violations);
    }

    [Theory]
    [InlineData("Azure", "Azure", true)]
    [InlineData("Azure.Storage.Blobs", "Azure", true)]
    [InlineData("AzureFoo", "Azure", false)]
    [InlineData("Microsoft.Azure.Cosmos.Client", "Azure", false)]
    [InlineData("Mets.Domain", "Mets", true)]
    [InlineData("Metsys", "Mets", false)]
    public void Family_IsAPrefixEndingAtADot(string assembly, string family, bool expected) =>
        Assert.Equal(expected, DependencyRules.InFamily(assembly, family));
}
