using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Microsoft.DurableTask;
using Mets.Workflow.Activities;
using Mets.Workflow.Emails;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Orchestration;

/// <summary>
/// One treating provider's outreach (instance id <c>{engagementId}:outreach:{npi}</c>): the request email
/// on day 0, reminders on days 3, 6 and 9, escalation to the medical director for a peer-to-peer review
/// on day 12, then up to 14 more days for a response or a recorded peer-to-peer outcome before it ends
/// as "no response". Each status change is written to the case document and reported to the engagement
/// with <see cref="OutreachReported"/>; <see cref="OutreachStopRequested"/> (closure) stops it, and the engagement waits
/// for that report before it closes the case, so what the outreach did before the stop (an answer taken, an email sent)
/// is recorded on the open case.
/// </summary>
public sealed partial class ProviderOutreachOrchestrator(EngagementSchedule schedule) : TaskOrchestrator<OutreachInput, ProviderOutreachStatus>
{
    public override async Task<ProviderOutreachStatus> RunAsync(TaskOrchestrationContext context, OutreachInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var log = context.CreateReplaySafeLogger<ProviderOutreachOrchestrator>();
        var id = input.OutreachId;
        var engagement = id.Engagement;
        var status = ProviderOutreachStatus.Pending;
        var now = EngagementOrchestrator.Now(context);

        await Email(context, EmailKind.ProviderCollaborationRequest, input, 0, $"{id}-request", now);
        status = await Record(context, input, OutreachChange.Emailed, ProviderOutreachStatus.Emailed, now);
        var plan = schedule.ProviderOutreachPlan(now);

        using var events = new CancellationTokenSource();
        var responded = context.WaitForExternalEvent<ProviderResponded>(nameof(ProviderResponded), events.Token);
        var peerReview = context.WaitForExternalEvent<PeerReviewRecorded>(nameof(PeerReviewRecorded), events.Token);
        var stop = context.WaitForExternalEvent<OutreachStopRequested>(OutreachStopRequested.EventName, events.Token);
        foreach (var step in plan.Steps)
        {
            using var timerCancellation = new CancellationTokenSource();
            var timer = context.CreateTimer(step.At.UtcDateTime, timerCancellation.Token);

            // Bounded by the step's timer: answers that do not fit are noted and awaited again until it fires.
            while (!timer.IsCompleted)
            {
                var winner = await Task.WhenAny(timer, responded, peerReview, stop);
                now = EngagementOrchestrator.Now(context);
                if (winner == timer)
                {
                    break;
                }

                if (winner == stop)
                {
                    timerCancellation.Cancel();
                    events.Cancel();
                    Report(context, id, ProviderOutreachStatus.StoppedAtClosure); // the closure waits for this
                    LogOutreach(log, id.Value, "stopped at closure");
                    return ProviderOutreachStatus.StoppedAtClosure;
                }

                EngagementEvent answer = winner == responded ? await responded : await peerReview;
                var fit = EventFitRule.Evaluate(answer, Position(id, status));
                if (fit != EventFit.Fits)
                {
                    await EngagementOrchestrator.UpdateCase(context, engagement, "outreach", new EventIgnored(answer, fit, now));
                    if (winner == responded)
                    {
                        responded = context.WaitForExternalEvent<ProviderResponded>(nameof(ProviderResponded), events.Token);
                    }
                    else
                    {
                        peerReview = context.WaitForExternalEvent<PeerReviewRecorded>(nameof(PeerReviewRecorded), events.Token);
                    }

                    continue;
                }

                timerCancellation.Cancel();
                events.Cancel();
                if (answer is ProviderResponded r)
                {
                    await EngagementOrchestrator.UpdateCase(context, engagement, "outreach", new OutreachProgress(id, input.Role, OutreachChange.Answered, r.Response, null, null, now));
                    Report(context, id, ProviderOutreachStatus.Responded);
                    LogOutreach(log, id.Value, "provider responded");
                    return ProviderOutreachStatus.Responded;
                }

                var p = (PeerReviewRecorded)answer;
                await EngagementOrchestrator.UpdateCase(context, engagement, "outreach", new OutreachProgress(id, input.Role, OutreachChange.PeerReviewed, null, p.Outcome, p.RecordedBy, now));
                Report(context, id, ProviderOutreachStatus.PeerReviewRecorded);
                LogOutreach(log, id.Value, "peer review recorded");
                return ProviderOutreachStatus.PeerReviewRecorded;
            }

            switch (step.Kind)
            {
                case OutreachStepKind.Reminder:
                    await Email(context, EmailKind.ProviderReminder, input, step.ReminderNumber, $"{id}-reminder-{step.ReminderNumber}", now);
                    status = await Record(context, input, OutreachChange.Reminded, ProviderOutreachStatus.Reminded, now);
                    break;
                case OutreachStepKind.PeerToPeerEscalation:
                    await EngagementOrchestrator.Email(context, new EmailRequest(
                        EmailKind.PeerToPeerEscalation, engagement, null, null, null, null, 0, null, $"{id}-peer-to-peer", now));
                    status = await Record(context, input, OutreachChange.Escalated, ProviderOutreachStatus.EscalatedToPeerReview, now);
                    LogOutreach(log, id.Value, "escalated to the medical director");
                    break;
                default:
                    events.Cancel();
                    await Record(context, input, OutreachChange.EndedWithoutResponse, ProviderOutreachStatus.NoResponse, now);
                    LogOutreach(log, id.Value, "ended without response");
                    return ProviderOutreachStatus.NoResponse;
            }
        }

        events.Cancel();
        return status;
    }

    private static EngagementPosition Position(OutreachId id, ProviderOutreachStatus status) => new(
        id.Engagement, EngagementStatus.Open, StepReference.Received, 0, 0, 0, [], new Dictionary<OutreachId, ProviderOutreachStatus> { [id] = status });

    private static async Task<ProviderOutreachStatus> Record(TaskOrchestrationContext context, OutreachInput input, OutreachChange change, ProviderOutreachStatus status, DateTimeOffset now)
    {
        await EngagementOrchestrator.UpdateCase(context, input.OutreachId.Engagement, "outreach", new OutreachProgress(input.OutreachId, input.Role, change, null, null, null, now));
        Report(context, input.OutreachId, status);
        return status;
    }

    private static void Report(TaskOrchestrationContext context, OutreachId id, ProviderOutreachStatus status) =>
        context.SendEvent(id.Engagement.Value, OutreachReported.EventName, new OutreachReported(id, status));

    private static Task<bool> Email(TaskOrchestrationContext context, EmailKind kind, OutreachInput input, int number, string key, DateTimeOffset now) =>
        EngagementOrchestrator.Email(context, new EmailRequest(kind, input.OutreachId.Engagement, input.OutreachId, null, null, null, number, null, key, now));

    [LoggerMessage(Level = LogLevel.Information, Message = "Outreach {OutreachId}: {What}")]
    private static partial void LogOutreach(ILogger logger, string outreachId, string what);
}
