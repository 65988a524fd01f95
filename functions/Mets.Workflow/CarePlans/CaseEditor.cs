using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Activities;
using Mets.Workflow.Application;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;

namespace Mets.Workflow.CarePlans;

/// <summary>What an edit decided about the case as it is now: a changed case, no change needed, or a refusal.</summary>
public sealed record CaseEdit(EngagementCase? Updated, CommandResult? Refusal)
{
    /// <summary>The case is already as asked (the same command again): nothing to save.</summary>
    public static CaseEdit Unchanged { get; } = new(null, null);

    public static CaseEdit Change(EngagementCase updated) => new(updated, null);

    public static CaseEdit Refuse(CommandResult refusal) => new(null, refusal);
}

/// <summary>What <see cref="CaseEditor.ApplyAsync"/> did: the refusal, or the case as it stands after the edit.</summary>
public sealed record CaseEditResult(CommandResult Result, EngagementCase? Case);

/// <summary>
/// Applies a change the application decides (a care-plan, consent or care-team command; not a workflow step) to the
/// latest case document: read, decide with the domain's helpers (which append to the hash-chained timeline), save with
/// optimistic concurrency under a change id, anchor when due, retry on a concurrent write. The same path the
/// orchestration's <see cref="UpdateCaseActivity"/> takes, so the store's append-only check and the anchors cover these
/// changes too. A change id already applied (a retried command) saves nothing.
/// </summary>
public sealed class CaseEditor(ICaseStore store, TimelineAnchoring anchoring)
{
    /// <summary>The case document as it is now, or null.</summary>
    public Task<EngagementCase?> ReadAsync(EngagementId id, CancellationToken cancellationToken = default) => store.GetAsync(id, cancellationToken);

    public async Task<CaseEditResult> ApplyAsync(EngagementId id, string changeId, Func<EngagementCase, CaseEdit> edit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        ArgumentNullException.ThrowIfNull(edit);
        for (var attempt = 1; attempt <= UpdateCaseActivity.MaxConcurrencyRetries; attempt++)
        {
            var current = await store.GetAsync(id, cancellationToken);
            if (current is null)
            {
                return new CaseEditResult(CommandResult.NotFound("EngagementNotFound", $"No engagement {id}."), null);
            }

            if (await store.HasAppliedAsync(id, changeId, cancellationToken))
            {
                return new CaseEditResult(Accepted(id), current);
            }

            var decided = edit(current);
            if (decided.Refusal is { } refusal)
            {
                return new CaseEditResult(refusal, current);
            }

            if (decided.Updated is not { } updated)
            {
                return new CaseEditResult(Accepted(id), current);
            }

            var saved = await store.SaveAsync(updated, changeId, cancellationToken);
            switch (saved.Outcome)
            {
                case CaseSaveOutcome.Saved:
                    await anchoring.AfterSaveAsync(current.Timeline.Count, saved.Case!, cancellationToken);
                    return new CaseEditResult(Accepted(id), saved.Case);
                case CaseSaveOutcome.AlreadyApplied:
                    return new CaseEditResult(Accepted(id), await store.GetAsync(id, cancellationToken));
            }
        }

        throw new InvalidOperationException($"Engagement {id} kept changing; the change was not applied after {UpdateCaseActivity.MaxConcurrencyRetries} attempts.");
    }

    /// <summary>
    /// Notes each substance-use disclosure a page made on the timeline, once per provider, consent and kind of
    /// information (the accounting of disclosures).
    /// </summary>
    public async Task NoteDisclosuresAsync(EngagementId id, Npi provider, IReadOnlyList<ConsentDisclosure> disclosures, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(disclosures);
        foreach (var disclosure in disclosures)
        {
            foreach (var information in disclosure.Information)
            {
                await ApplyAsync(id, $"disclosure:{provider}:{disclosure.ConsentId}:{information}", current =>
                    current.HasDisclosed(provider, disclosure.ConsentId, information)
                        ? CaseEdit.Unchanged
                        : CaseEdit.Change(current.NoteSubstanceUseDisclosed(provider, disclosure.ConsentId, information, at)), cancellationToken);
            }
        }
    }

    /// <summary>Refuses a change to a closed engagement (409 EngagementClosed).</summary>
    public static CommandResult Closed(EngagementId id) =>
        CommandResult.Conflict(nameof(EventFit.EngagementClosed), $"Engagement {id} is closed.");

    private static CommandResult Accepted(EngagementId id) => CommandResult.Accepted($"Change accepted for engagement {id}.");
}
