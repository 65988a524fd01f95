using System.Reflection;

namespace Mets.FunctionApp.Tests;

/// <summary>
/// Where the function app's real build output is: functions/Mets.FunctionApp/bin/{Configuration}/net10.0/ under the
/// repository root (the folder above this test assembly holding Serverless.sln), in the configuration this test
/// assembly was built in. Building the tests builds the app (project reference), so it is always there.
/// </summary>
internal static class FunctionAppBuild
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Configuration { get; } =
        typeof(FunctionAppBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string OutputFolder { get; } = Path.Combine(RepositoryRoot, "functions", "Mets.FunctionApp", "bin", Configuration, "net10.0");

    /// <summary>What the Functions host indexes: every function with its bindings.</summary>
    public static string MetadataPath => Path.Combine(OutputFolder, "functions.metadata");

    /// <summary>The host-side extensions the generated WorkerExtensions project restored.</summary>
    public static string ExtensionsFolder => Path.Combine(OutputFolder, ".azurefunctions");

    public static string RepositoryFile(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Serverless.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Serverless.sln) is not above the test assembly.");
    }
}
