using Mets.Domain.Assessments;
using Mets.Domain.CareGaps;
using Mets.Domain.Closure;
using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Mets.Workflow.CarePlans;
using Mets.Workflow.Cases;
using Mets.Workflow.Links;
using Mets.Workflow.Orchestration;
using Mets.Workflow.Roster;
using Mets.Workflow.Utilization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Application;

/// <summary>
/// The host-independent METS use cases the HTTP layer calls. Every step command reads the case
/// document, checks with <see cref="EventFitRule"/> that the event fits the case's current step and
/// answers a conflict (or not found) before raising anything; a missing orchestration instance is
/// repaired before an event is raised to it.
/// </summary>
public sealed partial class EngagementService(
    ICaseStore store,
    IStepCommandLedger commands,
    CaseEditor editor,
    CarePlanService carePlans,
    DurableTaskClient client,
    IMemberUtilization utilization,
    ProviderLinkSigner links,
    IOptions<RosterOptions> roster,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<EngagementService> logger)
{
    // ---- intake ----

    /// <summary>
    /// Validates and records a referral: the same referral id is the same engagement, the same id with a
    /// different body is a conflict, a member with an open engagement gets the referral attached to it.
    /// The case document is written (Received) before the orchestration is scheduled; a retry repairs a
    /// missing instance or a missing attachment.
    /// </summary>
    public async Task<SubmitReferralResult> SubmitReferralAsync(Referral referral, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(referral);
        var errors = referral.Validate();
        if (errors.Count > 0)
        {
            return new SubmitReferralResult(SubmitReferralOutcome.Invalid, null, errors);
        }

        // Due dates run from when METS received the referral, whatever the caller sent (the fingerprint ignores it).
        var now = time.GetUtcNow();
        referral = referral with { ReceivedAt = now };
        var newId = EngagementId.New(Guid.NewGuid());
        var received = EngagementCase.Receive(newId, referral, now);
        var intake = await store.ReceiveReferralAsync(referral, received, cancellationToken);
        var engagement = intake.EngagementId;
        switch (intake.Kind)
        {
            case ReferralIntakeKind.Conflict:
                LogReferral(engagement, "referral id reused with a different body");
                return new SubmitReferralResult(SubmitReferralOutcome.Conflict, null,
                    ["Id was already used for a different referral; send a new referral id."]);
            case ReferralIntakeKind.Created:
                await StartNewInstanceAsync(received, cancellationToken);
                LogReferral(engagement, "engagement created");
                return new SubmitReferralResult(SubmitReferralOutcome.Created, engagement, []);
            case ReferralIntakeKind.AttachedToOpenEngagement:
                await RaiseAttachmentAsync(engagement, referral, cancellationToken);
                LogReferral(engagement, "referral attached to the open engagement");
                return new SubmitReferralResult(SubmitReferralOutcome.AttachedToOpenEngagement, engagement, []);
            default:
                var existing = await store.GetAsync(engagement, cancellationToken);
                if (existing is not null && existing.Status != EngagementStatus.Closed)
                {
                    await EnsureInstanceAsync(engagement, cancellationToken);
                    if (!existing.ReferralIds.Contains(referral.Id))
                    {
                        await RaiseAttachmentAsync(engagement, referral, cancellationToken);
                    }
                }

                return new SubmitReferralResult(SubmitReferralOutcome.AlreadySubmitted, engagement, []);
        }
    }

    // ---- step commands ----

    /// <summary>Records the assessment: risk tier from the scores, the referrals' urgency and the member's recent claims; starts outreach and reviews.</summary>
    public async Task<CommandResult> RecordAssessmentAsync(EngagementId id, Assessment assessment, IReadOnlyList<TreatingProvider>? confirmedProviders = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var errors = assessment.Validate().ToList();
        if (confirmedProviders is not null && confirmedProviders.GroupBy(p => p.Npi).Any(g => g.Count() > 1))
        {
            errors.Add("TreatingProviders lists an NPI more than once.");
        }

        if (errors.Count > 0)
        {
            return CommandResult.Invalid(errors);
        }

        var found = await store.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return EngagementNotFound(id);
        }

        var recent = await utilization.GetRecentAsync(found.MemberId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        var risk = RiskTierRule.Evaluate(new RiskFactors(
            assessment.Scores,
            found.Referrals.Any(r => r.Urgency == ReferralUrgency.Urgent),
            recent.BehavioralHealthInpatientStays,
            recent.BehavioralHealthEdVisits,
            Math.Max(recent.OpenCareGaps, found.CareGaps.Open),
            recent.MedicationNonadherent));
        var providers = (confirmedProviders ?? found.TreatingProviders).Select(p => new ProviderToContact(p.Npi, p.Role)).ToList();
        var evt = new AssessmentCompleted(id, StepReference.Assessment, assessment.Scores, risk, providers, assessment.CompletedBy, time.GetUtcNow());
        var command = StepCommand.For("assessment", new { assessment = assessment with { CompletedAt = default }, confirmedProviders }, nameof(AssessmentCompleted), time.GetUtcNow());
        return await RaiseOnceAsync(found, evt, id.Value, command, async () => await store.SaveAssessmentDetailsAsync(id, new AssessmentDetails(assessment, confirmedProviders), cancellationToken), cancellationToken);
    }

    /// <summary>Records an attempt to reach the member in the current step. <paramref name="attemptNumber"/> (1-based over the engagement) makes a retried submission a duplicate; omitted, the next number is used.</summary>
    public async Task<CommandResult> RecordContactAttemptAsync(EngagementId id, MemberContactOutcome outcome, StaffId attemptedBy, int? attemptNumber = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(outcome))
        {
            return CommandResult.Invalid(["Outcome is not a known contact outcome."]);
        }

        var found = await store.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return EngagementNotFound(id);
        }

        var evt = new MemberContactAttempted(id, found.CurrentStep.Step, attemptNumber ?? found.ContactAttemptsRecorded + 1, outcome, attemptedBy, time.GetUtcNow());
        return await RaiseAsync(found, evt, id.Value, null, cancellationToken);
    }

    /// <summary>Records review number <see cref="ReviewSubmission.ReviewNumber"/>, re-evaluating the risk tier.</summary>
    public async Task<CommandResult> RecordReviewAsync(EngagementId id, ReviewSubmission review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (review.ReviewNumber < 1)
        {
            return CommandResult.Invalid(["ReviewNumber starts at 1."]);
        }

        var found = await store.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return EngagementNotFound(id);
        }

        var scores = review.Rescreen ?? found.Assessment?.Scores;
        var recent = await utilization.GetRecentAsync(found.MemberId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        var risk = RiskTierRule.Evaluate(new RiskFactors(
            scores, false, recent.BehavioralHealthInpatientStays, recent.BehavioralHealthEdVisits,
            Math.Max(recent.OpenCareGaps, found.CareGaps.Open), recent.MedicationNonadherent));
        var evt = new ReviewCompleted(id, StepReference.Review(review.ReviewNumber), risk, review.Rescreen?.Phq9?.Total, review.Rescreen?.Gad7?.Total,
            review.CloseWith, review.ReviewedBy, time.GetUtcNow());
        var progress = review.GoalProgress ?? [];
        if (evt.Step == found.CurrentStep.Step && CarePlanService.CheckProgress(found, progress) is { Count: > 0 } progressErrors)
        {
            return CommandResult.Invalid(progressErrors);
        }

        // The fingerprint keeps the shape reviews had before goal progress existed, so a review claimed then and retried now is the same command.
        object content = progress.Count == 0
            ? new { review.ReviewNumber, review.Rescreen, review.CloseWith, review.ReviewedBy }
            : new { review.ReviewNumber, review.Rescreen, review.CloseWith, review.ReviewedBy, GoalProgress = progress };
        var command = StepCommand.For($"review:{review.ReviewNumber}", content, nameof(ReviewCompleted), time.GetUtcNow());
        return await RaiseOnceAsync(found, evt, id.Value, command,
            () => carePlans.ApplyProgressAsync(id, review.ReviewNumber, progress, Actor.Staff(ActorKind.Clinician, review.ReviewedBy), cancellationToken), cancellationToken);
    }

    /// <summary>The supervisor's decision in closure review number <paramref name="closureReviewNumber"/>.</summary>
    public async Task<CommandResult> DecideClosureReviewAsync(EngagementId id, int closureReviewNumber, ClosureReviewDecision decision, ClosureReason? reason, StaffId decidedBy, CancellationToken cancellationToken = default)
    {
        if (closureReviewNumber < 1 || !Enum.IsDefined(decision))
        {
            return CommandResult.Invalid(["ClosureReviewNumber starts at 1 and Decision is Close or Extend."]);
        }

        var found = await store.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return EngagementNotFound(id);
        }

        var evt = new ClosureReviewDecided(id, StepReference.ClosureReview(closureReviewNumber), decision, reason, decidedBy, time.GetUtcNow());
        var command = StepCommand.For($"closure-review:{closureReviewNumber}", new { decision, reason, decidedBy }, decision.ToString(), time.GetUtcNow());
        return await RaiseOnceAsync(found, evt, id.Value, command, null, cancellationToken);
    }

    /// <summary>Asks to close the engagement now, whatever its step.</summary>
    public async Task<CommandResult> RequestClosureAsync(EngagementId id, ClosureReason reason, Actor requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestedBy);
        if (!Enum.IsDefined(reason))
        {
            return CommandResult.Invalid(["Reason is not a known closure reason."]);
        }

        var found = await store.GetAsync(id, cancellationToken);
        if (found is null)
        {
            return EngagementNotFound(id);
        }

        var command = StepCommand.For("closure", new { reason }, reason.ToString(), time.GetUtcNow());
        return await RaiseOnceAsync(found, new ClosureRequested(id, reason, requestedBy, time.GetUtcNow()), id.Value, command, null, cancellationToken);
    }

    /// <summary>A provider's answer through the signed link; the link answers once (later calls conflict with AlreadyResponded).</summary>
    public async Task<CommandResult> RespondToOutreachAsync(string token, ProviderResponse response, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(response))
        {
            return CommandResult.Invalid(["Response is not a known provider response."]);
        }

        var (check, found, outreach) = await ResolveLinkAsync(token, cancellationToken);
        if (check is not null)
        {
            return check;
        }

        if (outreach!.Response is { } recordedResponse)
        {
            return AlreadyResponded(outreach.Id, recordedResponse.ToString());
        }

        if (!TakesResponse(found!, outreach))
        {
            // Ended without an answer (no response in time, peer review recorded, engagement closed): nothing is claimed or raised.
            return CommandResult.Conflict(RequestClosed, $"Outreach {outreach.Id} no longer takes a response.");
        }

        var evt = new ProviderResponded(found!.Id, outreach.Id, response, time.GetUtcNow());
        var command = StepCommand.For($"provider-response:{outreach.Id.Value}", new { response }, response.ToString(), time.GetUtcNow());
        var result = await RaiseOnceAsync(found, evt, outreach.Id.Value, command, null, cancellationToken);
        if (result.Status == CommandStatus.Accepted)
        {
            result = await ConfirmAnswerAsync(found.Id, outreach.Id, result, cancellationToken);
        }

        // A link answers once: the same answer again is refused too, showing what was recorded.
        return result.Status == CommandStatus.Accepted && result.Recorded is not null
            || result.Reason == DifferentCommandRecorded
            ? AlreadyResponded(outreach.Id, result.Recorded ?? response.ToString())
            : result;
    }

    /// <summary>How long a provider's answer waits for its outreach to record it before the page says "received" instead of "recorded".</summary>
    public static readonly TimeSpan AnswerConfirmationWait = TimeSpan.FromSeconds(10);

    /// <summary>The reason code of an accepted provider answer not yet recorded when <see cref="AnswerConfirmationWait"/> ran out.</summary>
    public const string AnswerReceived = nameof(AnswerReceived);

    /// <summary>
    /// Confirms a raised provider answer only once the case shows it. The outreach ends as soon as it takes the
    /// answer (recording it first) or a closure's stop, whichever reached it first; an answer that lost to the stop was
    /// never recorded, and the provider is told the request closed rather than that it was recorded.
    /// </summary>
    private async Task<CommandResult> ConfirmAnswerAsync(EngagementId engagement, OutreachId outreach, CommandResult raised, CancellationToken cancellationToken)
    {
        using var wait = new CancellationTokenSource(AnswerConfirmationWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token);
        try
        {
            await client.WaitForInstanceCompletionAsync(outreach.Value, getInputsAndOutputs: false, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return raised with { Reason = AnswerReceived, Message = $"The answer to outreach {outreach} was received and is being recorded." };
        }

        var after = await store.GetAsync(engagement, cancellationToken);
        return after?.Outreach.FirstOrDefault(o => o.Id == outreach)?.Response is not null
            ? raised
            : CommandResult.Conflict(RequestClosed, $"Outreach {outreach} ended before the answer reached it.");
    }

    /// <summary>What the provider's link page shows (the minimum needed; substance-use codes only with consent).</summary>
    public async Task<ProviderRequestResult> GetProviderRequestAsync(string token, CancellationToken cancellationToken = default)
    {
        var (check, found, outreach) = await ResolveLinkAsync(token, cancellationToken);
        if (check is not null)
        {
            return new ProviderRequestResult(check, null);
        }

        links.Verify(token, out var link);
        var details = TakesResponse(found!, outreach!) ? RequestDetails(found!, outreach!, time.GetUtcNow()) : null;
        if (details is not null)
        {
            await editor.NoteDisclosuresAsync(found!.Id, outreach!.Npi, details.Disclosures, time.GetUtcNow(), cancellationToken);
        }

        var view = new ProviderRequestView(outreach!.Id, outreach.Role, outreach.Status, outreach.Response, details, link!.ExpiresAt);
        return new ProviderRequestResult(CommandResult.Accepted("Valid link."), view);
    }

    /// <summary>The reason code of a provider answer to a request that ended without one (or whose engagement closed).</summary>
    public const string RequestClosed = nameof(RequestClosed);

    /// <summary>Whether the provider may still answer: no answer recorded, the outreach still running, the engagement open.</summary>
    private static bool TakesResponse(EngagementCase found, ProviderOutreach outreach) =>
        outreach.Response is null && outreach.IsRunning && found.Status != EngagementStatus.Closed;

    /// <summary>
    /// The request's clinical part for this provider: referral reasons, diagnosis codes and open care gaps, substance-use
    /// ones only under a consent that covers this provider for treatment now (<see cref="SubstanceUseDisclosure.Decide"/>).
    /// </summary>
    private static ProviderRequestDetails RequestDetails(EngagementCase found, ProviderOutreach outreach, DateTimeOffset now)
    {
        var recipient = new DisclosureRecipient(outreach.Npi, outreach.Role);
        var sharing = new SubstanceUseSharing(found, recipient, now);
        var codes = found.Referrals
            .SelectMany(r => r.Diagnoses.Where(d => !Referral.IsSubstanceUse(d) || sharing.Allows(SubstanceUseInformation.Diagnoses, r.Id)))
            .Select(d => d.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var gaps = found.CareGaps.Gaps.Where(g => g.Status == Mets.Domain.CareGaps.CareGapStatus.Open)
            .Where(g => !SubstanceUseDisclosure.IsSubstanceUseMeasure(g.Measure) || sharing.Allows(SubstanceUseInformation.CareGaps))
            .Select(g => g.Measure).Order(StringComparer.Ordinal).ToList();
        return new ProviderRequestDetails([.. found.Referrals.Select(r => r.Reason).Distinct()], codes, sharing.Withheld, gaps, sharing.Disclosures, sharing.WithheldBecause);
    }

    /// <summary>The reason code of a command naming a provider the engagement has no outreach to.</summary>
    public const string NoOutreachToProvider = nameof(NoOutreachToProvider);

    /// <summary>The reason code of a peer-to-peer review recorded by someone who is not a medical director on the roster.</summary>
    public const string NotMedicalDirector = nameof(NotMedicalDirector);

    /// <summary>
    /// The medical director records the peer-to-peer review of an escalated outreach. Only a medical director on the
    /// roster may (<see cref="NotMedicalDirector"/> otherwise, nothing raised); the outreach takes one review (the same
    /// review again gets the first answer, another outcome conflicts with <see cref="DifferentCommandRecorded"/>).
    /// </summary>
    public async Task<CommandResult> RecordPeerReviewAsync(OutreachId outreachId, PeerReviewOutcome outcome, StaffId recordedBy, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(outcome))
        {
            return CommandResult.Invalid(["Outcome is not a known peer-review outcome."]);
        }

        if (!roster.Value.GetMedicalDirectorIds().Contains(recordedBy))
        {
            return CommandResult.Forbidden(NotMedicalDirector, "Only a medical director on the roster records a peer-to-peer review.");
        }

        var found = await store.GetAsync(outreachId.Engagement, cancellationToken);
        if (found is null)
        {
            return EngagementNotFound(outreachId.Engagement);
        }

        if (found.Outreach.All(o => o.Id != outreachId))
        {
            return CommandResult.NotFound(NoOutreachToProvider, $"Engagement {found.Id} has no outreach {outreachId}.");
        }

        var evt = new PeerReviewRecorded(found.Id, outreachId, outcome, recordedBy, time.GetUtcNow());
        var command = StepCommand.For($"peer-review:{outreachId.Value}", new { outcome }, outcome.ToString(), time.GetUtcNow());
        return await RaiseOnceAsync(found, evt, outreachId.Value, command, null, cancellationToken);
    }

    /// <summary>
    /// Claims analytics saw activity for a member: raised to the member's open engagement (a BH inpatient
    /// discharge pulls the next review forward). NotFound/NoOpenEngagement when the member has none.
    /// <paramref name="eventId"/> is the activity's stable identity (the claims trigger id): raised again, the
    /// same activity is applied to the engagement once.
    /// </summary>
    public async Task<CommandResult> ObserveClaimsActivityAsync(MemberId member, ClaimsActivityKind kind, DateTimeOffset activityAt, string? measure = null, string? eventId = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(kind))
        {
            return CommandResult.Invalid(["Kind is not a known claims activity."]);
        }

        if (eventId is not null && !ClaimsActivityObserved.IsEventId(eventId))
        {
            return CommandResult.Invalid(["EventId must be 1-64 letters, digits, hyphens or underscores."]);
        }

        if (kind is ClaimsActivityKind.CareGapOpened or ClaimsActivityKind.CareGapClosed && !CareGap.IsMeasureCode(measure))
        {
            return CommandResult.Invalid(["Measure must be a care-gap measure code (2-24 upper-case letters, digits and hyphens)."]);
        }

        var found = await store.FindOpenByMemberAsync(member, cancellationToken);
        if (found is null)
        {
            return CommandResult.NotFound("NoOpenEngagement", "The member has no open engagement.");
        }

        var evt = new ClaimsActivityObserved(found.Id, kind, activityAt, measure, time.GetUtcNow(), eventId);
        return await RaiseAsync(found, evt, found.Id.Value, null, cancellationToken);
    }

    /// <summary>
    /// Asks the engagement to include care-team participant <paramref name="npi"/> in its outreach (their own outreach
    /// instance; the engagement ignores a second request for the same participant).
    /// </summary>
    public async Task RequestCareTeamOutreachAsync(EngagementId id, Npi npi, ProviderRole role, CancellationToken cancellationToken = default)
    {
        await EnsureInstanceAsync(id, cancellationToken);
        if (await client.GetInstanceAsync(id.Value, cancellationToken) is { IsCompleted: false })
        {
            await client.RaiseEventAsync(id.Value, CareTeamOutreachRequested.EventName, new CareTeamOutreachRequested(id, npi, role, time.GetUtcNow()), cancellationToken);
        }
    }

    // ---- queries ----

    /// <summary>The case document, or null. Written at intake, so a GET right after a 202 finds it.</summary>
    public Task<EngagementCase?> GetEngagementAsync(EngagementId id, CancellationToken cancellationToken = default) =>
        store.GetAsync(id, cancellationToken);

    /// <summary>A clinician's open engagements that are due soon, overdue or escalated (most pressing first).</summary>
    public async Task<IReadOnlyList<WorkQueueItem>> GetWorkQueueAsync(StaffId clinician, CancellationToken cancellationToken = default) =>
        Queue(await store.ListOpenAsync(clinician, cancellationToken));

    /// <summary>Every open engagement that is due soon, overdue or escalated, for supervisors.</summary>
    public async Task<IReadOnlyList<WorkQueueItem>> GetSupervisorQueueAsync(CancellationToken cancellationToken = default) =>
        Queue(await store.ListOpenAsync(null, cancellationToken));

    // ---- repair ----

    /// <summary>Schedules the orchestration of every open case whose instance is missing, failed or terminated (run at start-up). Returns how many were repaired.</summary>
    public async Task<int> RepairMissingInstancesAsync(CancellationToken cancellationToken = default)
    {
        var repaired = 0;
        foreach (var open in await store.ListOpenAsync(null, cancellationToken))
        {
            if (await EnsureInstanceAsync(open.Id, cancellationToken))
            {
                repaired++;
            }
        }

        return repaired;
    }

    /// <summary>The orchestration state that resumes an open case (used when its instance is missing).</summary>
    public EngagementState StateFor(EngagementCase found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var run = Guid.NewGuid(); // not orchestrator code: a fresh id names this run of the instance
        if (found.Status == EngagementStatus.Received)
        {
            return EngagementState.Received(found.Id, run);
        }

        var step = found.CurrentStep;
        return new EngagementState(
            found.Id, found.Status, step.Step, step.DueAt, step.Owner, found.AssignedClinician, roster.Value.GetSupervisor(),
            step.RemindedAt.HasValue, step.EscalatedAt.HasValue, found.RiskTier, found.ReviewsStarted, found.ClosureReviewsStarted,
            found.ContactAttemptsRecorded, found.ContactStreak, found.DueDates.MaximumDurationEndsAt, found.ReferralIds,
            found.Outreach.ToDictionary(o => o.Id, o => o.Status), 0, run, FollowUpNotifier.Watched(found));
    }

    private IReadOnlyList<WorkQueueItem> Queue(IReadOnlyList<EngagementCase> cases)
    {
        var now = time.GetUtcNow();
        return [.. cases
            .Select(c => new WorkQueueItem(c.Id, c.CurrentStep.Step, c.CurrentStep.DueAt, c.CurrentStep.Owner, c.AssignedClinician,
                WorkQueueRule.Classify(c.CurrentStep, now, options.Value.DueSoonWindow)))
            .Where(i => i.Bucket != WorkQueueBucket.None)
            .OrderByDescending(i => i.Bucket)
            .ThenBy(i => i.DueAt)];
    }

    /// <summary>
    /// The engagement and outreach behind a signed link made for <paramref name="purpose"/> (a request link does not open
    /// the care-plan page, nor a care-plan link the request page), or why not: forbidden (invalid, expired), not found.
    /// </summary>
    internal async Task<(CommandResult? Check, EngagementCase? Case, ProviderOutreach? Outreach)> ResolveLinkAsync(
        string token, CancellationToken cancellationToken, ProviderLinkPurpose purpose = ProviderLinkPurpose.Request)
    {
        switch (links.Verify(token, out var link))
        {
            case ProviderLinkRejection.Expired:
                return (CommandResult.Forbidden("LinkExpired", "This link has expired; contact the METS team for a new one."), null, null);
            case ProviderLinkRejection.Invalid:
                return (CommandResult.Forbidden("LinkInvalid", "This link is not valid."), null, null);
        }

        if (link!.Purpose != purpose)
        {
            return (CommandResult.Forbidden("LinkInvalid", "This link is not valid."), null, null);
        }

        var found = await store.GetAsync(link!.Engagement, cancellationToken);
        var outreach = found?.Outreach.FirstOrDefault(o => o.Id == link.Outreach);
        return found is null || outreach is null
            ? (CommandResult.NotFound("OutreachNotFound", "No request is waiting behind this link."), null, null)
            : (null, found, outreach);
    }

    /// <summary>The reason code of a step command refused because a different one answers the step already.</summary>
    public const string DifferentCommandRecorded = nameof(DifferentCommandRecorded);

    private static CommandResult AlreadyResponded(OutreachId outreach, string recorded) =>
        CommandResult.Conflict("AlreadyResponded", $"A response to outreach {outreach} is already recorded.") with { Recorded = recorded };

    /// <summary>
    /// Raises a step command's event once: the ledger decides atomically which command answers the step. A different
    /// command for a step already answered is a conflict naming the recorded one; the same command again gets the
    /// first answer (<see cref="CommandResult.Recorded"/> set), and is raised again only when its first raise never
    /// finished (the orchestration treats the second copy as a duplicate). A claim whose event is not raised is
    /// released, so nothing is half-applied.
    /// </summary>
    private async Task<CommandResult> RaiseOnceAsync(EngagementCase found, EngagementEvent evt, string instanceId, StepCommand command, Func<Task>? beforeRaise, CancellationToken cancellationToken)
    {
        var name = evt.GetType().Name;
        var claim = await commands.ClaimAsync(found.Id, command, cancellationToken);
        switch (claim.Outcome)
        {
            case StepCommandClaimOutcome.OtherCommand:
                LogRefused(found.Id, name, EventFit.Duplicate);
                return CommandResult.Conflict(DifferentCommandRecorded, $"{name}: a different answer to this step of engagement {found.Id} is recorded.")
                    with { Recorded = claim.Recorded.Recorded };
            case StepCommandClaimOutcome.SameCommand when claim.Recorded.Raised:
                return Repeated(name, found.Id, claim.Recorded);
            case StepCommandClaimOutcome.SameCommand:
                var again = await RaiseAsync(found, evt, instanceId, beforeRaise, cancellationToken);
                if (again.Status == CommandStatus.Accepted)
                {
                    await commands.MarkRaisedAsync(found.Id, command.Key, cancellationToken);
                }

                // the step moved on: the first copy was applied
                return again.Status == CommandStatus.Conflict ? Repeated(name, found.Id, claim.Recorded) : again;
        }

        CommandResult result;
        try
        {
            result = await RaiseAsync(found, evt, instanceId, beforeRaise, cancellationToken);
        }
        catch
        {
            await commands.ReleaseAsync(found.Id, command, CancellationToken.None);
            throw;
        }

        if (result.Status == CommandStatus.Accepted)
        {
            await commands.MarkRaisedAsync(found.Id, command.Key, cancellationToken);
        }
        else
        {
            await commands.ReleaseAsync(found.Id, command, cancellationToken);
        }

        return result;
    }

    private static CommandResult Repeated(string name, EngagementId id, StepCommand recorded) =>
        CommandResult.Accepted($"{name} accepted for engagement {id}.") with { Recorded = recorded.Recorded };

    private async Task<CommandResult> RaiseAsync(EngagementCase found, EngagementEvent evt, string instanceId, Func<Task>? beforeRaise, CancellationToken cancellationToken)
    {
        var fit = EventFitRule.Evaluate(evt, found.Position);
        var name = evt.GetType().Name;
        if (fit != EventFit.Fits)
        {
            LogRefused(found.Id, name, fit);
            return CommandResult.Conflict(fit.ToString(), $"{name} does not fit engagement {found.Id} now (step {found.CurrentStep.Step}): {fit}.");
        }

        if (beforeRaise is not null)
        {
            await beforeRaise();
        }

        await EnsureInstanceAsync(found.Id, cancellationToken);
        if (await client.GetInstanceAsync(instanceId, cancellationToken) is not { IsCompleted: false })
        {
            // missing, or ended (an event raised to an ended instance is dropped, so it must not be confirmed)
            return CommandResult.Conflict(EventFit.NotExpectedNow.ToString(), $"{name}: the step it answers is not running for engagement {found.Id}.");
        }

        await client.RaiseEventAsync(instanceId, name, evt, cancellationToken);

        return CommandResult.Accepted($"{name} accepted for engagement {found.Id}.");
    }

    private async Task RaiseAttachmentAsync(EngagementId engagement, Referral referral, CancellationToken cancellationToken)
    {
        await EnsureInstanceAsync(engagement, cancellationToken);
        await client.RaiseEventAsync(engagement.Value, nameof(ReferralAttached),
            new ReferralAttached(engagement, referral.Id, referral.IsUrgentOrSafetyConcern, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// Schedules the engagement's orchestration when its instance is missing, failed or terminated while the
    /// case is not closed (it resumes from the case document); true when it did.
    /// </summary>
    public async Task<bool> EnsureInstanceAsync(EngagementId id, CancellationToken cancellationToken = default)
    {
        if (await client.GetInstanceAsync(id.Value, cancellationToken) is { RuntimeStatus: not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated) })
        {
            return false;
        }

        var found = await store.GetAsync(id, cancellationToken);
        if (found is null || found.Status == EngagementStatus.Closed)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(EngagementOrchestrator), StateFor(found), new StartOrchestrationOptions(id.Value), cancellationToken);
            LogReferral(id, "orchestration scheduled");
            return true;
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>
    /// Schedules the orchestration of a case this intake just created (status Received), without reading back what
    /// <see cref="EnsureInstanceAsync"/> reads: the engagement id is new, so no instance can exist; if one does, the
    /// engine refuses the second and the first stands. A failure propagates (no 202); the start-up repair schedules
    /// the instance of a case whose scheduling never happened.
    /// </summary>
    private async Task StartNewInstanceAsync(EngagementCase received, CancellationToken cancellationToken)
    {
        try
        {
            // Not logged: the caller's "engagement created" line says it (one line less per referral at intake rates).
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(EngagementOrchestrator), StateFor(received), new StartOrchestrationOptions(received.Id.Value), cancellationToken);
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            // scheduled already (the id is new, so only by this intake's own retry)
        }
    }

    private static CommandResult EngagementNotFound(EngagementId id) =>
        CommandResult.NotFound("EngagementNotFound", $"No engagement {id}.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId}: {What}")]
    private partial void LogReferral(EngagementId engagementId, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId}: refused {Event} ({Fit})")]
    private partial void LogRefused(EngagementId engagementId, string @event, EventFit fit);
}
