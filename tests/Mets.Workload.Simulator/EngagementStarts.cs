using System.Collections.Concurrent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Activities;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Cases;

namespace Mets.Workload.Simulator;

/// <summary>
/// The simulator's case store: the real one (<see cref="SqliteCaseStore"/>, or <see cref="OneWriterCaseDatabase"/>'s),
/// every call passed on unchanged, that also tells when a referral's new engagement has <b>started</b>: its case saved
/// with status past Received and the clinician assigned (<see cref="StartEngagementActivity"/>). From then on the
/// engagement counts in <see cref="ICaseStore.CountOpenByClinicianAsync"/>, which is all the next referral's
/// assignment reads, so the day's next referral can arrive then instead of after the whole engine is idle
/// (why that changes no result: <see cref="WorkloadSimulation"/>'s referral phase, and docs/workload-simulator.md,
/// "What runs", step 3).
/// </summary>
internal sealed class EngagementStarts(ICaseStore cases) : ICaseStore
{
    /// <summary>Engagements intake created whose start nobody has waited for yet (at most one in a simulation).</summary>
    private readonly ConcurrentDictionary<EngagementId, TaskCompletionSource> _notStartedYet = new();

    /// <summary>
    /// Waits until <paramref name="engagement"/>, created by a referral through this store, has started; false when it
    /// has not within <paramref name="timeout"/>. Once per engagement: the engagement is forgotten afterwards.
    /// </summary>
    public async Task<bool> WaitUntilStartedAsync(EngagementId engagement, TimeSpan timeout)
    {
        if (!_notStartedYet.TryGetValue(engagement, out var started))
        {
            throw new InvalidOperationException("The engagement was not created by a referral through this case store, or its start was waited for before.");
        }

        try
        {
            await started.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            _notStartedYet.TryRemove(engagement, out _);
        }
    }

    public async Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default)
    {
        var intake = await cases.ReceiveReferralAsync(referral, newCase, cancellationToken).ConfigureAwait(false);
        if (intake.Kind == ReferralIntakeKind.Created)
        {
            // Before the service starts the engagement's orchestration: its start cannot be saved before this.
            _notStartedYet.TryAdd(intake.EngagementId, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        return intake;
    }

    public async Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default)
    {
        var saved = await cases.SaveAsync(updated, changeId, cancellationToken).ConfigureAwait(false);

        // Saved: the start is committed (the store answers after the commit). AlreadyApplied: this change was committed
        // before (a retried activity). Either way the stored case is past Received with its clinician.
        if (saved.Outcome is CaseSaveOutcome.Saved or CaseSaveOutcome.AlreadyApplied
            && updated.Status != EngagementStatus.Received
            && updated.AssignedClinician is not null
            && _notStartedYet.TryGetValue(updated.Id, out var started))
        {
            started.TrySetResult();
        }

        return saved;
    }

    public Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default) =>
        cases.GetReferralAsync(id, cancellationToken);

    public Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default) =>
        cases.GetAsync(id, cancellationToken);

    public Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default) =>
        cases.FindOpenByMemberAsync(member, cancellationToken);

    public Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default) =>
        cases.HasAppliedAsync(id, changeId, cancellationToken);

    public Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default) =>
        cases.ListOpenAsync(clinician, cancellationToken);

    public Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default) =>
        cases.CountOpenByClinicianAsync(cancellationToken);

    public Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default) =>
        cases.SaveAssessmentDetailsAsync(id, details, cancellationToken);

    public Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default) =>
        cases.GetAssessmentDetailsAsync(id, cancellationToken);
}
