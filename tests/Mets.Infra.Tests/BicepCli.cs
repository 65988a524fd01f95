using System.Diagnostics;
using System.Reflection;

namespace Mets.Infra.Tests;

/// <summary>Runs the real Bicep CLI (from the NuGet package Azure.Bicep.CommandLine.linux-x64).</summary>
internal static class BicepCli
{
    public static string ExecutablePath { get; } =
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPath").Value
        ?? throw new InvalidOperationException("BicepPath metadata missing.");

    public static string InfraFolder { get; } = Path.Combine(RepositoryRoot(), "infra");

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException("The Bicep CLI was not restored; run `dotnet restore` on Mets.Infra.Tests.", ExecutablePath);
        }

        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root (Serverless.sln) not found.");
    }
}
