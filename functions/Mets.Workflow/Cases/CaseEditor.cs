using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Activities;
using Mets.Workflow.Application;
using Mets.Workflow.Audit;

namespace Mets.Workflow.Cases;

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

/// <summary>How <see cref="CaseEditor.ChangeAsync"/> ended.</summary>
public enum CaseChangeOutcome
{
    /// <summary>No case document.</summary>
    NotFound,

    /// <summary>The change id had been applied: nothing saved.</summary>
    AlreadyApplied,

    /// <summary>The edit refused (see <see cref="CaseChange.Refusal"/>).</summary>
    Refused,

    /// <summary>The case was already as asked: nothing saved.</summary>
    Unchanged,

    Saved,
}

/// <summary>What <see cref="CaseEditor.ChangeAsync"/> did, with the case as it stands after it.</summary>
public sealed record CaseChange(CaseChangeOutcome Outcome, EngagementCase? Case, CommandResult? Refusal = null);

/// <summary>
/// Saves one change to the latest case document: read, decide with the domain's helpers (which append to the
/// hash-chained timeline), save with optimistic concurrency under a change id, anchor when due, retry on a concurrent
/// write. A change id already applied (a retried activity or command) saves nothing. The orchestration's
/// <see cref="UpdateCaseActivity"/>, the closure summaries and the application's own changes (care plan, consent,
/// care team) all save through it, so the store's append-only check and the anchors cover every change.
/// </summary>
public sealed class CaseEditor(ICaseStore store, TimelineAnchoring anchoring)
{
    /// <summary>The case document as it is now, or null.</summary>
    public Task<EngagementCase?> ReadAsync(EngagementId id, CancellationToken cancellationToken = default) => store.GetAsync(id, cancellationToken);

    /// <summary>Decides <paramref name="edit"/> on the latest case and saves it under <paramref name="changeId"/>.</summary>
    public async Task<CaseChange> ChangeAsync(EngagementId id, string changeId, Func<EngagementCase, CaseEdit> edit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        ArgumentNullException.ThrowIfNull(edit);
        for (var attempt = 1; attempt <= UpdateCaseActivity.MaxConcurrencyRetries; attempt++)
        {
            var current = await store.GetAsync(id, cancellationToken);
            if (current is null)
            {
                return new CaseChange(CaseChangeOutcome.NotFound, null);
            }

            if (await store.HasAppliedAsync(id, changeId, cancellationToken))
            {
                return new CaseChange(CaseChangeOutcome.AlreadyApplied, current);
            }

            var decided = edit(current);
            if (decided.Refusal is { } refusal)
            {
                return new CaseChange(CaseChangeOutcome.Refused, current, refusal);
            }

            if (decided.Updated is not { } updated)
            {
                return new CaseChange(CaseChangeOutcome.Unchanged, current);
            }

            var saved = await store.SaveAsync(updated, changeId, cancellationToken);
            switch (saved.Outcome)
            {
                case CaseSaveOutcome.Saved:
                    await anchoring.AfterSaveAsync(current.Timeline.Count, saved.Case!, cancellationToken);
                    return new CaseChange(CaseChangeOutcome.Saved, saved.Case);
                case CaseSaveOutcome.AlreadyApplied:
                    return new CaseChange(CaseChangeOutcome.AlreadyApplied, await store.GetAsync(id, cancellationToken));
            }
        }

        throw new InvalidOperationException($"Engagement {id} kept changing; the change was not applied after {UpdateCaseActivity.MaxConcurrencyRetries} attempts.");
    }

    /// <summary><see cref="ChangeAsync"/> answered as a command: not found, the edit's refusal, or accepted with the case.</summary>
    public async Task<CaseEditResult> ApplyAsync(EngagementId id, string changeId, Func<EngagementCase, CaseEdit> edit, CancellationToken cancellationToken = default)
    {
        var change = await ChangeAsync(id, changeId, edit, cancellationToken);
        return change.Outcome switch
        {
            CaseChangeOutcome.NotFound => new CaseEditResult(CommandResult.NotFound("EngagementNotFound", $"No engagement {id}."), null),
            CaseChangeOutcome.Refused => new CaseEditResult(change.Refusal!, change.Case),
            _ => new CaseEditResult(Accepted(id), change.Case),
        };
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
