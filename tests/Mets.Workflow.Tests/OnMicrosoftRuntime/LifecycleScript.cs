using System.Diagnostics;
using System.Globalization;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Application;
using Mets.Workflow.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>
/// The METS lifecycle, written once, run against any <see cref="ILifecycleRuntime"/>. Every moment comes from the
/// policy (<see cref="LifecycleComposition.Policy"/>, in seconds) and from when the script acted (t0: the referral,
/// ta: the assessment, tr1: review 1; the outreach instances start a little after ta, up to 2.5 s on a busy machine).
/// Every action follows a state the script waited for, and every timer is due at least about 4 s after the work before
/// it ends, so a slow machine cannot move an entry into another phase:
/// <list type="number">
/// <item>t0: referral with two providers: engagement open, assessment due t0+6 s;</item>
/// <item>t0+3 s: assessment reminder to the clinician; t0+6 s: overdue, escalated to the supervisor;</item>
/// <item>ta: assessment recorded (moderate risk): review 1 due ta+20 s; one outreach per provider emails its request;</item>
/// <item>ta+5 s: provider reminder 1 to both; provider A answers through the signed link in its email;</item>
/// <item>ta+10 s: provider reminder 2 to B only;</item>
/// <item>ta+17 s: review 1 reminder; review 1 recorded at tr1 (rescreen: high risk): next generation, review 2 due tr1+15 s;</item>
/// <item>ta+22 s: B escalated to the medical director (peer-to-peer);</item>
/// <item>tr1+12 s: review 2 reminder; review 2 recorded closing the engagement (goals met): B stopped, closure summaries to both.</item>
/// </list>
/// Without outreach the referral names no provider and items 4, 5 and 7 are left out.
/// </summary>
internal static class LifecycleScript
{
    /// <param name="runtime">Where to run.</param>
    /// <param name="withOutreach">Two treating providers (the whole scenario), or none (no outreach: the steps only).</param>
    /// <param name="memberNumber">The member (one open engagement per member: tests sharing a store use different ones).</param>
    public static async Task<LifecycleRecord> RunAsync(ILifecycleRuntime runtime, bool withOutreach, string memberNumber)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var policy = runtime.Services.GetRequiredService<EngagementSchedule>().Policy;
        var wall = Stopwatch.StartNew();
        var t0 = runtime.Now;

        var submitted = await runtime.Service.SubmitReferralAsync(Sample.Referral(id: $"REF-{memberNumber[^4..]}", memberNumber: memberNumber, at: t0, providers: withOutreach ? 2 : 0));
        Assert.Equal(SubmitReferralOutcome.Created, submitted.Outcome);
        var id = submitted.EngagementId!.Value;
        var a = OutreachId.For(id, Sample.ProviderA);
        var b = OutreachId.For(id, Sample.ProviderB);
        var run = new Run(runtime, id, t0);

        await run.ReachAsync("referral: engagement open, assessment assigned", t0,
            o => o.Case.Status == EngagementStatus.Open && o.Case.CurrentStep.Step == StepReference.Assessment);
        var assessmentDue = t0 + policy.AssessmentDue;
        await run.ReachAsync("assessment reminder to the clinician", assessmentDue - policy.ReminderLead,
            o => o.Case.CurrentStep.RemindedAt is not null && Sent(o, $"{id}-Assessment#1-reminder-") == 1);
        await run.ReachAsync("assessment overdue: escalated to the supervisor", assessmentDue + policy.SupervisorEscalationDelay,
            o => o.Case.CurrentStep.EscalatedAt is not null && Sent(o, $"{id}-Assessment#1-escalation-") == 1);

        var ta = runtime.Now;
        Accepted(await runtime.Service.RecordAssessmentAsync(id, Sample.Assessment(ta, Sample.Scores(phq9Total: 12))));
        OrchestrationMetadata? outreachA = null;
        if (withOutreach)
        {
            await run.ReachAsync("assessment recorded: review 1 open, both providers emailed", ta,
                o => o.Case.CurrentStep.Step == StepReference.Review(1)
                    && o.Case.Outreach.Count == 2 && o.Case.Outreach.All(x => x.Status == ProviderOutreachStatus.Emailed)
                    && Sent(o, $"{a}-request") == 1 && Sent(o, $"{b}-request") == 1);

            await run.ReachAsync("provider reminder 1 to both providers", ta + policy.ProviderReminderInterval,
                o => o.Case.Outreach.All(x => x.RemindersSent == 1) && Sent(o, $"{a}-reminder-1") == 1 && Sent(o, $"{b}-reminder-1") == 1);
            await AssertInstanceAtAsync(runtime, id, StepReference.Review(1), 1, "5 s after the assessment, while both outreach instances run");
            Accepted(await runtime.Service.RespondToOutreachAsync(TokenFromEmail(runtime.Outbox, a), ProviderResponse.WillCollaborate));
            await run.ReachAsync("provider A responded through the signed link", runtime.Now,
                o => Outreach(o, a).Status == ProviderOutreachStatus.Responded);
            outreachA = await runtime.WaitForCompletionAsync(a.Value);

            await run.ReachAsync("provider reminder 2 to B only", ta + (policy.ProviderReminderInterval * 2),
                o => Outreach(o, b).RemindersSent == 2 && Sent(o, $"{b}-reminder-2") == 1);
        }
        else
        {
            await run.ReachAsync("assessment recorded: review 1 open, no provider to contact", ta,
                o => o.Case.CurrentStep.Step == StepReference.Review(1) && o.Case.Timeline.Any(t => t.Kind == TimelineEntryKind.OutreachSkippedNoProviders));
        }

        await run.ReachAsync("review 1 reminder to the clinician", ta + policy.ModerateRiskReviewInterval - policy.ReminderLead,
            o => o.Case.CurrentStep.Step == StepReference.Review(1) && o.Case.CurrentStep.RemindedAt is not null && Sent(o, $"{id}-Review#1-reminder-") == 1);
        await AssertInstanceAtAsync(runtime, id, StepReference.Review(1), 1, "at the review 1 reminder");
        var tr1 = runtime.Now;
        Accepted(await runtime.Service.RecordReviewAsync(id, new ReviewSubmission(1, Sample.Scores(phq9Total: 22), null, Sample.Clinician)));
        await run.ReachAsync("review 1 recorded: review 2 open (next generation)", tr1,
            o => o.Case.CurrentStep.Step == StepReference.Review(2));

        if (withOutreach)
        {
            await run.ReachAsync("provider B escalated: peer-to-peer with the medical director", ta + policy.ProviderEscalationAfter,
                o => Outreach(o, b).Status == ProviderOutreachStatus.EscalatedToPeerReview && Sent(o, $"{b}-peer-to-peer") == 1);
        }

        await run.ReachAsync("review 2 reminder to the clinician", tr1 + policy.HighRiskReviewInterval - policy.ReminderLead,
            o => o.Case.CurrentStep.Step == StepReference.Review(2) && o.Case.CurrentStep.RemindedAt is not null && Sent(o, $"{id}-Review#2-reminder-") == 1);
        var tr2 = runtime.Now;
        Accepted(await runtime.Service.RecordReviewAsync(id, new ReviewSubmission(2, Sample.Scores(phq9Total: 3), ClosureReason.GoalsMet, Sample.Clinician)));
        var engagement = await runtime.WaitForCompletionAsync(id.Value);
        var outreachB = withOutreach ? await runtime.WaitForCompletionAsync(b.Value) : null;
        var contacted = withOutreach ? 2 : 0;
        var final = await run.ReachAsync(withOutreach ? "closed (goals met): outreach stopped, closure summaries to both providers" : "closed (goals met)", tr2,
            o => o.Case.Status == EngagementStatus.Closed
                && o.Case.Timeline.Count(t => t.Kind == TimelineEntryKind.ClosureSummarySent) == contacted
                && Sent(o, $"{id}-closure-") == contacted);
        wall.Stop();

        return new LifecycleRecord(runtime.Name, id, run.Checkpoints, final, engagement, outreachA, outreachB, wall.Elapsed);
    }

    /// <summary>The signed token in the provider's request email (the real .eml in the outbox), as the provider would click it.</summary>
    public static string TokenFromEmail(string outbox, OutreachId outreach)
    {
        using var message = MimeMessage.Load(Path.Combine(outbox, OutboxEmailSender.FileNameFor($"{outreach}-request")));
        var line = (message.TextBody ?? string.Empty).Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("https://", StringComparison.Ordinal));
        return line[(line.LastIndexOf('/') + 1)..];
    }

    /// <summary>
    /// The engagement instance's own view (its custom status) must agree with the case document: the generation that
    /// handled the previous step continued as new into <paramref name="step"/>. Checked where nothing has happened to
    /// the engagement for seconds, so the answer cannot depend on timing.
    /// </summary>
    private static async Task AssertInstanceAtAsync(ILifecycleRuntime runtime, EngagementId id, StepReference step, int generation, string when)
    {
        var instance = await runtime.Client.GetInstanceAsync(id.Value, getInputsAndOutputs: true);
        var status = instance?.ReadCustomStatusAs<EngagementStatusView>();
        Assert.True(
            instance?.RuntimeStatus == OrchestrationRuntimeStatus.Running && status?.Step == step.ToString() && status.Generation == generation,
            $"{runtime.Name}: {when}, the engagement instance should run generation {generation} at {step} (the case document is there); " +
            $"it is {instance?.RuntimeStatus} at {status?.Step} in generation {status?.Generation}. Instances: {await RuntimeDiagnostics.DescribeInstancesAsync(runtime.Client, id)}");
    }

    private static void Accepted(CommandResult result) => Assert.True(result.Status == CommandStatus.Accepted, $"{result.Status}: {result.Reason}");

    private static int Sent(Observation o, string keyStart) => o.Emails.Count(e => e.IdempotencyKey.StartsWith(keyStart, StringComparison.Ordinal));

    private static ProviderOutreach Outreach(Observation o, OutreachId id) => o.Case.Outreach.Single(x => x.Id == id);

    /// <summary>One run's checkpoints: each reached state with the timeline and email counts at that moment.</summary>
    private sealed class Run(ILifecycleRuntime runtime, EngagementId id, DateTimeOffset t0)
    {
        public List<Checkpoint> Checkpoints { get; } = [];

        public async Task<Observation> ReachAsync(string what, DateTimeOffset at, Func<Observation, bool> condition)
        {
            var seen = await runtime.ReachAsync(id, at, what, condition);
            var checkpoint = new Checkpoint(what, at - t0, runtime.Now - t0, seen.Case.CurrentStep.Step.ToString(), seen.Case.Timeline.Count, seen.Emails.Count);
            Checkpoints.Add(checkpoint);
            if (checkpoint.Reached - checkpoint.Due > RuntimeStalledException.Limit)
            {
                throw new RuntimeStalledException(runtime.Name, checkpoint);
            }

            return seen;
        }
    }
}

/// <summary>
/// A moment of the script was reached more than <see cref="Limit"/> after it was due. The script's timers are at least
/// about 4 s apart, so the runtime may have handled a later timer first (an overdue step escalated before its reminder
/// was answered, say), and the run no longer says anything about the runtime's semantics: the machine stalled it
/// (seen on CI: a reminder 14 s late on the in-process host while another test's host stalled too).
/// </summary>
internal sealed class RuntimeStalledException(string runtime, Checkpoint checkpoint)
    : Exception(string.Create(CultureInfo.InvariantCulture,
        $"{runtime}: '{checkpoint.Name}' was reached at {checkpoint.Reached.TotalSeconds:0.000} s, {(checkpoint.Reached - checkpoint.Due).TotalSeconds:0.000} s after its moment ({checkpoint.Due.TotalSeconds:0.000} s; the limit is {Limit.TotalSeconds:0} s)"))
{
    /// <summary>How late a moment may be reached before the run stops saying anything (normally 0.01-0.1 s).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);
}
