using Mets.Workflow.Activities;
using Mets.Workflow.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Durable;

// One Durable Functions activity function per workflow activity, named as AddMetsTasks registers it (the name the
// orchestrators call). Each only hands its input to the workflow's TaskActivity class, resolved from the invocation's
// services, with a FunctionActivityContext (activity name + the calling instance id from the trigger's binding data).

/// <summary><see cref="StartEngagementActivity"/> as an activity function (only delegates).</summary>
public sealed class StartEngagementActivityFunction(StartEngagementActivity activity)
{
    [Function(nameof(StartEngagementActivity))]
    public Task<EngagementStarted> RunAsync([ActivityTrigger] StartEngagementRequest input, string instanceId) =>
        activity.RunAsync(new FunctionActivityContext(nameof(StartEngagementActivity), instanceId), input);
}

/// <summary><see cref="UpdateCaseActivity"/> as an activity function (only delegates).</summary>
public sealed class UpdateCaseActivityFunction(UpdateCaseActivity activity)
{
    [Function(nameof(UpdateCaseActivity))]
    public Task<bool> RunAsync([ActivityTrigger] CaseUpdateRequest input, string instanceId) =>
        activity.RunAsync(new FunctionActivityContext(nameof(UpdateCaseActivity), instanceId), input);
}

/// <summary><see cref="SendEmailActivity"/> as an activity function (only delegates).</summary>
public sealed class SendEmailActivityFunction(SendEmailActivity activity)
{
    [Function(nameof(SendEmailActivity))]
    public Task<bool> RunAsync([ActivityTrigger] EmailRequest input, string instanceId) =>
        activity.RunAsync(new FunctionActivityContext(nameof(SendEmailActivity), instanceId), input);
}

/// <summary><see cref="RunningOutreachActivity"/> as an activity function (only delegates).</summary>
public sealed class RunningOutreachActivityFunction(RunningOutreachActivity activity)
{
    [Function(nameof(RunningOutreachActivity))]
    public Task<Mets.Domain.Identifiers.OutreachId[]> RunAsync([ActivityTrigger] Mets.Domain.Identifiers.EngagementId input, string instanceId) =>
        activity.RunAsync(new FunctionActivityContext(nameof(RunningOutreachActivity), instanceId), input);
}

/// <summary><see cref="SendClosureSummariesActivity"/> as an activity function (only delegates).</summary>
public sealed class SendClosureSummariesActivityFunction(SendClosureSummariesActivity activity)
{
    [Function(nameof(SendClosureSummariesActivity))]
    public Task<int> RunAsync([ActivityTrigger] ClosureSummaryRequest input, string instanceId) =>
        activity.RunAsync(new FunctionActivityContext(nameof(SendClosureSummariesActivity), instanceId), input);
}

/// <summary>
/// <see cref="StartProviderOutreachActivity"/> as an activity function. The activity starts an instance, so it needs a
/// <see cref="DurableTaskClient"/>: the isolated worker gives one per invocation through <c>[DurableClient]</c>, handed
/// to <see cref="InvocationDurableClient"/> before the activity is resolved from the invocation's services.
/// </summary>
public sealed class StartProviderOutreachActivityFunction(InvocationDurableClient invocationClient)
{
    [Function(nameof(StartProviderOutreachActivity))]
    public Task<bool> RunAsync(
        [ActivityTrigger] OutreachInput input,
        string instanceId,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        invocationClient.Use(client);
        var activity = context.InstanceServices.GetRequiredService<StartProviderOutreachActivity>();
        return activity.RunAsync(new FunctionActivityContext(nameof(StartProviderOutreachActivity), instanceId), input);
    }
}
