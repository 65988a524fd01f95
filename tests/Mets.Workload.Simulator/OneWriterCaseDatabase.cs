using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Cases;

namespace Mets.Workload.Simulator;

/// <summary>
/// The embedded case database (the real <see cref="SqliteCaseStore"/> and <see cref="SqliteStepCommandLedger"/> on one
/// SQLite file), with its calls taken one at a time. Each call is still one transaction of the real adapter; what
/// changes is that two writers never meet. With the engine's eight activity workers and the simulated people writing at
/// once, most of a run's wall-clock time went to Microsoft.Data.Sqlite sleeping between retries of SQLITE_BUSY
/// (docs/workload-simulator.md, "Where the time goes"): the simulator measures the policy's workload, not that contention.
/// Since the case database has one group-committing writer per file (<c>CaseDatabase</c>) writers no longer meet, and
/// the adapters as the hosts use them are as fast or faster: this wrapper is kept for comparison only
/// (<c>--case-database one-writer</c>).
/// </summary>
internal sealed class OneWriterCaseDatabase : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public OneWriterCaseDatabase(string databasePath)
    {
        Cases = new CaseStore(this, new SqliteCaseStore(databasePath));
        Commands = new CommandLedger(this, new SqliteStepCommandLedger(databasePath));
    }

    public ICaseStore Cases { get; }

    public IStepCommandLedger Commands { get; }

    public void Dispose()
    {
        ((CaseStore)Cases).Dispose();
        ((CommandLedger)Commands).Dispose();
        _turn.Dispose();
    }

    private async Task<T> InTurnAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task InTurnAsync(Func<Task> call, CancellationToken cancellationToken) =>
        await InTurnAsync(async () => { await call().ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    private sealed class CaseStore(OneWriterCaseDatabase database, SqliteCaseStore store) : ICaseStore, IDisposable
    {
        public Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.ReceiveReferralAsync(referral, newCase, cancellationToken), cancellationToken);

        public Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.GetReferralAsync(id, cancellationToken), cancellationToken);

        public Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.GetAsync(id, cancellationToken), cancellationToken);

        public Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.FindOpenByMemberAsync(member, cancellationToken), cancellationToken);

        public Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.SaveAsync(updated, changeId, cancellationToken), cancellationToken);

        public Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.HasAppliedAsync(id, changeId, cancellationToken), cancellationToken);

        public Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.ListOpenAsync(clinician, cancellationToken), cancellationToken);

        public Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.CountOpenByClinicianAsync(cancellationToken), cancellationToken);

        public Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.SaveAssessmentDetailsAsync(id, details, cancellationToken), cancellationToken);

        public Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => store.GetAssessmentDetailsAsync(id, cancellationToken), cancellationToken);

        public void Dispose() => store.Dispose();
    }

    private sealed class CommandLedger(OneWriterCaseDatabase database, SqliteStepCommandLedger ledger) : IStepCommandLedger, IDisposable
    {
        public Task<StepCommandClaim> ClaimAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => ledger.ClaimAsync(engagement, command, cancellationToken), cancellationToken);

        public Task MarkRaisedAsync(EngagementId engagement, string key, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => ledger.MarkRaisedAsync(engagement, key, cancellationToken), cancellationToken);

        public Task ReleaseAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default) =>
            database.InTurnAsync(() => ledger.ReleaseAsync(engagement, command, cancellationToken), cancellationToken);

        public void Dispose() => ledger.Dispose();
    }
}
