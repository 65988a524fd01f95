using System.Reflection;

namespace Mets.Azure.Tests;

/// <summary>Dependency direction from docs/architecture.md, checked on the compiled assembly.</summary>
public class DependencyRulesTests
{
    [Fact]
    public void Azure_ReferencedAssemblies_FollowDependencyDirection()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.Azure"));

        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(name => Forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(forbidden);
    }

    private static readonly string[] Forbidden = ["Mets.Api", "Mets.Local", "Microsoft.AspNetCore"];
}
