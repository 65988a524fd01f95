using System.Reflection;

namespace Mets.Api.Tests;

/// <summary>Dependency direction from docs/architecture.md, checked on the compiled assembly.</summary>
public class DependencyRulesTests
{
    [Fact]
    public void Api_ReferencedAssemblies_FollowDependencyDirection()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.Api"));

        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(name => Forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(forbidden);
    }

    private static readonly string[] Forbidden = ["Mets.Durable", "Mets.Azure", "Mets.Local", "Azure", "Microsoft.Azure", "SendGrid"];
}
