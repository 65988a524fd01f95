using System.Reflection;
using Mets.Azure.ClaimsStorage;
using Mets.Domain.Policy;
using Mets.FunctionApp.Claims;
using Mets.FunctionApp.Maintenance;
using Mets.Workflow;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Tests.Durable;

/// <summary>
/// What the Functions host will index: the generated functions.metadata of the real build has a function for every
/// orchestrator and activity the workflow registers (AddMetsTasks: a new activity without a function fails here), each
/// once, with its trigger, plus the claims blob trigger (Event Grid source, inbox container) and the two timers.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly IReadOnlyList<FunctionMetadataEntry> Functions = FunctionsMetadata.Read();

    /// <summary>The names the workflow registers its tasks under (the names orchestrators call each other and activities by).</summary>
    private static (IReadOnlyList<string> Orchestrators, IReadOnlyList<string> Activities) WorkflowTasks()
    {
        var registry = new DurableTaskRegistry().AddMetsTasks(new EngagementSchedule(new EngagementPolicy()));
        return (Names(registry, "Orchestrators"), Names(registry, "Activities"));
    }

    /// <summary>DurableTaskRegistry keeps its entries internal; the Durable extension reads them the same way.</summary>
    private static List<string> Names(DurableTaskRegistry registry, string property)
    {
        var entries = (System.Collections.IEnumerable)typeof(DurableTaskRegistry)
            .GetProperty(property, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(registry)!;
        return [.. entries.Cast<object>().Select(e => e.GetType().GetProperty("Key")!.GetValue(e)!.ToString()!).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Metadata_IsTheAppsBuildOutput()
    {
        Assert.True(File.Exists(FunctionsMetadata.Path), FunctionsMetadata.Path);
        Assert.All(Functions, f => Assert.StartsWith("Mets.FunctionApp.", f.EntryPoint, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryWorkflowOrchestrator_HasOneOrchestrationTriggerFunctionOfItsName()
    {
        var (orchestrators, _) = WorkflowTasks();

        Assert.Equal(["EngagementOrchestrator", "ProviderOutreachOrchestrator"], orchestrators);
        Assert.Equal(orchestrators, Functions.Where(f => f.TriggerType == "orchestrationTrigger").Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryWorkflowActivity_HasOneActivityTriggerFunctionOfItsName()
    {
        var (_, activities) = WorkflowTasks();

        Assert.Equal(["RunningOutreachActivity", "SendClosureSummariesActivity", "SendEmailActivity", "StartEngagementActivity", "StartProviderOutreachActivity", "UpdateCaseActivity"], activities);
        Assert.Equal(activities, Functions.Where(f => f.TriggerType == "activityTrigger").Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FunctionNames_AreUnique_NoGeneratedDuplicates()
    {
        Assert.Equal(Functions.Count, Functions.Select(f => f.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Microsoft.DurableTask.Generators");
    }

    [Fact]
    public void ClaimsBlobFunction_IsAnEventGridBlobTriggerOnTheInboxContainer()
    {
        var blob = Assert.Single(Functions, f => f.TriggerType == "blobTrigger");

        Assert.Equal(ClaimsBlobFunction.FunctionName, blob.Name);
        Assert.Equal("%ClaimsStorage:Container%/{name}", blob.TriggerProperty("path"));
        Assert.Equal("EventGrid", blob.TriggerProperty("source"));
        Assert.Equal("ClaimsStorage", blob.TriggerProperty("connection"));
        Assert.Contains(blob.Bindings, b => b.GetProperty("type").GetString() == "durableClient");
    }

    [Fact]
    public void TimerFunctions_HaveTheirScheduleSettings()
    {
        var timers = Functions.Where(f => f.TriggerType == "timerTrigger").ToDictionary(f => f.Name, f => f.TriggerProperty("schedule"));

        Assert.Equal(4, timers.Count);
        Assert.Equal("%Mets:Workflow:RepairSweepSchedule%", timers[EngagementRepairSweepFunction.FunctionName]);
        Assert.Equal("%Mets:Workflow:HistoryPurgeSchedule%", timers[EngagementHistoryPurgeFunction.FunctionName]);
        Assert.Equal("%Mets:Audit:AnchorSweepSchedule%", timers[TimelineAnchorSweepFunction.FunctionName]);
        Assert.Equal("%Mets:ProviderFeedback:Schedule%", timers[ProviderFeedbackFunction.FunctionName]);
        // The repair and the purge use the engine; the anchor sweep and the provider feedback read cases only.
        Assert.All(Functions.Where(f => f.TriggerType == "timerTrigger" && f.Name is not (TimelineAnchorSweepFunction.FunctionName or ProviderFeedbackFunction.FunctionName)),
            f => Assert.Contains(f.Bindings, b => b.GetProperty("type").GetString() == "durableClient"));
    }

    [Fact]
    public void ActivityNeedingAClient_DeclaresDurableClient()
    {
        var outreach = Assert.Single(Functions, f => f.Name == "StartProviderOutreachActivity");

        Assert.Contains(outreach.Bindings, b => b.GetProperty("type").GetString() == "durableClient");
    }

    [Fact]
    public void ReflectedFunctions_MatchTheMetadata()
    {
        // The classes the lifecycle test runs are the ones the host indexes.
        Assert.Equal(
            Functions.Where(f => f.TriggerType is "orchestrationTrigger" or "activityTrigger" or "blobTrigger" or "timerTrigger").Select(f => f.Name).Order(StringComparer.Ordinal),
            AppFunctions.All.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AppComposition_RegistersNoDurableTasks_SoTheExtensionAddsNoFunctionsOfItsOwn()
    {
        // Durable extension 1.21 turns tasks in the worker's DurableTaskRegistry into functions of its own
        // (DurableMetadataTransformer); the app's [Function] classes are the only ones.
        await using var app = await FunctionAppHost.StartAsync();
        var registry = app.Provider.GetRequiredService<IOptionsMonitor<DurableTaskRegistry>>().Get(Options.DefaultName);

        Assert.Empty(Names(registry, "Orchestrators"));
        Assert.Empty(Names(registry, "Activities"));
        Assert.DoesNotContain(app.Provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is BlobClaimsInboxWorker);
    }
}
