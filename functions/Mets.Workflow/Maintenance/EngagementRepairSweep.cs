using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Maintenance;

/// <summary>What one repair sweep did: open engagements looked at, restarted, given up on now.</summary>
public sealed record RepairSweepResult(int OpenEngagements, int Restarted, int GaveUp);

/// <summary>
/// The periodic repair sweep (the function app's timer; the local host repairs at start with
/// <see cref="EngagementService.RepairMissingInstancesAsync"/>): every open engagement whose orchestration instance is
/// missing, failed or terminated is restarted from its case document, at most
/// <see cref="WorkflowOptions.MaxRepairAttempts"/> times while the case stays at the same step, so an instance that
/// fails every time is not restarted forever. Then it gives up once: an error log (engagement id only, no member data)
/// and the <see cref="WorkflowMetrics.RepairGaveUpName"/> metric; a person has to look (the API's step commands still
/// repair on demand).
/// <para>
/// The attempts are stored durably in the case store, on the case document itself, as change ids of otherwise empty
/// saves (<c>{id}:repair:{step}-{number}:{reviews}:{closure reviews}:{n}</c>, and <c>...:gave-up</c>): the store already keeps
/// change ids with the document in one write (the last 256 on Cosmos), so the count survives restarts and scale-out,
/// costs no new container or port method, and starts again at 1 when the case reaches another step (the restarted
/// instance made progress). An attempt is recorded before the instance is scheduled, so a crash in between counts an
/// attempt that did not happen rather than the other way round.
/// </para>
/// </summary>
public sealed partial class EngagementRepairSweep(
    ICaseStore store,
    DurableTaskClient client,
    EngagementService engagements,
    IOptions<WorkflowOptions> options,
    WorkflowMetrics metrics,
    ILogger<EngagementRepairSweep> logger)
{
    private const int MaxSaveAttempts = 5;

    public async Task<RepairSweepResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var max = options.Value.MaxRepairAttempts;
        var open = await store.ListOpenAsync(null, cancellationToken);
        int restarted = 0, gaveUp = 0;
        foreach (var listed in open)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var instance = await client.GetInstanceAsync(listed.Id.Value, cancellationToken);
            if (instance is { RuntimeStatus: not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated) })
            {
                continue;
            }

            var found = await store.GetAsync(listed.Id, cancellationToken);
            if (found is null || found.Status == EngagementStatus.Closed)
            {
                continue;
            }

            var key = AttemptKey(found);
            if (await store.HasAppliedAsync(found.Id, key + ":gave-up", cancellationToken))
            {
                LogStillGivenUp(found.Id);
                continue;
            }

            var attempts = 0;
            while (attempts < max && await store.HasAppliedAsync(found.Id, $"{key}:{attempts + 1}", cancellationToken))
            {
                attempts++;
            }

            var status = instance is null ? "Missing" : instance.RuntimeStatus.ToString();
            if (attempts >= max)
            {
                await RecordAsync(found, key + ":gave-up", cancellationToken);
                metrics.RepairGaveUp.Add(1);
                LogGaveUp(found.Id, attempts, status, found.CurrentStep.Step.Step, found.CurrentStep.Step.Number);
                gaveUp++;
                continue;
            }

            await RecordAsync(found, $"{key}:{attempts + 1}", cancellationToken);
            if (await engagements.EnsureInstanceAsync(found.Id, cancellationToken))
            {
                metrics.RepairRestarted.Add(1);
                LogRestarted(found.Id, status, attempts + 1, max);
                restarted++;
            }
        }

        LogSwept(open.Count, restarted, gaveUp);
        return new RepairSweepResult(open.Count, restarted, gaveUp);
    }

    /// <summary>Where the engagement stands: the attempts of one stand are counted together.</summary>
    internal static string AttemptKey(EngagementCase found) =>
        $"{found.Id}:repair:{found.CurrentStep.Step.Step}-{found.CurrentStep.Step.Number}:{found.ReviewsStarted}:{found.ClosureReviewsStarted}";

    /// <summary>Records <paramref name="changeId"/> on the case with an otherwise empty save (re-read on a concurrent write).</summary>
    private async Task RecordAsync(EngagementCase found, string changeId, CancellationToken cancellationToken)
    {
        var current = found;
        for (var attempt = 1; attempt <= MaxSaveAttempts; attempt++)
        {
            var saved = await store.SaveAsync(current, changeId, cancellationToken);
            if (saved.Outcome != CaseSaveOutcome.ConcurrencyConflict)
            {
                return;
            }

            current = await store.GetAsync(found.Id, cancellationToken)
                ?? throw new InvalidOperationException($"Engagement {found.Id} has no case document.");
        }

        throw new InvalidOperationException($"Engagement {found.Id} kept changing; the repair attempt was not recorded.");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Engagement {EngagementId}: instance {Status}; restarted from the case document (repair attempt {Attempt} of {Max} at this step)")]
    private partial void LogRestarted(EngagementId engagementId, string status, int attempt, int max);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Engagement {EngagementId}: instance {Status} after {Attempts} repair attempts at step {Step} {StepNumber}; the repair sweep gives up on it (restart it by hand once the cause is fixed)")]
    private partial void LogGaveUp(EngagementId engagementId, int attempts, string status, EngagementStep step, int stepNumber);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Engagement {EngagementId}: repair given up before; left alone")]
    private partial void LogStillGivenUp(EngagementId engagementId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Repair sweep: {Open} open engagements, {Restarted} restarted, {GaveUp} given up")]
    private partial void LogSwept(int open, int restarted, int gaveUp);
}
