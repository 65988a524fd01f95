using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Mets.FunctionApp.Tests.Hosting;

/// <summary>
/// host.json's <c>extensions.durableTask</c> section is read by the host-side extension
/// (Microsoft.Azure.WebJobs.Extensions.DurableTask), the version the app's generated WorkerExtensions project restores
/// into the build output's .azurefunctions folder. Every option set there must be a property of that version's
/// DurableTaskOptions (the host ignores unknown ones silently), read from the real assembly.
/// </summary>
public class HostJsonTests
{
    private const string ExtensionAssembly = "Microsoft.Azure.WebJobs.Extensions.DurableTask";

    [Fact]
    public void DurableTaskSection_EveryOptionIsAPropertyOfTheRestoredExtensionsOptions()
    {
        using var context = LoadExtension(out var extension);
        var optionsType = extension.GetType(ExtensionAssembly + ".DurableTaskOptions", throwOnError: true)!;

        var unknown = Unknown(optionsType, DurableTaskSection(), "extensions.durableTask").ToList();

        Assert.True(unknown.Count == 0, "host.json sets options the restored Durable extension does not have: " + string.Join(", ", unknown));
    }

    [Fact]
    public void DurableTaskSection_AMisspelledOptionIsCaught()
    {
        // The check itself can fail: a misspelling of a real option is reported.
        using var context = LoadExtension(out var extension);
        var optionsType = extension.GetType(ExtensionAssembly + ".DurableTaskOptions", throwOnError: true)!;
        using var misspelled = JsonDocument.Parse("""{ "maxConcurrentActivityFunction": 10, "tracing": { "traceInputAndOutputs": false } }""");

        var unknown = Unknown(optionsType, misspelled.RootElement, "extensions.durableTask").ToList();

        Assert.Equal(["extensions.durableTask.maxConcurrentActivityFunction", "extensions.durableTask.tracing.traceInputAndOutputs"], unknown);
    }

    [Fact]
    public void DurableTaskSection_HubNameComesFromTheSetting()
    {
        Assert.Equal("%METS_TASK_HUB%", DurableTaskSection().GetProperty("hubName").GetString());
    }

    /// <summary>Options named in <paramref name="section"/> that <paramref name="type"/> has no public property for (case-insensitive, as the host binds).</summary>
    private static IEnumerable<string> Unknown(Type type, JsonElement section, string path)
    {
        foreach (var option in section.EnumerateObject())
        {
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => string.Equals(p.Name, option.Name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                yield return $"{path}.{option.Name}";
            }
            else if (option.Value.ValueKind == JsonValueKind.Object && !IsDictionary(property.PropertyType))
            {
                foreach (var nested in Unknown(property.PropertyType, option.Value, $"{path}.{option.Name}"))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsDictionary(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName is "System.Collections.Generic.IDictionary`2" or "System.Collections.Generic.Dictionary`2";

    private static JsonElement DurableTaskSection()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FunctionAppBuild.RepositoryFile("host.json")));
        return document.RootElement.GetProperty("extensions").GetProperty("durableTask").Clone();
    }

    private static MetadataLoadContext LoadExtension(out Assembly extension)
    {
        var folder = FunctionAppBuild.ExtensionsFolder;
        var path = Path.Combine(folder, ExtensionAssembly + ".dll");
        Assert.True(File.Exists(path), $"The function app's build output has no {ExtensionAssembly}.dll under {folder}: the generated WorkerExtensions project did not restore the Durable extension.");
        var assemblies = Directory.GetFiles(folder, "*.dll").Concat(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        var context = new MetadataLoadContext(new PathAssemblyResolver(assemblies.DistinctBy(Path.GetFileName)));
        extension = context.LoadFromAssemblyPath(path);
        return context;
    }
}
