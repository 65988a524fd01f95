using System.Reflection;

namespace Mets.Durable.Tests;

/// <summary>Dependency direction from docs/architecture.md, checked on the compiled assembly.</summary>
public class DependencyRulesTests
{
    [Fact]
    public void Durable_ReferencedAssemblies_FollowDependencyDirection()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.Durable"));

        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(name => Forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(forbidden);
    }

    private static readonly string[] Forbidden = ["Mets.", "Microsoft.AspNetCore", "Azure", "Microsoft.Azure", "SendGrid"];
}
