using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>One email the workflow handed to the real mailer (and the mailer wrote as a new .eml file).</summary>
internal sealed record SentEmail(string IdempotencyKey, string To, string Subject);

/// <summary>What a test sees of one engagement at a moment: its case document and the emails sent for it so far, in order.</summary>
internal sealed record Observation(EngagementCase Case, IReadOnlyList<SentEmail> Emails);

/// <summary>
/// Lets a test wait for a state of an engagement without polling: the real case store and the real outbox
/// mailer are wrapped (<see cref="Wrap(ICaseStore)"/>, <see cref="Wrap(IEmailSender)"/>) so that every write
/// and every email sent signals a change; <see cref="WaitAsync"/> re-reads the case on each change until the
/// condition holds or the timeout passes. It also records the emails sent, in order.
/// </summary>
internal sealed class ScenarioProbe
{
    private readonly Lock _gate = new();
    private readonly List<SentEmail> _emails = [];
    private TaskCompletionSource _changed = NewSignal();
    private ICaseStore? _cases;

    public ICaseStore Wrap(ICaseStore inner) => _cases = new SignallingCaseStore(inner, this);

    public IEmailSender Wrap(IEmailSender inner) => new RecordingEmailSender(inner, this);

    /// <summary>Emails sent for <paramref name="engagement"/> so far (the idempotency key starts with its id).</summary>
    public IReadOnlyList<SentEmail> EmailsOf(EngagementId engagement)
    {
        lock (_gate)
        {
            return [.. _emails.Where(e => e.IdempotencyKey.StartsWith(engagement.Value, StringComparison.Ordinal))];
        }
    }

    public async Task<Observation> ObserveAsync(EngagementId engagement)
    {
        var cases = _cases ?? throw new InvalidOperationException("The case store was not resolved yet.");
        var found = await cases.GetAsync(engagement) ?? throw new InvalidOperationException($"No case document for {engagement}.");
        return new Observation(found, EmailsOf(engagement));
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the engagement, re-checking on every case write and email (never on a clock).</summary>
    /// <exception cref="TimeoutException">Not reached within <paramref name="timeout"/>; the message says what was seen last.</exception>
    public async Task<Observation> WaitAsync(EngagementId engagement, string what, Func<Observation, bool> condition, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            // Take the signal before reading, so a change made during the read wakes the next wait.
            Task next;
            lock (_gate)
            {
                next = _changed.Task;
            }

            var seen = await ObserveAsync(engagement);
            if (condition(seen))
            {
                return seen;
            }

            try
            {
                await next.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"'{what}' was not reached within {timeout.TotalSeconds:0.#} s. Last seen: {Describe(seen)}");
            }
        }
    }

    public static string Describe(Observation seen)
    {
        ArgumentNullException.ThrowIfNull(seen);
        var c = seen.Case;
        var outreach = string.Join(", ", c.Outreach.Select(o => $"{o.Npi}:{o.Status}/r{o.RemindersSent}"));
        var timeline = string.Join("; ", c.Timeline.Select(t => $"{t.Kind}[{string.Join(",", t.Details)}]"));
        var emails = string.Join("; ", seen.Emails.Select(e => e.IdempotencyKey));
        return $"status={c.Status} step={c.CurrentStep.Step} reminded={c.CurrentStep.RemindedAt is not null} escalated={c.CurrentStep.EscalatedAt is not null} outreach=[{outreach}] timeline=[{timeline}] emails=[{emails}]";
    }

    private void Changed()
    {
        TaskCompletionSource signalled;
        lock (_gate)
        {
            signalled = _changed;
            _changed = NewSignal();
        }

        signalled.TrySetResult();
    }

    private void Sent(OutgoingEmail email)
    {
        lock (_gate)
        {
            _emails.Add(new SentEmail(email.IdempotencyKey, email.To, email.Subject));
        }

        Changed();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The real store; every write signals a change.</summary>
    private sealed class SignallingCaseStore(ICaseStore inner, ScenarioProbe probe) : ICaseStore, IDisposable
    {
        public async Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default)
        {
            var intake = await inner.ReceiveReferralAsync(referral, newCase, cancellationToken);
            probe.Changed();
            return intake;
        }

        public Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default) => inner.GetReferralAsync(id, cancellationToken);

        public Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default) => inner.FindOpenByMemberAsync(member, cancellationToken);

        public async Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default)
        {
            var result = await inner.SaveAsync(updated, changeId, cancellationToken);
            probe.Changed();
            return result;
        }

        public Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default) => inner.HasAppliedAsync(id, changeId, cancellationToken);

        public Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default) => inner.ListOpenAsync(clinician, cancellationToken);

        public Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default) => inner.CountOpenByClinicianAsync(cancellationToken);

        public async Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default)
        {
            await inner.SaveAssessmentDetailsAsync(id, details, cancellationToken);
            probe.Changed();
        }

        public Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default) => inner.GetAssessmentDetailsAsync(id, cancellationToken);

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }

    /// <summary>The real mailer; every new email is recorded and signals a change.</summary>
    private sealed class RecordingEmailSender(IEmailSender inner, ScenarioProbe probe) : IEmailSender, IDisposable
    {
        public async Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(email);
            var sent = await inner.SendAsync(email, cancellationToken);
            if (sent)
            {
                probe.Sent(email);
            }

            return sent;
        }

        public void Dispose() => (inner as IDisposable)?.Dispose();
    }
}
