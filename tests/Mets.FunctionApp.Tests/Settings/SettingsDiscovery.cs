using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Tests.Settings;

/// <summary>
/// Finds the configuration keys a service container reads through its options: every options type with an
/// <see cref="IConfigureOptions{TOptions}"/> registered is materialized (each named instance too) over a configuration
/// whose highest-priority provider records every key the binder asks for and every section whose children it lists.
/// Nothing is hand-listed: a new option property, or a new options class, shows up by itself.
/// </summary>
internal static partial class SettingsDiscovery
{
    /// <summary>
    /// The keys read, in configuration form (<c>Mets:Workflow:DataFolder</c>), with list and dictionary entries
    /// folded to <c>*</c> (<c>Mets:Roster:Clinicians:*:Id</c>). <paramref name="values"/> should hold one example of
    /// each list so its element's keys are asked for too.
    /// </summary>
    public static SortedSet<string> KeysRead(Action<IServiceCollection, IConfiguration> compose, IReadOnlyDictionary<string, string?> values)
    {
        // The binder only looks inside a section that has children, so an options section absent from the values
        // would hide its properties: a second pass gives each such section (the first key an options type asks
        // for) an empty probe child. Only sections are probed: a probe under a scalar would be bound as an object.
        var (read, sections) = Read(compose, values);
        var probed = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
        foreach (var section in sections.Where(s => !read.Any(k => k.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase))))
        {
            probed[section + ":" + Probe] = string.Empty;
        }

        (read, _) = Read(compose, probed);

        // A section is not a setting: only the leaves (keys nothing else was read below) are.
        return new SortedSet<string>(
            read.Where(k => !k.EndsWith(":" + Probe, StringComparison.Ordinal))
                .Where(k => !read.Any(o => o.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase) && !o.EndsWith(":" + Probe, StringComparison.Ordinal)))
                .Select(Fold),
            StringComparer.OrdinalIgnoreCase);
    }

    private const string Probe = "__settings_probe";

    private static (HashSet<string> Read, HashSet<string> Sections) Read(Action<IServiceCollection, IConfiguration> compose, IReadOnlyDictionary<string, string?> values)
    {
        var recorder = new RecordingSource();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Add(recorder).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        compose(services, configuration);

        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var computedKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var provider = services.BuildServiceProvider();
        foreach (var optionsType in OptionsTypes(services))
        {
            foreach (var name in OptionsNames(provider, optionsType))
            {
                var monitor = provider.GetRequiredService(typeof(IOptionsMonitor<>).MakeGenericType(optionsType));
                var first = recorder.Provider.Asked.Count;
                try
                {
                    _ = monitor.GetType().GetMethod(nameof(IOptionsMonitor<object>.Get))!.Invoke(monitor, [name]);
                }
                catch (System.Reflection.TargetInvocationException failure) when (failure.InnerException is OptionsValidationException)
                {
                    // Validation failures: the binder has asked for its keys already.
                }

                if (recorder.Provider.Asked.Count > first)
                {
                    var section = recorder.Provider.Asked[first];
                    sections.Add(section);

                    // The binder also asks for get-only scalars (computed values such as a path made from a folder):
                    // no setting can set them, so they are not settings.
                    foreach (var computed in optionsType.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                                 .Where(p => !p.CanWrite && (p.PropertyType == typeof(string) || p.PropertyType.IsValueType)))
                    {
                        computedKeys.Add(section + ":" + computed.Name);
                    }
                }
            }
        }

        var read = new HashSet<string>(recorder.Provider.Asked, StringComparer.OrdinalIgnoreCase);
        read.ExceptWith(computedKeys);
        return (read, sections);
    }

    /// <summary><c>Mets__Roster__Clinicians__0__Id</c> or <c>Mets:Roster:Clinicians:0:Id</c> -> <c>Mets:Roster:Clinicians:*:Id</c>.</summary>
    public static string Fold(string key) => Index().Replace(key.Replace("__", ":", StringComparison.Ordinal), ":*$1");

    private static IEnumerable<Type> OptionsTypes(IServiceCollection services) =>
        services.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Namespace?.StartsWith("Mets.", StringComparison.Ordinal) == true || t.Name == "JwtBearerOptions")
            .Distinct();

    private static IEnumerable<string> OptionsNames(IServiceProvider provider, Type optionsType)
    {
        var configures = (IEnumerable<object>)provider.GetRequiredService(typeof(IEnumerable<>).MakeGenericType(typeof(IConfigureOptions<>).MakeGenericType(optionsType)));
        return configures
            .Select(c => c.GetType().GetProperty("Name")?.GetValue(c) as string)
            .Select(n => n ?? Options.DefaultName)
            .Append(Options.DefaultName)
            .Distinct(StringComparer.Ordinal);
    }

    // A list index or dictionary key segment: every segment after a collection is an element key; the binder lists
    // children for those, so they arrive as <parent>:<child> keys whose child is a number or a key from the values.
    [GeneratedRegex(@":\d+(:|$)")]
    private static partial Regex Index();

    private sealed class RecordingSource : IConfigurationSource
    {
        public RecordingProvider Provider { get; } = new();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;
    }

    private sealed class RecordingProvider : ConfigurationProvider
    {
        /// <summary>Every key asked for, in order (repeats included).</summary>
        public List<string> Asked { get; } = [];

        public override bool TryGet(string key, out string? value)
        {
            lock (Asked)
            {
                Asked.Add(key);
            }

            value = null;
            return false;
        }
    }
}
