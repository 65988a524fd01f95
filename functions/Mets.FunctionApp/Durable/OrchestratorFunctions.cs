using Mets.Domain.Engagements;
using Mets.Domain.Policy;
using Mets.Workflow.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Mets.FunctionApp.Durable;

/// <summary>
/// <see cref="EngagementOrchestrator"/> as a Durable Functions orchestrator function, under the name the workflow
/// registers and calls it by. Only delegates: the orchestrator class is the whole logic, the same as on the embedded engine.
/// The input is bound by the Durable extension's orchestration input converter (the instance's input, deserialized).
/// </summary>
public sealed class EngagementOrchestratorFunction(EngagementSchedule schedule)
{
    [Function(nameof(EngagementOrchestrator))]
    public Task<EngagementResult?> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context, EngagementState input) =>
        new EngagementOrchestrator(schedule).RunAsync(context, input);
}

/// <summary><see cref="ProviderOutreachOrchestrator"/> as a Durable Functions orchestrator function (only delegates).</summary>
public sealed class ProviderOutreachOrchestratorFunction(EngagementSchedule schedule)
{
    [Function(nameof(ProviderOutreachOrchestrator))]
    public Task<ProviderOutreachStatus> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context, OutreachInput input) =>
        new ProviderOutreachOrchestrator(schedule).RunAsync(context, input);
}
