using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Microsoft.DurableTask;

namespace Mets.Workflow.Activities;

/// <summary>
/// The outreach the case document shows still running, which the closure stops and waits for. An outreach records
/// each status on the case before it reports it to the engagement, so the case is never behind the outreach: one the
/// case shows ended will send no further report, and one it shows running will report how it ends.
/// </summary>
public sealed class RunningOutreachActivity(ICaseStore store) : TaskActivity<EngagementId, OutreachId[]>
{
    public override async Task<OutreachId[]> RunAsync(TaskActivityContext context, EngagementId input)
    {
        var found = await store.GetAsync(input)
            ?? throw new InvalidOperationException($"Engagement {input} has no case document.");
        return [.. found.Outreach.Where(o => o.IsRunning).Select(o => o.Id).OrderBy(o => o.Value, StringComparer.Ordinal)];
    }
}
