using System.Reflection;

namespace Mets.Workflow.Tests;

/// <summary>Dependency direction from docs/architecture.md, checked on the compiled assembly.</summary>
public class DependencyRulesTests
{
    [Fact]
    public void Workflow_ReferencedAssemblies_FollowDependencyDirection()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.Workflow"));

        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? string.Empty)
            .Where(name => Forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(forbidden);
    }

    [Fact]
    public void Workflow_OrchestratorsAndServices_AreWrittenAgainstMicrosoftDurableTask()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.Workflow"));
        var references = assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Microsoft.DurableTask.Abstractions", references);
        Assert.Contains("Microsoft.DurableTask.Client", references);
        Assert.Equal(typeof(Microsoft.DurableTask.TaskOrchestrator<,>), typeof(Mets.Workflow.Orchestration.EngagementOrchestrator).BaseType!.GetGenericTypeDefinition());
    }

    private static readonly string[] Forbidden = ["Mets.Durable", "Mets.Api", "Mets.Azure", "Mets.Local", "Microsoft.AspNetCore", "Azure", "Microsoft.Azure", "SendGrid"];
}
