using System.Reflection;

namespace Mets.FunctionApp.Tests;

/// <summary>Dependency direction from docs/architecture.md, checked on the compiled assembly.</summary>
public class DependencyRulesTests
{
    [Fact]
    public void FunctionApp_ReferencedAssemblies_NeverTheEmbeddedEngineOrTheLocalHost()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.FunctionApp"));

        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(name => name.StartsWith("Mets.Durable", StringComparison.Ordinal) || name.StartsWith("Mets.Local", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(forbidden);
    }
}
