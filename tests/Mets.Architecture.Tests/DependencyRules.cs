using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Mets.Architecture.Tests;

/// <summary>Checks one assembly's references against its <see cref="ProjectRule"/>.</summary>
internal static class DependencyRules
{
    private const string MetsFamily = "Mets";

    /// <summary>Every reference the rule does not allow, each with the reason, e.g. <c>Mets.Domain -&gt; Mets.Workflow (a METS project it may not reference)</c>.</summary>
    public static IReadOnlyList<string> Violations(ProjectRule rule, IEnumerable<string> references)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var violations = new List<string>();
        foreach (var reference in references.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var why = InFamily(reference, MetsFamily)
                ? rule.MayReference.Contains(reference, StringComparer.Ordinal) ? null : "a METS project it may not reference"
                : rule.NeverFamilies.FirstOrDefault(f => InFamily(reference, f)) is { } never ? $"the {never} family is never referenced here"
                : rule.OnlyFamilies is { } only && !only.Any(f => InFamily(reference, f)) ? $"only {string.Join(", ", only)} may be referenced here"
                : null;
            if (why is not null)
            {
                violations.Add($"{rule.Project} -> {reference} ({why})");
            }
        }

        return violations;
    }

    /// <summary>Whether <paramref name="assemblyName"/> is <paramref name="family"/> or starts with it and a dot.</summary>
    public static bool InFamily(string assemblyName, string family) =>
        string.Equals(assemblyName, family, StringComparison.Ordinal)
        || (assemblyName.StartsWith(family, StringComparison.Ordinal) && assemblyName.Length > family.Length && assemblyName[family.Length] == '.');

    /// <summary>The names of the assemblies a compiled assembly references, read from its metadata (the file is not loaded).</summary>
    public static IReadOnlyList<string> ReferencesOf(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return [.. metadata.AssemblyReferences.Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))];
    }
}
