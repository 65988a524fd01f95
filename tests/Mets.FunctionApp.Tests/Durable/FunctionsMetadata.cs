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
/// functions/Mets.FunctionApp/bin/{Configuration}/net10.0/ (what the Functions host indexes; <see cref="FunctionAppBuild"/>).
/// </summary>
internal static class FunctionsMetadata
{
    public static string Path => FunctionAppBuild.MetadataPath;

    public static IReadOnlyList<FunctionMetadataEntry> Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path));
        return [.. document.RootElement.EnumerateArray().Select(f => new FunctionMetadataEntry(
            f.GetProperty("name").GetString()!,
            f.GetProperty("entryPoint").GetString()!,
            [.. f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone())]))];
    }
}
