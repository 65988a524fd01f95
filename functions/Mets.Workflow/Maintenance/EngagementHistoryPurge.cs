using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Mets.Workflow.Orchestration;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Maintenance;

/// <summary>What one purge did: engagements whose history went, and how many instances that was (outreach included).</summary>
public sealed record HistoryPurgeResult(int Engagements, int Instances);

/// <summary>
/// Purges the orchestration history of engagements closed longer than <see cref="WorkflowOptions.HistoryRetention"/>
/// (the function app's daily timer): the engagement's instance and each provider outreach instance of it (instance id
/// = outreach id, from the case document). The case document stays: it is what a person reads, and the timeline is in
/// it. Selection, so nothing open or recently closed is touched: the backend's terminal instances (Completed, Failed,
/// Terminated) named <see cref="EngagementOrchestrator"/>, created and last updated before the cutoff, whose case
/// document is Closed with its closure before the cutoff too. A failed or terminated instance of an open case is the
/// repair sweep's, never purged.
/// </summary>
public sealed partial class EngagementHistoryPurge(
    ICaseStore store,
    DurableTaskClient client,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    WorkflowMetrics metrics,
    ILogger<EngagementHistoryPurge> logger)
{
    private static readonly OrchestrationRuntimeStatus[] Terminal =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    public async Task<HistoryPurgeResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = time.GetUtcNow() - options.Value.HistoryRetention;
        var candidates = new List<string>();
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery(CreatedTo: cutoff, Statuses: Terminal)).WithCancellation(cancellationToken))
        {
            if (string.Equals(instance.Name, nameof(EngagementOrchestrator), StringComparison.OrdinalIgnoreCase)
                && Terminal.Contains(instance.RuntimeStatus)
                && instance.LastUpdatedAt <= cutoff)
            {
                candidates.Add(instance.InstanceId);
            }
        }

        int engagements = 0, instances = 0;
        foreach (var instanceId in candidates)
        {
            if (!EngagementId.TryParse(instanceId, out var id))
            {
                continue;
            }

            var found = await store.GetAsync(id, cancellationToken);
            if (found is not { Status: EngagementStatus.Closed } || (found.Outcome?.ClosedAt ?? found.UpdatedAt) > cutoff)
            {
                LogKept(id);
                continue;
            }

            var purged = 0;
            foreach (var outreach in found.Outreach)
            {
                purged += (await client.PurgeInstanceAsync(outreach.Id.Value, options: null, cancellationToken)).PurgedInstanceCount;
            }

            purged += (await client.PurgeInstanceAsync(instanceId, options: null, cancellationToken)).PurgedInstanceCount;
            metrics.HistoryPurged.Add(purged);
            LogPurged(id, purged);
            engagements++;
            instances += purged;
        }

        LogDone(engagements, instances, options.Value.HistoryRetention.TotalDays);
        return new HistoryPurgeResult(engagements, instances);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Engagement {EngagementId}: orchestration history purged ({Instances} instances); the case document stays")]
    private partial void LogPurged(EngagementId engagementId, int instances);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Engagement {EngagementId}: instance ended before the cutoff but the case is not closed that long; history kept")]
    private partial void LogKept(EngagementId engagementId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "History purge: {Engagements} engagements closed more than {RetentionDays} days ago, {Instances} instances purged")]
    private partial void LogDone(int engagements, int instances, double retentionDays);
}
