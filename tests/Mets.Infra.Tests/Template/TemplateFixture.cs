using System.Text.Json.Nodes;

namespace Mets.Infra.Tests.Template;

/// <summary>
/// Compiles infra/main.bicep once for every test class of the collection: <c>bicep build</c> (the ARM JSON, nested
/// modules included as inline templates), <c>bicep lint</c>, and <c>bicep snapshot</c> of infra/main.bicepparam with
/// <see cref="TestParameters"/> (the CLI's own evaluation of the compiled template: parameters, variables, loops and
/// modules resolved into the list of resources a deployment would create; values known only in Azure, such as an
/// identity's client id, stay <c>[reference(...)]</c> expressions). The snapshot is taken in a temporary copy of
/// infra/, since the CLI writes it beside the parameters file.
/// </summary>
public sealed class TemplateFixture : IAsyncLifetime
{
    public ProcessResult Build { get; private set; } = null!;

    public ProcessResult Lint { get; private set; } = null!;

    public ProcessResult Snapshot { get; private set; } = null!;

    public DeploymentTemplate Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var work = Directory.CreateTempSubdirectory("mets-infra-");
        try
        {
            var infra = CopyInfra(work.FullName);
            var compiled = Path.Combine(work.FullName, "main.json");
            var build = BicepCli.RunAsync(["build", Path.Combine(BicepCli.InfraFolder, "main.bicep"), "--outfile", compiled], null, null);
            var lint = BicepCli.RunAsync(["lint", Path.Combine(BicepCli.InfraFolder, "main.bicep")], null, null);
            var snapshot = RunSnapshotAsync(infra);
            Build = await build;
            Lint = await lint;
            Snapshot = await snapshot;
            if (Build.ExitCode != 0 || Snapshot.ExitCode != 0)
            {
                throw new InvalidOperationException($"bicep build or snapshot failed:\n{Build.All}\n{Snapshot.All}");
            }

            Template = new DeploymentTemplate(
                JsonNode.Parse(await File.ReadAllTextAsync(compiled))!.AsObject(),
                JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(infra, "main.snapshot.json")))!.AsObject());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Copies infra/ (Bicep files, parameters, app settings, linter configuration) into <paramref name="folder"/>.</summary>
    public static string CopyInfra(string folder)
    {
        var target = Path.Combine(folder, "infra");
        foreach (var file in Directory.EnumerateFiles(BicepCli.InfraFolder, "*", SearchOption.AllDirectories)
                     .Where(f => !f.EndsWith(".snapshot.json", StringComparison.Ordinal)))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(BicepCli.InfraFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    /// <summary><c>bicep snapshot main.bicepparam</c> in <paramref name="infra"/> (writes main.snapshot.json there).</summary>
    public static Task<ProcessResult> RunSnapshotAsync(string infra) =>
        BicepCli.RunAsync(
            [
                "snapshot", Path.Combine(infra, "main.bicepparam"), "--mode", "overwrite",
                "--subscription-id", TestParameters.SubscriptionId, "--resource-group", TestParameters.ResourceGroup,
                "--location", TestParameters.Location,
            ],
            TestParameters.Environment,
            infra);
}

/// <summary>Every test class that reads the compiled template shares one <see cref="TemplateFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class CompiledTemplateGroup : ICollectionFixture<TemplateFixture>
{
    public const string Name = "compiled template";
}
