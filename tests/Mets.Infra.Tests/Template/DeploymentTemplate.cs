using System.Text.Json.Nodes;

namespace Mets.Infra.Tests.Template;

/// <summary>
/// The deployment as the tests read it: <see cref="Compiled"/>, the ARM JSON of <c>bicep build</c> (main and every
/// nested module template), and <see cref="Snapshot"/>, <c>bicep snapshot</c>'s predicted resources (one entry per
/// resource with its id, type, name and evaluated properties). Mutable JSON, so a test can copy it
/// (<see cref="Clone"/>), plant a flaw and show that a check sees it.
/// </summary>
public sealed class DeploymentTemplate(JsonObject compiled, JsonObject snapshot)
{
    public JsonObject Compiled { get; } = compiled;

    public JsonObject Snapshot { get; } = snapshot;

    public DeploymentTemplate Clone() => new(Compiled.DeepClone().AsObject(), Snapshot.DeepClone().AsObject());

    /// <summary>Every resource the deployment creates, in deployment order.</summary>
    public JsonArray PredictedResources => Snapshot["predictedResources"]!.AsArray();

    /// <summary>The predicted resources of one type (case-insensitive, as ARM compares types).</summary>
    public IEnumerable<JsonObject> Resources(string type) =>
        PredictedResources.Select(r => r!.AsObject()).Where(r => string.Equals(r.Str("type"), type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The predicted resource whose id is <paramref name="id"/>, or null.</summary>
    public JsonObject? ById(string id) =>
        PredictedResources.Select(r => r!.AsObject()).FirstOrDefault(r => string.Equals(r.Str("id"), id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Removes the predicted resources that match (returns how many), to plant a missing-resource flaw.</summary>
    public int Remove(Func<JsonObject, bool> match)
    {
        var doomed = PredictedResources.Where(r => match(r!.AsObject())).ToList();
        foreach (var node in doomed)
        {
            PredictedResources.Remove(node);
        }

        return doomed.Count;
    }

    /// <summary>The app settings of the function app (the 'appsettings' config resource).</summary>
    public JsonObject AppSettings =>
        Resources("Microsoft.Web/sites/config").Single(r => r.Str("name")!.EndsWith("/appsettings", StringComparison.OrdinalIgnoreCase))["properties"]!.AsObject();

    /// <summary>
    /// The compiled templates: main and, walking the inline templates of nested deployments
    /// (<c>Microsoft.Resources/deployments</c>) to any depth, every module's.
    /// </summary>
    public IEnumerable<(string Path, JsonObject Template)> CompiledTemplates() => Walk("main", Compiled);

    /// <summary>The compiled resources of one type in any of <see cref="CompiledTemplates"/>.</summary>
    public IEnumerable<JsonObject> CompiledResources(string type) =>
        CompiledTemplates().SelectMany(t => ResourcesOf(t.Template))
            .Where(r => string.Equals(r.Str("type"), type, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<(string Path, JsonObject Template)> Walk(string path, JsonObject template)
    {
        yield return (path, template);
        foreach (var resource in ResourcesOf(template))
        {
            if (string.Equals(resource.Str("type"), "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase)
                && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Walk($"{path}/{resource.Str("name")}", nested))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A template's resources: an array, or (languageVersion 2.0) an object keyed by symbolic name.</summary>
    private static IEnumerable<JsonObject> ResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject symbolic => symbolic.Select(p => p.Value).OfType<JsonObject>(),
        _ => [],
    };
}

internal static class JsonExtensions
{
    /// <summary>The string at <paramref name="property"/> (null when absent or not a string).</summary>
    public static string? Str(this JsonNode? node, string property) =>
        node is JsonObject o && o[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The string value of a node (null when it is not one).</summary>
    public static string? Str(this JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>True only for the JSON literal <c>true</c>/<c>false</c> equal to <paramref name="expected"/> (absent is not).</summary>
    public static bool Is(this JsonNode? node, bool expected) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b == expected;

    /// <summary>The node at a dotted path of property names (null when any step is missing).</summary>
    public static JsonNode? At(this JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }
}
