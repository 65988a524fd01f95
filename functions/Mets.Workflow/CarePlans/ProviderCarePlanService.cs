using System.Security.Cryptography;
using System.Text;
using Mets.Domain.CarePlans;
using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Mets.Workflow.Links;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.CarePlans;

/// <summary>A goal as a provider sees it on the shared care plan, with what this provider answered before.</summary>
public sealed record SharedGoalView(string Id, string Description, string Target, DateOnly? TargetDate, GoalStatus Status, IReadOnlyList<ProviderGoalAnswer> YourAnswers);

/// <summary>
/// The shared care plan behind a provider's care-plan link: the goals agreed so far (substance-use goals only under a
/// consent covering this provider for the care plan), the latest level-of-care recommendation, and the consents the
/// substance-use content went out under (the page shows them with the 42 CFR 2.32 notice).
/// </summary>
public sealed record ProviderCarePlanView(
    OutreachId OutreachId,
    ProviderRole Role,
    IReadOnlyList<SharedGoalView> Goals,
    LevelOfCareRecommendation? LevelOfCare,
    IReadOnlyList<ConsentDisclosure> Disclosures,
    ConsentCoverage? WithheldBecause,
    DateTimeOffset LinkExpiresAt);

public sealed record ProviderCarePlanResult(CommandResult Result, ProviderCarePlanView? View);

/// <summary>
/// The care plan shared with the providers: the clinician shares it (an email with a care-plan link to each
/// collaborating participant, noted on the timeline), the provider reads it and agrees to a goal, proposes a change or
/// adds a note. A provider's action is a command of its own, idempotent through the step-command ledger (the same
/// action with the same text on the same goal is recorded once), and separate from the collaboration answer the
/// request link takes once.
/// </summary>
public sealed class ProviderCarePlanService(
    EngagementService engagements,
    ICaseStore store,
    CaseEditor editor,
    IStepCommandLedger commands,
    ProviderLinkSigner links,
    IEmailSender sender,
    IOptions<ProviderLinkOptions> linkOptions,
    TimeProvider time)
{
    /// <summary>The reason code of a share with nobody to share with (no collaborating participant, or one named without outreach).</summary>
    public const string NoCollaboratingProvider = nameof(NoCollaboratingProvider);

    /// <summary>The reason code of an answer to a goal this provider is not shown (not agreed, or substance-use content without consent).</summary>
    public const string GoalNotShared = nameof(GoalNotShared);

    /// <summary>
    /// Emails a care-plan link to each participant named (default: every participant who agreed to collaborate, or
    /// whose peer-to-peer review agreed on the plan) and notes each share. At most one email per participant a day:
    /// sharing again the same day (a retry) sends nothing new.
    /// </summary>
    public Task<(CommandResult Result, IReadOnlyList<Npi> SharedWith)> ShareAsync(EngagementId id, IReadOnlyList<Npi>? to, Actor by, CancellationToken cancellationToken = default) =>
        ShareAsync(id, to, by, time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    /// <summary>
    /// Records a level-of-care recommendation (step down or up, with the reason) and sends it to the providers: the
    /// care plan shared again with the collaborating participants (or those named), its page showing the recommendation.
    /// Recorded even when nobody collaborates yet, or a participant named has no outreach (nobody to send it to:
    /// <c>SharedWith</c> is empty).
    /// </summary>
    public async Task<(CommandResult Result, IReadOnlyList<Npi> SharedWith)> RecommendLevelOfCareAsync(
        EngagementId id, LevelOfCare from, LevelOfCare to, string reason, IReadOnlyList<Npi>? shareWith, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (!Enum.IsDefined(from) || !Enum.IsDefined(to) || from == to || string.IsNullOrWhiteSpace(reason) || reason.Length > LevelOfCareRecommendation.MaxReasonLength)
        {
            return (CommandResult.Invalid([$"From and To must be two different levels of care, and Reason 1 to {LevelOfCareRecommendation.MaxReasonLength} characters."]), []);
        }

        var number = 0;
        var recorded = await editor.ApplyAsync(id, $"level-of-care:{Guid.NewGuid():N}", current =>
        {
            if (CarePlanService.NotStarted(current) is { } refusal)
            {
                return CaseEdit.Refuse(refusal);
            }

            number = (current.CarePlan.LevelOfCare?.Count ?? 0) + 1;
            return CaseEdit.Change(current.RecommendLevelOfCare(new LevelOfCareRecommendation(from, to, reason.Trim(), time.GetUtcNow(), by)));
        }, cancellationToken);
        if (recorded.Result.Status != CommandStatus.Accepted)
        {
            return (recorded.Result, []);
        }

        var (shared, sharedWith) = await ShareAsync(id, shareWith, by, $"level-of-care-{number}", cancellationToken);
        return (recorded.Result, shared.Status == CommandStatus.Accepted ? sharedWith : []);
    }

    /// <summary><paramref name="occasion"/> names the share in the email's idempotency key and the timeline note's change id (a day, or a recommendation).</summary>
    private async Task<(CommandResult Result, IReadOnlyList<Npi> SharedWith)> ShareAsync(EngagementId id, IReadOnlyList<Npi>? to, Actor by, string occasion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(by);
        var found = await store.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return (CommandResult.NotFound("EngagementNotFound", $"No engagement {id}."), []);
        }

        if (CarePlanService.NotStarted(found) is { } refusal)
        {
            return (refusal, []);
        }

        var participants = to is { Count: > 0 }
            ? found.Outreach.Where(o => to.Contains(o.Npi)).ToList()
            : [.. found.Outreach.Where(o => o.Response == ProviderResponse.WillCollaborate || o.PeerReview == PeerReviewOutcome.AgreedOnPlan)];
        if (participants.Count == 0 || (to is { Count: > 0 } && participants.Count != to.Distinct().Count()))
        {
            return (CommandResult.Conflict(NoCollaboratingProvider, $"Engagement {id}: nobody to share the care plan with."), []);
        }

        var now = time.GetUtcNow();
        foreach (var outreach in participants)
        {
            if (found.FindTreatingProvider(outreach.Npi)?.Email.Value is not { } address)
            {
                continue;
            }

            var link = links.CreateLink(outreach.Id, now, ProviderLinkPurpose.CarePlan);
            var (subject, body) = EmailComposer.Compose(EmailKind.CarePlanShared, id, null, null, 0, null, link, now + linkOptions.Value.Lifetime);
            await sender.SendAsync(new OutgoingEmail($"{outreach.Id}-care-plan-{occasion}", address, subject, body), cancellationToken);
            await editor.ApplyAsync(id, $"care-plan-share:{outreach.Id}:{occasion}", current => CaseEdit.Change(current.NoteCarePlanShared(outreach.Npi, by, now)), cancellationToken);
        }

        return (CommandResult.Accepted($"Care plan of engagement {id} shared."), [.. participants.Select(p => p.Npi)]);
    }

    /// <summary>The shared care plan behind a care-plan link (nothing once the engagement closed).</summary>
    public async Task<ProviderCarePlanResult> GetAsync(string token, CancellationToken cancellationToken = default)
    {
        var (check, found, outreach) = await engagements.ResolveLinkAsync(token, cancellationToken, ProviderLinkPurpose.CarePlan);
        if (check is not null)
        {
            return new ProviderCarePlanResult(check, null);
        }

        if (found!.Status == EngagementStatus.Closed)
        {
            return new ProviderCarePlanResult(CommandResult.Conflict(EngagementService.RequestClosed, $"Engagement {found.Id} is closed."), null);
        }

        links.Verify(token, out var link);
        var (goals, sharing) = Shared(found, outreach!);
        await editor.NoteDisclosuresAsync(found.Id, outreach!.Npi, sharing.Disclosures, time.GetUtcNow(), cancellationToken);
        var view = new ProviderCarePlanView(outreach!.Id, outreach.Role, goals, found.CarePlan.LatestLevelOfCare, sharing.Disclosures, sharing.WithheldBecause, link!.ExpiresAt);
        return new ProviderCarePlanResult(CommandResult.Accepted("Valid link."), view);
    }

    /// <summary>A provider's answer to a shared goal: agreed, a proposed change or a note (text 1-1000 characters, required but for agreed).</summary>
    public async Task<CommandResult> AnswerAsync(string token, string goalId, ProviderGoalAction action, string? text, CancellationToken cancellationToken = default)
    {
        text = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (!Enum.IsDefined(action) || (action != ProviderGoalAction.Agreed && text is null) || text is { Length: > ProviderGoalAnswer.MaxTextLength })
        {
            return CommandResult.Invalid([$"Text must be 1 to {ProviderGoalAnswer.MaxTextLength} characters for a proposed change or a note."]);
        }

        var (check, found, outreach) = await engagements.ResolveLinkAsync(token, cancellationToken, ProviderLinkPurpose.CarePlan);
        if (check is not null)
        {
            return check;
        }

        if (found!.Status == EngagementStatus.Closed)
        {
            return CommandResult.Conflict(EngagementService.RequestClosed, $"Engagement {found.Id} is closed.");
        }

        if (Shared(found, outreach!).Goals.All(g => g.Id != goalId))
        {
            return CommandResult.NotFound(GoalNotShared, $"Engagement {found.Id}: no shared goal with that id.");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text ?? string.Empty)))[..16];
        var key = $"care-plan-answer:{outreach!.Id.Value}:{goalId}:{action}:{hash}";
        var command = StepCommand.For(key, new { goalId, action, hash }, action.ToString(), time.GetUtcNow());
        var claim = await commands.ClaimAsync(found.Id, command, cancellationToken);
        if (claim.Outcome == StepCommandClaimOutcome.SameCommand && claim.Recorded.Raised)
        {
            return CommandResult.Accepted($"Answer to goal {goalId} already recorded.") with { Recorded = action.ToString() };
        }

        var applied = await editor.ApplyAsync(found.Id, key, current => current.CarePlanStarted
            ? CaseEdit.Change(current.RecordProviderGoalAnswer(goalId, outreach.Npi, action, text, time.GetUtcNow()))
            : CaseEdit.Refuse(CommandResult.Conflict(EngagementService.RequestClosed, $"Engagement {found.Id} is closed.")), cancellationToken);
        if (applied.Result.Status == CommandStatus.Accepted)
        {
            await commands.MarkRaisedAsync(found.Id, key, cancellationToken);
        }
        else if (claim.Outcome == StepCommandClaimOutcome.Claimed)
        {
            await commands.ReleaseAsync(found.Id, command, cancellationToken);
        }

        return applied.Result;
    }

    /// <summary>The goals this provider is shown: agreed ones, substance-use ones only under a consent covering them for the care plan.</summary>
    private (IReadOnlyList<SharedGoalView> Goals, SubstanceUseSharing Sharing) Shared(EngagementCase found, ProviderOutreach outreach)
    {
        var sharing = new SubstanceUseSharing(found, new DisclosureRecipient(outreach.Npi, outreach.Role), time.GetUtcNow());
        var goals = found.CarePlan.Goals
            .Where(g => g.IsAgreed && (!g.SubstanceUse || sharing.Allows(SubstanceUseInformation.CarePlan)))
            .Select(g => new SharedGoalView(g.Id, g.Description, g.Target, g.TargetDate, g.Status, [.. (g.ProviderAnswers ?? []).Where(a => a.Provider == outreach.Npi)]))
            .ToList();
        return (goals, sharing);
    }
}
