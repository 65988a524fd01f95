using Microsoft.DurableTask;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Activities;

/// <summary>
/// Applies one <see cref="CaseUpdate"/> to the latest case document with optimistic concurrency
/// (re-reads and retries on an ETag conflict). The change id is stored with the write, so a retried
/// activity never applies the same change twice. Returns false when the change had been applied. A save that is due
/// anchors the timeline's head (<see cref="TimelineAnchoring"/>).
/// </summary>
public sealed partial class UpdateCaseActivity(ICaseStore store, TimelineAnchoring anchoring, ILogger<UpdateCaseActivity> logger) : TaskActivity<CaseUpdateRequest, bool>
{
    public const int MaxConcurrencyRetries = 20;

    public override async Task<bool> RunAsync(TaskActivityContext context, CaseUpdateRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        for (var attempt = 1; attempt <= MaxConcurrencyRetries; attempt++)
        {
            if (await store.HasAppliedAsync(input.EngagementId, input.ChangeId))
            {
                return false;
            }

            var current = await store.GetAsync(input.EngagementId)
                ?? throw new InvalidOperationException($"Engagement {input.EngagementId} has no case document.");
            var details = input.Update is AssessmentApplied ? await store.GetAssessmentDetailsAsync(input.EngagementId) : null;
            Mets.Domain.Referrals.Referral? attached = null;
            if (input.Update is ReferralAttachment attachment)
            {
                attached = await store.GetReferralAsync(attachment.ReferralId);
            }

            var updated = CaseUpdateRules.Apply(current, input.Update, _ => attached, details);
            var saved = await store.SaveAsync(updated, input.ChangeId);
            switch (saved.Outcome)
            {
                case CaseSaveOutcome.Saved:
                    LogApplied(input.EngagementId.Value, input.Update.GetType().Name);
                    await anchoring.AfterSaveAsync(current.Timeline.Count, saved.Case!);
                    return true;
                case CaseSaveOutcome.AlreadyApplied:
                    return false;
            }
        }

        throw new InvalidOperationException($"Engagement {input.EngagementId} kept changing; the case update was not applied after {MaxConcurrencyRetries} attempts.");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Engagement {EngagementId}: applied {Change}")]
    private partial void LogApplied(string engagementId, string change);
}
