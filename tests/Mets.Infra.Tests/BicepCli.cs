using System.Diagnostics;
using System.Reflection;

namespace Mets.Infra.Tests;

/// <summary>Runs the real Bicep CLI (from the NuGet package Azure.Bicep.CommandLine.linux-x64) and other tools.</summary>
internal static class BicepCli
{
    public static string ExecutablePath { get; } =
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPath").Value
        ?? throw new InvalidOperationException("BicepPath metadata missing.");

    /// <summary>The folder holding Serverless.sln (found by the function app tests' locator, linked here).</summary>
    public static string RepositoryRoot => Mets.FunctionApp.Tests.FunctionAppBuild.RepositoryRoot;

    public static string InfraFolder { get; } = Path.Combine(RepositoryRoot, "infra");

    public static Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(arguments, null, null);

    public static Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException("The Bicep CLI was not restored; run `dotnet restore` on Mets.Infra.Tests.", ExecutablePath);
        }

        return Tool.RunAsync(ExecutablePath, arguments, environment, workingDirectory);
    }
}

/// <summary>What a process printed (stdout then stderr) and how it ended.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

internal static class Tool
{
    /// <summary>Runs a program to its end (two minutes at most) and collects its output.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
