using DurableTask.Core.Exceptions;
using Mets.Workflow.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Activities;

/// <summary>
/// Starts one provider's outreach (<see cref="ProviderOutreachOrchestrator"/>, instance id = the outreach id) as an
/// instance of its own, beside the engagement. Not a sub-orchestration on purpose: DurableTask.Core holds a
/// ContinueAsNew while any task the generation started is open, so outreach children running for weeks would keep
/// the engagement in its assessment generation (found by the lifecycle test on Microsoft's runtime). The outreach
/// reports to the engagement with events, and closure stops it with an event, so it needs no parent. Idempotent: an
/// outreach already started (a retried activity) is left as it is.
/// </summary>
public sealed partial class StartProviderOutreachActivity(DurableTaskClient client, ILogger<StartProviderOutreachActivity> logger)
    : TaskActivity<OutreachInput, bool>
{
    /// <summary>Every status: an outreach instance that exists in any state is never replaced.</summary>
    private static readonly string[] AnyStatus = [.. Enum.GetNames<OrchestrationRuntimeStatus>()];

    public override async Task<bool> RunAsync(TaskActivityContext context, OutreachInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var instanceId = input.OutreachId.Value;
        if (await client.GetInstanceAsync(instanceId).ConfigureAwait(false) is not null)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(ProviderOutreachOrchestrator), input, new StartOrchestrationOptions(instanceId) { DedupeStatuses = AnyStatus }).ConfigureAwait(false);
            LogStarted(logger, instanceId);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false; // started by a concurrent attempt
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outreach {OutreachId} started")]
    private static partial void LogStarted(ILogger logger, string outreachId);
}
