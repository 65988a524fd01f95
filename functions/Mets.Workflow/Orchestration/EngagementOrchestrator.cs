using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Policy;
using Microsoft.DurableTask;
using Mets.Workflow.Activities;
using Mets.Workflow.CarePlans;
using Mets.Workflow.Emails;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Orchestration;

/// <summary>
/// One METS engagement (instance id = engagement id). Each generation runs one step (assessment,
/// review n, closure review n) and continues as new into the next, so a year-long engagement keeps a
/// short history. Within a step, one waiter per event name is created once and raced against the
/// step's successive timers (reminder, escalation, maximum duration, closure-review deadline); every
/// live timer and waiter is cancelled before the step ends. Events that do not fit
/// (<see cref="EventFitRule"/>) are noted in the timeline and ignored. After the assessment, one
/// <see cref="ProviderOutreachOrchestrator"/> per provider runs beside the reviews, as an instance of its own
/// (started by <see cref="StartProviderOutreachActivity"/>, never a sub-orchestration: an open child would hold the
/// generation's ContinueAsNew), and reports back with events.
/// </summary>
public sealed partial class EngagementOrchestrator(EngagementSchedule schedule) : TaskOrchestrator<EngagementState, EngagementResult?>
{
    private readonly EngagementSchedule _schedule = schedule;

    /// <summary>Events handled within one step before the generation continues as new (bounds history).</summary>
    public const int MaxEventsPerGeneration = 50;

    /// <summary>How long a closure waits for its running outreach to stop and report before it closes without them.</summary>
    public static readonly TimeSpan OutreachStopWait = TimeSpan.FromMinutes(15);

    /// <summary>Activities retry for about 20 minutes (5 s doubling to 5 min) before the orchestration fails; a failed instance is repaired from the case document.</summary>
    internal static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(10, TimeSpan.FromSeconds(5), 2.0, TimeSpan.FromMinutes(5)));

    /// <summary>Every event name the engagement listens to, in every step.</summary>
    internal static readonly string[] EventNames =
    [
        nameof(ReferralAttached), nameof(AssessmentCompleted), nameof(MemberContactAttempted), nameof(ReviewCompleted),
        nameof(ClosureReviewDecided), nameof(ClaimsActivityObserved), nameof(ClosureRequested), OutreachReported.EventName,
        FollowUpChanged.EventName, CareTeamOutreachRequested.EventName,
    ];

    public override async Task<EngagementResult?> RunAsync(TaskOrchestrationContext context, EngagementState input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
        var state = input;
        if (state.Status == EngagementStatus.Received)
        {
            var started = await context.CallActivityAsync<EngagementStarted>(
                nameof(StartEngagementActivity), new StartEngagementRequest(state.EngagementId, Now(context)), ActivityRetry);
            state = state.EnterStep(StepReference.Assessment, started.AssessmentDueAt, started.Clinician) with
            {
                Status = EngagementStatus.Open,
                Clinician = started.Clinician,
                Supervisor = started.Supervisor,
                MaximumDurationEndsAt = started.MaximumDurationEndsAt,
                ReferralIds = started.ReferralIds,
            };
            LogStarted(log, state.EngagementId, state.Step);
        }

        var step = await new StepRun(this, context, state).RunAsync();
        if (step.Closed is { } reason)
        {
            context.SetCustomStatus(EngagementStatusView.From(step.State, Now(context)));
            LogClosed(log, state.EngagementId, reason);
            return new EngagementResult(state.EngagementId, reason, state.Generation);
        }

        context.ContinueAsNew(step.State with { Generation = step.State.Generation + 1 });
        return null;
    }

    internal static DateTimeOffset Now(TaskOrchestrationContext context) =>
        new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

    internal static Task<bool> UpdateCase(TaskOrchestrationContext context, EngagementState state, CaseUpdate update) =>
        UpdateCase(context, state.EngagementId, $"{state.Run:N}:g{state.Generation}", update);

    /// <summary>
    /// Calls <see cref="UpdateCaseActivity"/>. The change id joins the instance, the run and generation
    /// (<paramref name="scope"/>) and a replay-safe GUID: NewGuid restarts its counter after ContinueAsNew
    /// and in a repaired run, so the scope keeps their ids apart.
    /// </summary>
    internal static Task<bool> UpdateCase(TaskOrchestrationContext context, Mets.Domain.Identifiers.EngagementId engagement, string scope, CaseUpdate update) =>
        context.CallActivityAsync<bool>(
            nameof(UpdateCaseActivity),
            new CaseUpdateRequest(engagement, $"{context.InstanceId}:{scope}:{context.NewGuid():N}", update),
            ActivityRetry);

    /// <summary>The change id of a claims activity with a stable identity: the instance and the event id, nothing that
    /// varies with the generation, the run or the time it arrived.</summary>
    internal static string ClaimsChangeId(TaskOrchestrationContext context, string eventId) => $"{context.InstanceId}:claims:{eventId}";

    internal static Task<bool> Email(TaskOrchestrationContext context, EmailRequest request) =>
        context.CallActivityAsync<bool>(nameof(SendEmailActivity), request, ActivityRetry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId} waiting on {Step}")]
    private static partial void LogStarted(ILogger logger, Mets.Domain.Identifiers.EngagementId engagementId, StepReference step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, Mets.Domain.Identifiers.EngagementId engagementId, ClosureReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId} {Step}: {What}")]
    internal static partial void LogStep(ILogger logger, Mets.Domain.Identifiers.EngagementId engagementId, StepReference step, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement {EngagementId}: closing without the report of {Count} outreach (no answer to the stop in time)")]
    private static partial void LogClosingWithoutOutreach(ILogger logger, Mets.Domain.Identifiers.EngagementId engagementId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId} {Step}: ignored {Event} ({Fit})")]
    internal static partial void LogIgnored(ILogger logger, Mets.Domain.Identifiers.EngagementId engagementId, StepReference step, string @event, EventFit fit);

    /// <summary>How a step ended: the next step's state, or closed with a reason.</summary>
    internal sealed record StepEnd(EngagementState State, ClosureReason? Closed);

    private enum WakeKind
    {
        Reminder,
        Escalation,
        MaximumDuration,
        ClosureDecisionDeadline,

        /// <summary>A care-plan follow-up (a community-resource referral) is due soon: remind the clinician.</summary>
        FollowUpReminder,

        /// <summary>A care-plan follow-up is overdue: escalate to the supervisor.</summary>
        FollowUpEscalation,
    }

    /// <summary>One step's wait loop.</summary>
    private sealed class StepRun(EngagementOrchestrator owner, TaskOrchestrationContext context, EngagementState initial)
    {
        /// <summary>What a waiter cancelled when the step ends answers (<see cref="Payload"/>): never an event's payload.</summary>
        private static readonly object WaitCancelled = new();

        private readonly EngagementSchedule _schedule = owner._schedule;
        private EngagementState _state = initial;

        public async Task<StepEnd> RunAsync()
        {
            using var events = new CancellationTokenSource();
            var waiters = new Dictionary<string, Task<object>>(StringComparer.Ordinal);
            foreach (var name in EventNames)
            {
                waiters[name] = Wait(name, events.Token);
            }

            CancellationTokenSource? timerCancellation = null;
            Task? timer = null;
            var wake = WakeKind.Reminder;
            string? wakeFollowUp = null;
            var handled = 0;
            Outcome outcome;
            try
            {
                // Bounded: at most MaxEventsPerGeneration wake-ups and events, then the generation continues as new.
                do
                {
                    context.SetCustomStatus(EngagementStatusView.From(_state, Now(context)));
                    if (timer is null && NextWake(Now(context)) is { } next)
                    {
                        wake = next.Kind;
                        wakeFollowUp = next.FollowUp;
                        timerCancellation = new CancellationTokenSource();
                        timer = context.CreateTimer(next.At.UtcDateTime, timerCancellation.Token);
                    }

                    var racing = new List<Task>(waiters.Values);
                    if (timer is not null)
                    {
                        racing.Add(timer);
                    }

                    var winner = await Task.WhenAny(racing);
                    if (winner == timer)
                    {
                        timerCancellation!.Dispose();
                        timerCancellation = null;
                        timer = null;
                        outcome = wakeFollowUp is { } followUp ? await OnFollowUpWakeAsync(wake, followUp) : await OnWakeAsync(wake);
                    }
                    else
                    {
                        var name = waiters.First(w => w.Value == winner).Key;
                        var payload = await waiters[name];
                        waiters[name] = Wait(name, events.Token);
                        outcome = await OnEventAsync(payload);
                    }

                    if (outcome.Timing && timerCancellation is not null)
                    {
                        timerCancellation.Cancel();
                        timerCancellation.Dispose();
                        timerCancellation = null;
                        timer = null;
                    }

                }
                while (outcome.End is null && ++handled < MaxEventsPerGeneration);

                timerCancellation?.Cancel();
                events.Cancel();
                if (outcome.End is { Closed: { } reason } end)
                {
                    return await CloseAsync(end.State, reason, outcome.ClosedBy ?? Actor.System, waiters[OutreachReported.EventName]);
                }

                ForwardUnhandled(waiters);
                return outcome.End ?? new StepEnd(_state, null);
            }
            finally
            {
                timerCancellation?.Dispose();
            }
        }

        /// <summary>
        /// The event's payload once delivered, or <see cref="WaitCancelled"/> for a waiter cancelled at the step's end:
        /// the same one hop through the orchestration's context as awaiting the waiter, without throwing an
        /// OperationCanceledException for each of the step's waiters (the engine still fails the step on any other fault).
        /// </summary>
        private static async Task<object> Payload<T>(Task<T> waiter)
            where T : class
        {
            await ((Task)waiter).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            return waiter.IsCanceled ? WaitCancelled : await waiter;
        }

        /// <summary>
        /// An event delivered to a waiter while the step was busy (awaiting an activity) is consumed but not yet
        /// handled: send it to this instance again so the next generation handles it (never lose an event).
        /// </summary>
        private void ForwardUnhandled(Dictionary<string, Task<object>> waiters)
        {
            foreach (var (name, waiter) in waiters)
            {
                if (waiter.IsCompletedSuccessfully && waiter.Result != WaitCancelled)
                {
                    context.SendEvent(context.InstanceId, name, waiter.Result);
                }
            }
        }

        private Task<object> Wait(string name, CancellationToken token) => name switch
        {
            nameof(ReferralAttached) => Payload(context.WaitForExternalEvent<ReferralAttached>(name, token)),
            nameof(AssessmentCompleted) => Payload(context.WaitForExternalEvent<AssessmentCompleted>(name, token)),
            nameof(MemberContactAttempted) => Payload(context.WaitForExternalEvent<MemberContactAttempted>(name, token)),
            nameof(ReviewCompleted) => Payload(context.WaitForExternalEvent<ReviewCompleted>(name, token)),
            nameof(ClosureReviewDecided) => Payload(context.WaitForExternalEvent<ClosureReviewDecided>(name, token)),
            nameof(ClaimsActivityObserved) => Payload(context.WaitForExternalEvent<ClaimsActivityObserved>(name, token)),
            nameof(ClosureRequested) => Payload(context.WaitForExternalEvent<ClosureRequested>(name, token)),
            OutreachReported.EventName => Payload(context.WaitForExternalEvent<OutreachReported>(name, token)),
            FollowUpChanged.EventName => Payload(context.WaitForExternalEvent<FollowUpChanged>(name, token)),
            CareTeamOutreachRequested.EventName => Payload(context.WaitForExternalEvent<CareTeamOutreachRequested>(name, token)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), "Unknown engagement event."),
        };

        /// <summary>
        /// The next timer: the step's (reminder, escalation, maximum-duration end, closure-review deadline) or, when one
        /// comes first, a care-plan follow-up's (reminder, escalation; ties go to the step). Without follow-ups this is
        /// the step's timer alone, as before follow-ups existed.
        /// </summary>
        private (DateTimeOffset At, WakeKind Kind, string? FollowUp)? NextWake(DateTimeOffset now)
        {
            var step = NextStepWake(now);
            foreach (var (id, followUp) in _state.WatchedFollowUps.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                if (_schedule.NextStepTimer(followUp.DueAt, now, followUp.Reminded, followUp.Escalated) is { } t && (step is null || t.At < step.Value.At))
                {
                    step = (t.At, t.Kind == StepTimerKind.Reminder ? WakeKind.FollowUpReminder : WakeKind.FollowUpEscalation, id);
                }
            }

            return step;
        }

        /// <summary>The step's next timer: reminder, escalation, maximum-duration end, or closure-review deadline.</summary>
        private (DateTimeOffset At, WakeKind Kind, string? FollowUp)? NextStepWake(DateTimeOffset now)
        {
            if (_state.DueAt is not { } due)
            {
                return null;
            }

            if (_state.Step.Step == EngagementStep.ClosureReview)
            {
                return !_state.Reminded
                    ? (_schedule.ReminderAt(due, now), WakeKind.Reminder, null)
                    : (due > now ? due : now, WakeKind.ClosureDecisionDeadline, null);
            }

            (DateTimeOffset At, WakeKind Kind, string? FollowUp)? stepTimer = _schedule.NextStepTimer(due, now, _state.Reminded, _state.Escalated) is { } t
                ? (t.At, t.Kind == StepTimerKind.Reminder ? WakeKind.Reminder : WakeKind.Escalation, null)
                : null;
            if (_state.MaximumDurationEndsAt is { } end && (stepTimer is null || end <= stepTimer.Value.At))
            {
                return (end > now ? end : now, WakeKind.MaximumDuration, null);
            }

            return stepTimer;
        }

        /// <summary>A follow-up's reminder to the clinician or escalation to the supervisor: recorded on the case, then emailed (as a step's).</summary>
        private async Task<Outcome> OnFollowUpWakeAsync(WakeKind kind, string interventionId)
        {
            var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
            var now = Now(context);
            var id = _state.EngagementId;
            if (!_state.WatchedFollowUps.TryGetValue(interventionId, out var followUp))
            {
                return Outcome.Continue;
            }

            var escalation = kind == WakeKind.FollowUpEscalation;
            var to = escalation ? _state.Supervisor : _state.Clinician;
            var number = int.Parse(interventionId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            await UpdateCase(context, _state, new FollowUpTimerRecorded(interventionId, escalation, to, now));
            await Email(context, new EmailRequest(escalation ? EmailKind.FollowUpEscalation : EmailKind.FollowUpReminder, id, null, to, null, followUp.DueAt, number, null,
                $"{id}-{interventionId}-follow-up-{(escalation ? "escalation" : "reminder")}-{followUp.DueAt:yyyyMMddHHmm}", now));
            var follow = new Dictionary<string, FollowUpTimer>(_state.WatchedFollowUps, StringComparer.Ordinal)
            {
                [interventionId] = escalation ? followUp with { Reminded = true, Escalated = true } : followUp with { Reminded = true },
            };
            _state = _state with { FollowUps = follow };
            LogStep(log, id, _state.Step, escalation ? "follow-up escalated to supervisor" : "follow-up reminder sent");
            return Outcome.Continue;
        }

        /// <summary>An intervention's follow-up was set, moved or ended: watch it (keeping its marks when the due date is the same) or stop.</summary>
        private static EngagementState WithFollowUp(EngagementState state, FollowUpChanged changed)
        {
            var follow = new Dictionary<string, FollowUpTimer>(state.WatchedFollowUps, StringComparer.Ordinal);
            if (changed.DueAt is not { } due)
            {
                follow.Remove(changed.InterventionId);
            }
            else if (!follow.TryGetValue(changed.InterventionId, out var watched) || watched.DueAt != due)
            {
                follow[changed.InterventionId] = new FollowUpTimer(due, false, false);
            }

            return state with { FollowUps = follow };
        }

        private async Task<Outcome> OnWakeAsync(WakeKind kind)
        {
            var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
            var now = Now(context);
            var id = _state.EngagementId;
            switch (kind)
            {
                case WakeKind.Reminder:
                    await UpdateCase(context, _state, new ReminderRecorded(now));
                    await Email(context, new EmailRequest(EmailKind.StepReminder, id, null, _state.Owner, _state.Step, _state.DueAt, 0, null, $"{id}-{_state.Step}-reminder-{_state.DueAt:yyyyMMddHHmm}", now));
                    _state = _state with { Reminded = true };
                    LogStep(log, id, _state.Step, "reminder sent");
                    return Outcome.Continue;
                case WakeKind.Escalation:
                    await UpdateCase(context, _state, new EscalationRecorded(_state.Supervisor, now));
                    await Email(context, new EmailRequest(EmailKind.StepEscalation, id, null, _state.Supervisor, _state.Step, _state.DueAt, 0, null, $"{id}-{_state.Step}-escalation-{_state.DueAt:yyyyMMddHHmm}", now));
                    _state = _state with { Escalated = true };
                    LogStep(log, id, _state.Step, "escalated to supervisor");
                    return Outcome.Continue;
                case WakeKind.MaximumDuration:
                    var decisionDue = _schedule.ClosureDecisionDueAt(now);
                    var closureReview = StepReference.ClosureReview(_state.ClosureReviewsStarted + 1);
                    await UpdateCase(context, _state, new ClosureReviewStarted(decisionDue, _state.Supervisor, now));
                    await Email(context, new EmailRequest(EmailKind.ClosureReviewOpened, id, null, _state.Supervisor, closureReview, decisionDue, 0, null, $"{id}-{closureReview}-opened", now));
                    return Outcome.Next(_state.EnterStep(closureReview, decisionDue, _state.Supervisor) with { ClosureReviewsStarted = _state.ClosureReviewsStarted + 1 });
                default:
                    var result = _schedule.DecideClosureReview(null, null, _state.DueAt ?? now, now);
                    return Outcome.Close(_state, result.Reason ?? ClosureReason.MaximumDurationReached, Actor.System);
            }
        }

        private async Task<Outcome> OnEventAsync(object payload)
        {
            var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
            if (payload is OutreachReported report)
            {
                _state = WithOutreach(_state, report);
                return Outcome.Continue;
            }

            if (payload is FollowUpChanged followUp)
            {
                _state = WithFollowUp(_state, followUp);
                return Outcome.Retime;
            }

            if (payload is CareTeamOutreachRequested careTeam)
            {
                return await OnCareTeamOutreachAsync(careTeam);
            }

            var evt = (EngagementEvent)payload;
            var now = Now(context);
            var fit = EventFitRule.Evaluate(evt, _state.Position);
            if (fit != EventFit.Fits)
            {
                await UpdateCase(context, _state, new EventIgnored(evt, fit, now));
                LogIgnored(log, _state.EngagementId, _state.Step, evt.GetType().Name, fit);
                return Outcome.Continue;
            }

            return evt switch
            {
                ReferralAttached e => await OnReferralAttachedAsync(e, now),
                MemberContactAttempted e => await OnContactAsync(e, now),
                AssessmentCompleted e => await OnAssessmentAsync(e, now),
                ReviewCompleted e => await OnReviewAsync(e, now),
                ClosureReviewDecided e => await OnClosureDecisionAsync(e, now),
                ClaimsActivityObserved e => await OnClaimsAsync(e, now),
                ClosureRequested e => await OnClosureRequestedAsync(e, now),
                _ => Outcome.Continue,
            };
        }

        /// <summary>
        /// A care-team participant joins the outreach after the assessment: their own outreach instance (the same
        /// reminders and escalation as a treating provider's), in the state's outreach so the closure stops it and waits
        /// for its report. Once per participant; before the assessment the request is ignored (the assessment starts
        /// the outreach of the providers it confirms).
        /// </summary>
        private async Task<Outcome> OnCareTeamOutreachAsync(CareTeamOutreachRequested request)
        {
            var outreachId = Mets.Domain.Identifiers.OutreachId.For(_state.EngagementId, request.Npi);
            if (request.EngagementId != _state.EngagementId || _state.Step.Step is not (EngagementStep.Review or EngagementStep.ClosureReview)
                || _state.Outreach.ContainsKey(outreachId))
            {
                var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
                LogStep(log, _state.EngagementId, _state.Step, "care-team outreach request ignored (not after the assessment, or started already)");
                return Outcome.Continue;
            }

            await UpdateCase(context, _state, new CareTeamOutreachStarted(outreachId, request.Role, Now(context)));
            await context.CallActivityAsync<bool>(nameof(StartProviderOutreachActivity), new OutreachInput(outreachId, request.Role), ActivityRetry);
            _state = _state with { Outreach = new Dictionary<Mets.Domain.Identifiers.OutreachId, ProviderOutreachStatus>(_state.Outreach) { [outreachId] = ProviderOutreachStatus.Pending } };
            return Outcome.Continue;
        }

        private async Task<Outcome> OnReferralAttachedAsync(ReferralAttached e, DateTimeOffset now)
        {
            DateTimeOffset? newDue = _state.Step.Step == EngagementStep.Assessment && _state.DueAt is { } due
                ? _schedule.AssessmentDueAfterReferralAttached(due, now, e.UrgentOrSafetyConcern)
                : null;
            await UpdateCase(context, _state, new ReferralAttachment(e.ReferralId, newDue, now));
            _state = _state with { ReferralIds = [.. _state.ReferralIds, e.ReferralId] };
            if (newDue is { } moved && moved != _state.DueAt)
            {
                _state = _state with { DueAt = moved, Reminded = false };
                return Outcome.Retime;
            }

            return Outcome.Continue;
        }

        private async Task<Outcome> OnContactAsync(MemberContactAttempted e, DateTimeOffset now)
        {
            await UpdateCase(context, _state, new ContactAttemptRecorded(e.Outcome, e.AttemptedBy, now));
            _state = _state with { ContactAttemptsRecorded = _state.ContactAttemptsRecorded + 1, ContactStreak = _state.ContactStreak.After(e.Outcome) };
            return _schedule.IsUnableToReach(_state.ContactStreak)
                ? Outcome.Close(_state, ClosureReason.UnableToReach, Actor.System)
                : Outcome.Continue;
        }

        private async Task<Outcome> OnAssessmentAsync(AssessmentCompleted e, DateTimeOffset now)
        {
            var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
            var safety = e.Scores.HasSafetyRisk;
            await UpdateCase(context, _state, new AssessmentApplied(e.Risk, safety, _state.Supervisor, e.TreatingProviders, now));
            var id = _state.EngagementId;
            if (safety)
            {
                await Email(context, new EmailRequest(EmailKind.SafetyEscalation, id, null, _state.Supervisor, _state.Step, _state.DueAt, 0, null, $"{id}-{_state.Step}-safety", now));
                LogStep(log, id, _state.Step, "safety risk escalated to supervisor");
            }

            var outreach = new Dictionary<Mets.Domain.Identifiers.OutreachId, ProviderOutreachStatus>(_state.Outreach);
            foreach (var provider in e.TreatingProviders)
            {
                var outreachId = Mets.Domain.Identifiers.OutreachId.For(id, provider.Npi);
                if (outreach.TryAdd(outreachId, ProviderOutreachStatus.Pending))
                {
                    // An instance of its own, not a child (a child would hold this generation's ContinueAsNew for weeks):
                    // it reports back with events; the reviews never wait for it.
                    await context.CallActivityAsync<bool>(nameof(StartProviderOutreachActivity), new OutreachInput(outreachId, provider.Role), ActivityRetry);
                }
            }

            var due = Cap(_schedule.NextReviewDueAt(now, e.Risk.Tier));
            await UpdateCase(context, _state, new NextReviewStarted(due, now));
            return Outcome.Next(_state.EnterStep(StepReference.Review(1), due, _state.Clinician) with
            {
                Tier = e.Risk.Tier,
                ReviewsStarted = 1,
                Outreach = outreach,
            });
        }

        private async Task<Outcome> OnReviewAsync(ReviewCompleted e, DateTimeOffset now)
        {
            await UpdateCase(context, _state, new ReviewApplied(e, now));
            _state = _state with { Tier = e.Risk.Tier };
            if (e.CloseWith is { } reason)
            {
                return Outcome.Close(_state, reason, Actor.Staff(ActorKind.Clinician, e.ReviewedBy));
            }

            var due = Cap(_schedule.NextReviewDueAt(now, e.Risk.Tier));
            await UpdateCase(context, _state, new NextReviewStarted(due, now));
            return Outcome.Next(_state.EnterStep(StepReference.Review(_state.ReviewsStarted + 1), due, _state.Clinician) with { ReviewsStarted = _state.ReviewsStarted + 1 });
        }

        private async Task<Outcome> OnClosureDecisionAsync(ClosureReviewDecided e, DateTimeOffset now)
        {
            var result = _schedule.DecideClosureReview(e.Decision, e.Reason, _state.DueAt ?? now, now);
            if (result.Kind == ClosureReviewResultKind.Extend && result.ExtendedUntil is { } until)
            {
                await UpdateCase(context, _state, new EngagementExtension(until, e.DecidedBy, now));
                _state = _state with { MaximumDurationEndsAt = until };
                var due = Cap(_schedule.NextReviewDueAt(now, _state.Tier ?? Mets.Domain.Risk.RiskTier.Moderate));
                await UpdateCase(context, _state, new NextReviewStarted(due, now));
                return Outcome.Next(_state.EnterStep(StepReference.Review(_state.ReviewsStarted + 1), due, _state.Clinician) with { ReviewsStarted = _state.ReviewsStarted + 1 });
            }

            return Outcome.Close(_state, result.Reason ?? ClosureReason.MaximumDurationReached, Actor.Staff(ActorKind.Supervisor, e.DecidedBy));
        }

        private async Task<Outcome> OnClaimsAsync(ClaimsActivityObserved e, DateTimeOffset now)
        {
            var log = context.CreateReplaySafeLogger<EngagementOrchestrator>();
            var update = new ClaimsActivityRecorded(e.Kind, e.Measure, e.ActivityAt, now, e.EventId);
            if (e.EventId is { } eventId)
            {
                // Durable Task delivers every raised event, so the same claims activity can arrive twice (a re-sent
                // or overlapping file, a retried route). Its change id is its stable identity, the same in every
                // generation and run of this instance: the case store applies it once, and a repeat changes nothing.
                var applied = await context.CallActivityAsync<bool>(
                    nameof(UpdateCaseActivity), new CaseUpdateRequest(_state.EngagementId, ClaimsChangeId(context, eventId), update), ActivityRetry);
                if (!applied && e.Kind != ClaimsActivityKind.EligibilityLost)
                {
                    LogStep(log, _state.EngagementId, _state.Step, "claims activity seen before; ignored");
                    return Outcome.Continue;
                }
            }
            else
            {
                await UpdateCase(context, _state, update);
            }

            if (e.Kind == ClaimsActivityKind.EligibilityLost)
            {
                return Outcome.Close(_state, ClosureReason.LostEligibility, Actor.ClaimsAnalytics);
            }

            if (e.Kind == ClaimsActivityKind.BehavioralHealthInpatientDischarge && _state.Step.Step == EngagementStep.Review && _state.DueAt is { } due)
            {
                var moved = _schedule.ReviewDueAfterDischarge(due, e.ActivityAt, now);
                if (moved != due)
                {
                    await UpdateCase(context, _state, new ReviewDueMoved(moved, "discharge", now));
                    _state = _state with { DueAt = moved, Reminded = false, Escalated = false };
                    LogStep(log, _state.EngagementId, _state.Step, "review pulled forward by a discharge");
                    return Outcome.Retime;
                }
            }

            return Outcome.Continue;
        }

        private async Task<Outcome> OnClosureRequestedAsync(ClosureRequested e, DateTimeOffset now)
        {
            await UpdateCase(context, _state, new ClosureRequestRecorded(e.Reason, e.RequestedBy, now));
            return Outcome.Close(_state, e.Reason, e.RequestedBy);
        }

        private DateTimeOffset Cap(DateTimeOffset due) =>
            _state.MaximumDurationEndsAt is { } end && due > end ? end : due;

        /// <summary>
        /// Closes: stops every running outreach child and waits for each to say how it ended, then the case document,
        /// then the closure summaries to the providers contacted. An outreach applies what it took before the stop (a
        /// provider's answer, a reminder or escalation email it sent) while the case is still open, so the closed case,
        /// its outcome and the summaries include them. <paramref name="pendingReport"/> is a report the step's waiter
        /// took but did not handle.
        /// </summary>
        private async Task<StepEnd> CloseAsync(EngagementState state, ClosureReason reason, Actor by, Task<object> pendingReport)
        {
            if (pendingReport.IsCompletedSuccessfully && pendingReport.Result is OutreachReported taken)
            {
                state = WithOutreach(state, taken);
            }

            state = await StopOutreachAsync(state, reason);
            var now = Now(context);
            await UpdateCase(context, state, new EngagementClosure(reason, by, now));
            await context.CallActivityAsync<int>(nameof(SendClosureSummariesActivity), new ClosureSummaryRequest(state.EngagementId, reason, now), ActivityRetry);
            var closed = state.EnterStep(StepReference.Closed, null, null) with { Status = EngagementStatus.Closed };
            return new StepEnd(closed, reason);
        }

        /// <summary>
        /// Sends <see cref="OutreachStopRequested"/> to every running outreach and waits (at most <see cref="OutreachStopWait"/>,
        /// for an outreach that never answers, e.g. a failed instance) until each has reported an ending status. Which
        /// outreach runs comes from the case document (<see cref="RunningOutreachActivity"/>), not from the reports this
        /// instance received, which can arrive out of order or, across a restart, not at all before the closure.
        /// </summary>
        private async Task<EngagementState> StopOutreachAsync(EngagementState state, ClosureReason reason)
        {
            var mayRun = state.Outreach.Where(o => ProviderOutreach.IsRunningStatus(o.Value)).Select(o => o.Key).ToHashSet();
            if (mayRun.Count == 0)
            {
                return state;
            }

            var running = (await context.CallActivityAsync<Mets.Domain.Identifiers.OutreachId[]>(
                nameof(RunningOutreachActivity), state.EngagementId, ActivityRetry)).Where(mayRun.Contains).ToHashSet();
            foreach (var outreachId in running.OrderBy(o => o.Value, StringComparer.Ordinal))
            {
                context.SendEvent(outreachId.Value, OutreachStopRequested.EventName, new OutreachStopRequested(reason));
            }

            if (running.Count == 0)
            {
                return state;
            }

            using var cancellation = new CancellationTokenSource();
            var deadline = context.CreateTimer(Now(context).Add(OutreachStopWait).UtcDateTime, cancellation.Token);
            while (running.Count > 0)
            {
                var report = context.WaitForExternalEvent<OutreachReported>(OutreachReported.EventName, cancellation.Token);
                if (await Task.WhenAny(report, deadline) == deadline)
                {
                    LogClosingWithoutOutreach(context.CreateReplaySafeLogger<EngagementOrchestrator>(), state.EngagementId, running.Count);
                    break;
                }

                var reported = await report;
                state = WithOutreach(state, reported);
                if (!ProviderOutreach.IsRunningStatus(reported.Status))
                {
                    running.Remove(reported.OutreachId);
                }
            }

            cancellation.Cancel();
            return state;
        }

        /// <summary>The state with a report applied, unless a later status of that outreach is known (reports can arrive out of order).</summary>
        private static EngagementState WithOutreach(EngagementState state, OutreachReported report) =>
            state.Outreach.TryGetValue(report.OutreachId, out var known) && !ProviderOutreach.Supersedes(report.Status, known)
                ? state
                : state with { Outreach = new Dictionary<Mets.Domain.Identifiers.OutreachId, ProviderOutreachStatus>(state.Outreach) { [report.OutreachId] = report.Status } };
    }

    /// <summary>What handling a wake-up or an event decided.</summary>
    private sealed record Outcome(StepEnd? End, bool Timing, Actor? ClosedBy)
    {
        public static Outcome Continue { get; } = new(null, false, null);

        /// <summary>The due date moved: recompute the timer.</summary>
        public static Outcome Retime { get; } = new(null, true, null);

        public static Outcome Next(EngagementState state) => new(new StepEnd(state, null), true, null);

        public static Outcome Close(EngagementState state, ClosureReason reason, Actor by) => new(new StepEnd(state, reason), true, by);
    }
}
