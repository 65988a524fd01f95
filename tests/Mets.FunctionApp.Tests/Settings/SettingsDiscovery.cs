using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Tests.Settings;

/// <summary>
/// Finds the configuration keys a service container reads through its options: every options type with an
/// <see cref="IConfigureOptions{TOptions}"/> registered is materialized (each named instance too) over a configuration
/// whose highest-priority provider records every key the binder asks for. Nothing is hand-listed: a new option
/// property, or a new options class, shows up by itself. Also compiled into Mets.Infra.Tests (linked), which checks
/// the deployment template's app settings with it.
/// </summary>
internal static class SettingsDiscovery
{
    /// <summary>
    /// The keys read, in configuration form (<c>Mets:Workflow:DataFolder</c>), with list and dictionary entries
    /// folded to <c>*</c> (<c>Mets:Roster:Clinicians:*:Id</c>, <c>Mets:ProviderLinks:Keys:*</c>). <paramref name="values"/>
    /// should hold one example of each list so its element's keys are asked for too, and every optional section a
    /// composition only registers options for when it is present.
    /// </summary>
    public static SettingsRead KeysRead(Action<IServiceCollection, IConfiguration> compose, IReadOnlyDictionary<string, string?> values)
    {
        // The binder only looks inside a section that has children, so an options section absent from the values
        // would hide its properties: a second pass gives each such section (the first key an options type asks
        // for) an empty probe child. Only sections are probed: a probe under a scalar would be bound as an object.
        var first = Read(compose, values);
        var probed = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
        foreach (var section in first.Sections.Where(s => !first.Asked.Any(k => k.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase))))
        {
            probed[section + ":" + Probe] = string.Empty;
        }

        var (read, _, collections, options) = Read(compose, probed);

        // A section is not a setting: only the leaves (keys nothing else was read below) are.
        var leaves = read.Where(k => !k.EndsWith(":" + Probe, StringComparison.Ordinal))
            .Where(k => !read.Any(o => o.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase) && !o.EndsWith(":" + Probe, StringComparison.Ordinal)));
        return new SettingsRead(leaves, collections, options);
    }

    private const string Probe = "__settings_probe";

    private static (HashSet<string> Asked, HashSet<string> Sections, HashSet<string> Collections, List<(string Section, Type Type)> Options) Read(Action<IServiceCollection, IConfiguration> compose, IReadOnlyDictionary<string, string?> values)
    {
        var recorder = new RecordingSource();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Add(recorder).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        compose(services, configuration);

        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var collections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var computedKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var options = new List<(string Section, Type Type)>();
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
                catch (TargetInvocationException failure) when (failure.InnerException is OptionsValidationException)
                {
                    // Validation failures: the binder has asked for its keys already.
                }

                if (recorder.Provider.Asked.Count > first)
                {
                    var section = recorder.Provider.Asked[first];
                    sections.Add(section);
                    options.Add((section, optionsType));
                    AddCollections(optionsType, section, collections, depth: 0);

                    // The binder also asks for get-only scalars (computed values such as a path made from a folder):
                    // no setting can set them, so they are not settings.
                    foreach (var computed in optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                                 .Where(p => !p.CanWrite && (p.PropertyType == typeof(string) || p.PropertyType.IsValueType)))
                    {
                        computedKeys.Add(section + ":" + computed.Name);
                    }
                }
            }
        }

        var read = new HashSet<string>(recorder.Provider.Asked, StringComparer.OrdinalIgnoreCase);
        read.ExceptWith(computedKeys);
        return (read, sections, collections, options);
    }

    /// <summary>
    /// The list and dictionary properties under an options section, by the options type's shape (their entries are
    /// named by the values, not by the type): <c>Mets:Roster:Clinicians</c>, <c>Mets:ProviderLinks:Keys</c>. Only the
    /// app's own types are walked into.
    /// </summary>
    private static void AddCollections(Type type, string path, HashSet<string> collections, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var propertyPath = path + ":" + property.Name;
            if (ElementType(property.PropertyType) is { } element)
            {
                collections.Add(propertyPath);
                if (IsAppObject(element))
                {
                    AddCollections(element, propertyPath + ":*", collections, depth + 1);
                }
            }
            else if (IsAppObject(property.PropertyType))
            {
                AddCollections(property.PropertyType, propertyPath, collections, depth + 1);
            }
        }
    }

    private static bool IsAppObject(Type type) => type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Mets.", StringComparison.Ordinal) == true;

    /// <summary>The element (list, array, set) or value (dictionary) type the binder fills from child sections; null for anything else.</summary>
    private static Type? ElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        var generic = interfaces.Where(i => i.IsGenericType).ToList();
        return generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))?.GetGenericArguments()[1]
            ?? generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

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

/// <summary>
/// What <see cref="SettingsDiscovery"/> found: the keys read as patterns (<see cref="Keys"/>), and how to put a
/// setting's name (<c>Mets__Roster__Clinicians__0__Id</c> or <c>Mets:ProviderLinks:Keys:k1</c>) in that form.
/// </summary>
internal sealed class SettingsRead
{
    private readonly HashSet<string> _collections;

    public SettingsRead(IEnumerable<string> keys, IEnumerable<string> collections, IEnumerable<(string Section, Type Type)> options)
    {
        _collections = new HashSet<string>(collections, StringComparer.OrdinalIgnoreCase);
        Keys = new SortedSet<string>(keys.Select(Pattern), StringComparer.OrdinalIgnoreCase);
        Options = [.. options.Distinct()];
    }

    /// <summary>Every key read, entries of lists and dictionaries as <c>*</c>.</summary>
    public SortedSet<string> Keys { get; }

    /// <summary>Each options type that read settings, with the section it is bound from (<c>Mets:Policy</c>).</summary>
    public IReadOnlyList<(string Section, Type Type)> Options { get; }

    /// <summary>
    /// <paramref name="key"/> in configuration form, each list or dictionary entry as <c>*</c>: an entry is a segment
    /// under a collection property of an options type, or a number (a list index anywhere).
    /// </summary>
    public string Pattern(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var folded = new List<string>();
        foreach (var segment in key.Replace("__", ":", StringComparison.Ordinal).Split(':'))
        {
            var entry = folded.Count > 0 && (_collections.Contains(string.Join(':', folded)) || (segment.Length > 0 && segment.All(char.IsAsciiDigit)));
            folded.Add(entry ? "*" : segment);
        }

        return string.Join(':', folded);
    }

    /// <summary>Whether a setting of this name is read (in either form).</summary>
    public bool Reads(string key) => Keys.Contains(Pattern(key));
}
