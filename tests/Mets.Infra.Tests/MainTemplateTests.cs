using System.Text.Json;

namespace Mets.Infra.Tests;

public class MainTemplateTests
{
    [Fact]
    public async Task Build_MainBicep_ProducesArmTemplate()
    {
        var outFile = Path.Combine(Path.GetTempPath(), $"mets-main-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await BicepCli.RunAsync("build", Path.Combine(BicepCli.InfraFolder, "main.bicep"), "--outfile", outFile);

            Assert.True(exitCode == 0, output);
            using var template = JsonDocument.Parse(await File.ReadAllTextAsync(outFile));
            Assert.Contains("deploymentTemplate.json", template.RootElement.GetProperty("$schema").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outFile);
        }
    }

    [Fact]
    public async Task Lint_MainBicep_HasNoErrors()
    {
        var (exitCode, output) = await BicepCli.RunAsync("lint", Path.Combine(BicepCli.InfraFolder, "main.bicep"));

        Assert.True(exitCode == 0, output);
    }
}
