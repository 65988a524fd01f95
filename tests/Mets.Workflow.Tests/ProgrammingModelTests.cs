using System.Reflection;

namespace Mets.Workflow.Tests;

/// <summary>
/// The workflow is written against Microsoft.DurableTask itself (ADR 002). Which assemblies it may reference at all is
/// checked with every other project's in Mets.Architecture.Tests.
/// </summary>
public class ProgrammingModelTests
{
    [Fact]
    public void Workflow_OrchestratorsAndServices_AreWrittenAgainstMicrosoftDurableTask()
    {
        var assembly = Assembly.Load(new AssemblyName("Mets.Workflow"));
        var references = assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Microsoft.DurableTask.Abstractions", references);
        Assert.Contains("Microsoft.DurableTask.Client", references);
        Assert.Equal(typeof(Microsoft.DurableTask.TaskOrchestrator<,>), typeof(Mets.Workflow.Orchestration.EngagementOrchestrator).BaseType!.GetGenericTypeDefinition());
    }
}
