using Microsoft.DurableTask;
using Mets.Workflow.Cases;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Activities;

/// <summary>
/// Applies one <see cref="CaseUpdate"/> to the latest case document through <see cref="CaseEditor"/> (optimistic
/// concurrency, re-read and retry on an ETag conflict; the change id is stored with the write, so a retried activity
/// never applies the same change twice; a save that is due anchors the timeline's head). Returns false when the change
/// had been applied.
/// </summary>
public sealed partial class UpdateCaseActivity(CaseEditor editor, ICaseStore store, ILogger<UpdateCaseActivity> logger) : TaskActivity<CaseUpdateRequest, bool>
{
    public const int MaxConcurrencyRetries = 20;

    public override async Task<bool> RunAsync(TaskActivityContext context, CaseUpdateRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var details = input.Update is AssessmentApplied ? await store.GetAssessmentDetailsAsync(input.EngagementId) : null;
        var attached = input.Update is ReferralAttachment attachment ? await store.GetReferralAsync(attachment.ReferralId) : null;
        var change = await editor.ChangeAsync(input.EngagementId, input.ChangeId,
            current => CaseEdit.Change(CaseUpdateRules.Apply(current, input.Update, _ => attached, details)));
        switch (change.Outcome)
        {
            case CaseChangeOutcome.NotFound:
                throw new InvalidOperationException($"Engagement {input.EngagementId} has no case document.");
            case CaseChangeOutcome.Saved:
                LogApplied(input.EngagementId.Value, input.Update.GetType().Name);
                return true;
            default:
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Engagement {EngagementId}: applied {Change}")]
    private partial void LogApplied(string engagementId, string change);
}
