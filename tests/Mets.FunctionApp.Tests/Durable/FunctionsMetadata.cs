using System.Reflection;
using System.Text.Json;

namespace Mets.FunctionApp.Tests.Durable;

/// <summary>One function of <c>functions.metadata</c>: its name and bindings (each binding's JSON object).</summary>
internal sealed record FunctionMetadataEntry(string Name, string EntryPoint, IReadOnlyList<JsonElement> Bindings)
{
    public JsonElement Trigger => Bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    public string TriggerType => Trigger.GetProperty("type").GetString()!;

    public string? TriggerProperty(string name) =>
        Trigger.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } found
            ? found.Value.GetString()
            : null;
}

/// <summary>
/// The function app's real build output: the <c>functions.metadata</c> the Functions worker SDK generates into
/// functions/Mets.FunctionApp/bin/{Configuration}/net10.0/ (what the Functions host indexes). Found from the repository
/// root (above this test assembly) and the configuration this test assembly was built in; the copy the build puts beside
/// the test assembly is the fallback.
/// </summary>
internal static class FunctionsMetadata
{
    public static string Path { get; } = Locate();

    public static IReadOnlyList<FunctionMetadataEntry> Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path));
        return [.. document.RootElement.EnumerateArray().Select(f => new FunctionMetadataEntry(
            f.GetProperty("name").GetString()!,
            f.GetProperty("entryPoint").GetString()!,
            [.. f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone())]))];
    }

    private static string Locate()
    {
        var configuration = typeof(FunctionsMetadata).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Serverless.sln")))
            {
                var built = System.IO.Path.Combine(folder.FullName, "functions", "Mets.FunctionApp", "bin", configuration, "net10.0", "functions.metadata");
                if (File.Exists(built))
                {
                    return built;
                }

                break;
            }
        }

        var beside = System.IO.Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        return File.Exists(beside)
            ? beside
            : throw new FileNotFoundException("functions.metadata was not found: build functions/Mets.FunctionApp first (the test project references it, so building the tests does).");
    }
}
