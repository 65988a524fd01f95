using Mets.Domain.Assessments;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;

namespace Mets.FunctionApp.Tests.Lifecycle;

/// <summary>A pulse on every change the test watches (case writes, emails handed over): a wait re-checks its condition on each, never on a timer.</summary>
internal sealed class Changes
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after each pulse; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public async Task UntilAsync(string what, Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var next = Volatile.Read(ref _next).Task;
            if (await condition())
            {
                return;
            }

            var left = deadline - DateTimeOffset.UtcNow;
            try
            {
                await next.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:0} s: {what}", e);
            }
        }
    }
}

/// <summary>The app's case store, pulsing <see cref="Changes"/> after each write.</summary>
internal sealed class SignalingCaseStore(ICaseStore inner, Changes changes) : ICaseStore
{
    public async Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default)
    {
        var result = await inner.ReceiveReferralAsync(referral, newCase, cancellationToken);
        changes.Pulse();
        return result;
    }

    public Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default) => inner.GetReferralAsync(id, cancellationToken);

    public Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default) => inner.FindOpenByMemberAsync(member, cancellationToken);

    public async Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default)
    {
        var result = await inner.SaveAsync(updated, changeId, cancellationToken);
        changes.Pulse();
        return result;
    }

    public Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default) => inner.HasAppliedAsync(id, changeId, cancellationToken);

    public Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default) => inner.ListOpenAsync(clinician, cancellationToken);

    public Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default) => inner.CountOpenByClinicianAsync(cancellationToken);

    public Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default) => inner.SaveAssessmentDetailsAsync(id, details, cancellationToken);

    public Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default) => inner.GetAssessmentDetailsAsync(id, cancellationToken);
}

/// <summary>The app's mailer, pulsing <see cref="Changes"/> after each email handed over.</summary>
internal sealed class SignalingEmailSender(IEmailSender inner, Changes changes) : IEmailSender
{
    public async Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        var sent = await inner.SendAsync(email, cancellationToken);
        changes.Pulse();
        return sent;
    }
}

/// <summary>Synthetic scores (no real data).</summary>
internal static class LifecycleScores
{
    public static AssessmentScores Moderate() => new(
        new Phq9([2, 2, 2, 1, 1, 1, 1, 1, 0]),
        new Gad7([1, 1, 1, 1, 1, 0, 0]),
        new AuditC([1, 0, 0], AuditCSex.Female),
        new CssrsScreener(false, false, false, false, false, SuicidalBehavior.None),
        [],
        []);
}
