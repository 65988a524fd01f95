using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Cases;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Activities;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Maintenance;
using Microsoft.Azure.Cosmos;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using static Mets.Azure.Tests.Cosmos.Cases.CaseSamples;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>
/// The case store's contract (ICaseStore), the same assertions on every adapter: SQLite, Cosmos DB on the test server
/// and, when configured, a real Cosmos DB account. Every test uses new members, referral ids and clinicians and looks
/// only at its own cases, so the stores may hold other data.
/// </summary>
public abstract class CaseStoreContract
{
    private static readonly string[] Writers = ["a", "b"];

    protected abstract Task<ICaseStore> CreateStoreAsync();

    // ---- intake ----

    [CaseStoreFact]
    public async Task ReceiveReferral_NewMember_CreatesAReceivedCaseReadableAtOnce()
    {
        var store = await CreateStoreAsync();
        var member = NewMember();
        var referral = Referral(member);
        var newCase = NewCase(referral);

        var intake = await store.ReceiveReferralAsync(referral, newCase);

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.Created, newCase.Id), intake);
        var stored = await store.GetAsync(newCase.Id);
        Assert.NotNull(stored);
        Assert.Equal(EngagementStatus.Received, stored.Status);
        Assert.Equal(member, stored.MemberId);
        Assert.NotNull(stored.ETag);
        Assert.Equal(referral.Fingerprint(), stored.Referrals.Single().Fingerprint());
        Assert.Equal([TimelineEntryKind.ReferralReceived], stored.Timeline.Select(t => t.Kind));
        Assert.Equal(referral.Fingerprint(), (await store.GetReferralAsync(referral.Id))!.Fingerprint());
        Assert.Equal(newCase.Id, (await store.FindOpenByMemberAsync(member))!.Id);
        Assert.Contains(newCase.Id, (await store.ListOpenAsync()).Select(c => c.Id));
    }

    [CaseStoreFact]
    public async Task ReceiveReferral_SameReferralAgain_IsSameReferral_ChangedBodyIsConflict()
    {
        var store = await CreateStoreAsync();
        var referral = Referral(NewMember());
        var newCase = NewCase(referral);
        await store.ReceiveReferralAsync(referral, newCase);

        var again = await store.ReceiveReferralAsync(referral with { ReceivedAt = T0.AddHours(1) }, NewCase(referral));
        var changed = await store.ReceiveReferralAsync(referral with { SafetyConcern = true }, NewCase(referral));

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, newCase.Id), again);
        Assert.Equal(new ReferralIntake(ReferralIntakeKind.Conflict, newCase.Id), changed);
        Assert.Single(await OpenFor(store, referral.Member));
        Assert.False((await store.GetReferralAsync(referral.Id))!.SafetyConcern);
    }

    [CaseStoreFact]
    public async Task ReceiveReferral_MemberHasAnOpenEngagement_AttachesTheReferralToIt()
    {
        var store = await CreateStoreAsync();
        var member = NewMember();
        var first = Referral(member);
        var newCase = NewCase(first);
        await store.ReceiveReferralAsync(first, newCase);
        await StartAsync(store, newCase.Id, NewClinician());
        var second = Referral(member, at: T0.AddDays(1));

        var intake = await store.ReceiveReferralAsync(second, NewCase(second));

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.AttachedToOpenEngagement, newCase.Id), intake);
        Assert.Equal(second.Fingerprint(), (await store.GetReferralAsync(second.Id))!.Fingerprint());
        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, newCase.Id), await store.ReceiveReferralAsync(second, NewCase(second)));
        Assert.Single(await OpenFor(store, member));
    }

    [CaseStoreFact]
    public async Task ReceiveReferral_AfterTheEngagementClosed_CreatesANewEngagement()
    {
        var store = await CreateStoreAsync();
        var member = NewMember();
        var first = Referral(member);
        var old = NewCase(first);
        await store.ReceiveReferralAsync(first, old);
        var started = await StartAsync(store, old.Id, NewClinician());
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(started.Close(ClosureReason.GoalsMet, Actor.System, T0.AddDays(9)), "close")).Outcome);
        Assert.Null(await store.FindOpenByMemberAsync(member));
        var later = Referral(member, at: T0.AddDays(10));
        var next = NewCase(later);

        var intake = await store.ReceiveReferralAsync(later, next);

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.Created, next.Id), intake);
        Assert.Equal(next.Id, (await store.FindOpenByMemberAsync(member))!.Id);
        Assert.Equal([next.Id], (await OpenFor(store, member)).Select(c => c.Id));
        Assert.Equal(EngagementStatus.Closed, (await store.GetAsync(old.Id))!.Status);
        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, old.Id), await store.ReceiveReferralAsync(first, NewCase(first)));
    }

    // ---- reads ----

    [CaseStoreFact]
    public async Task Reads_UnknownIds_AreEmpty()
    {
        var store = await CreateStoreAsync();
        var id = EngagementId.New(Guid.NewGuid());

        Assert.Null(await store.GetAsync(id));
        Assert.Null(await store.FindOpenByMemberAsync(NewMember()));
        Assert.Null(await store.GetReferralAsync(NewReferralId()));
        Assert.Null(await store.GetAssessmentDetailsAsync(id));
        Assert.False(await store.HasAppliedAsync(id, "change-1"));
        Assert.Empty(await store.ListOpenAsync(NewClinician()));
        Assert.False((await store.CountOpenByClinicianAsync()).ContainsKey(NewClinician()));
    }

    [CaseStoreFact]
    public async Task ListAndCount_OpenCasesPerClinician_ShowTheLatestSave()
    {
        var store = await CreateStoreAsync();
        var (alvarez, okafor) = (NewClinician(), NewClinician());
        var received = await ReceiveAsync(store);
        var a1 = await StartAsync(store, await ReceiveAsync(store), alvarez);
        var a2 = await StartAsync(store, await ReceiveAsync(store), alvarez);
        var b1 = await StartAsync(store, await ReceiveAsync(store), okafor);
        var closed = await StartAsync(store, await ReceiveAsync(store), okafor);
        await store.SaveAsync(closed.Close(ClosureReason.MemberDeclined, Actor.System, T0.AddDays(2)), "close");

        var all = await store.ListOpenAsync();
        var mine = await store.ListOpenAsync(alvarez);
        var counts = await store.CountOpenByClinicianAsync();

        Assert.Equal(new[] { a1.Id, a2.Id }.Select(i => i.Value).Order(), mine.Select(c => c.Id.Value).Order());
        Assert.All(mine, c => Assert.Equal((EngagementStatus.Open, alvarez, T0.AddDays(7)), (c.Status, c.AssignedClinician, c.CurrentStep.DueAt)));
        Assert.Equal([b1.Id], (await store.ListOpenAsync(okafor)).Select(c => c.Id));
        Assert.Superset(new HashSet<EngagementId> { received, a1.Id, a2.Id, b1.Id }, all.Select(c => c.Id).ToHashSet());
        Assert.DoesNotContain(closed.Id, all.Select(c => c.Id));
        Assert.Equal(EngagementStatus.Received, all.Single(c => c.Id == received).Status);
        Assert.Equal((2, 1), (counts[alvarez], counts[okafor]));
    }

    // ---- saves ----

    [CaseStoreFact]
    public async Task Save_WithAChangeId_IsSavedOnce_TheRepeatIsAlreadyApplied()
    {
        var store = await CreateStoreAsync();
        var id = await ReceiveAsync(store);
        var read = (await store.GetAsync(id))!;
        var clinician = NewClinician();

        var saved = await store.SaveAsync(read.Start(clinician, T0.AddDays(7), T0.AddDays(180), T0), "start");
        var repeat = await store.SaveAsync(saved.Case!.RecordReminder(T0.AddDays(6)), "start");

        Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
        Assert.NotEqual(read.ETag, saved.Case.ETag);
        Assert.Equal(new CaseSaveResult(CaseSaveOutcome.AlreadyApplied, null), repeat);
        Assert.True(await store.HasAppliedAsync(id, "start"));
        Assert.False(await store.HasAppliedAsync(id, "other"));
        var current = (await store.GetAsync(id))!;
        Assert.Equal(saved.Case.ETag, current.ETag);
        Assert.Equal((EngagementStatus.Open, clinician, (DateTimeOffset?)null), (current.Status, current.AssignedClinician, current.CurrentStep.RemindedAt));
        Assert.Equal(Entries(saved.Case.Timeline), Entries(current.Timeline));
    }

    [CaseStoreFact]
    public async Task Save_StaleETag_IsConcurrencyConflict_AndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var id = await ReceiveAsync(store);
        var read = (await store.GetAsync(id))!;
        var first = await store.SaveAsync(read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0), "change-1");

        var stale = await store.SaveAsync(read.Start(NewClinician(), T0.AddDays(1), T0.AddDays(180), T0), "change-2");
        var noETag = await store.SaveAsync(first.Case! with { ETag = null }, "change-3");

        Assert.Equal(new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null), stale);
        Assert.Equal(CaseSaveOutcome.ConcurrencyConflict, noETag.Outcome);
        Assert.False(await store.HasAppliedAsync(id, "change-2"));
        Assert.False(await store.HasAppliedAsync(id, "change-3"));
        var current = (await store.GetAsync(id))!;
        Assert.Equal((first.Case!.ETag, T0.AddDays(7)), (current.ETag, current.CurrentStep.DueAt));
    }

    [CaseStoreFact]
    public async Task Timeline_AfterManySaves_IsCompleteAndInOrder()
    {
        const int Saves = 60;
        var store = await CreateStoreAsync();
        var current = await StartAsync(store, await ReceiveAsync(store), NewClinician());
        for (var i = 1; i <= Saves; i++)
        {
            var outcome = i % 2 == 0 ? MemberContactOutcome.Reached : MemberContactOutcome.NoAnswer;
            var saved = await store.SaveAsync(current.RecordContactAttempt(outcome, current.AssignedClinician!.Value, T0.AddHours(i)), $"attempt-{i}");
            Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
            current = saved.Case!;
        }

        var read = (await store.GetAsync(current.Id))!;

        Assert.Equal(3 + Saves, read.Timeline.Count);
        Assert.Equal(Entries(current.Timeline), Entries(read.Timeline));
        Assert.Equal(Enumerable.Range(1, Saves), ContactAttempts(read));
        Assert.Equal(Enumerable.Range(1, Saves).Select(i => T0.AddHours(i)), read.Timeline.Skip(3).Select(t => t.At));
        Assert.Equal(Saves, read.ContactAttemptsRecorded);
    }

    [CaseStoreFact]
    public async Task AssessmentDetails_RoundTripAndReplace()
    {
        var store = await CreateStoreAsync();
        var id = await ReceiveAsync(store);
        var clinician = NewClinician();

        await store.SaveAssessmentDetailsAsync(id, Details(clinician, 14, "Back to work by June"));
        await store.SaveAssessmentDetailsAsync(id, Details(clinician, 9, "Walk every morning"));
        var back = await store.GetAssessmentDetailsAsync(id);

        Assert.Equal(9, back!.Assessment.Scores.Phq9!.Total);
        Assert.Equal(["Walk every morning"], back.Assessment.MemberStatedGoals);
        Assert.Equal(clinician, back.Assessment.CompletedBy);
        Assert.Null(back.ConfirmedProviders);
        Assert.Equal([TimelineEntryKind.ReferralReceived], (await store.GetAsync(id))!.Timeline.Select(t => t.Kind));
    }

    // ---- concurrency ----

    [CaseStoreFact]
    public async Task ConcurrentWriters_ThroughTheActivityReloadLoop_LoseNoUpdate()
    {
        const int PerWriter = 10;
        var store = await CreateStoreAsync();
        var started = await StartAsync(store, await ReceiveAsync(store), NewClinician());
        using var anchors = new AnchorFolder();
        var activity = new UpdateCaseActivity(new CaseEditor(store, anchors.Anchoring), store, NullLogger<UpdateCaseActivity>.Instance);
        var context = Mock.Of<TaskActivityContext>();

        // Each update is distinct (its writer's outcome, its own time), so an entry written over another would show.
        DateTimeOffset At(int writer, int i) => T0.AddHours(i).AddMinutes(writer);
        var applied = await Task.WhenAll(Writers.Select((writer, w) => Task.Run(async () =>
        {
            var results = new List<bool>();
            for (var i = 1; i <= PerWriter; i++)
            {
                var outcome = w == 0 ? MemberContactOutcome.Reached : MemberContactOutcome.MessageLeft;
                var update = new ContactAttemptRecorded(outcome, started.AssignedClinician!.Value, At(w, i));
                results.Add(await activity.RunAsync(context, new CaseUpdateRequest(started.Id, $"{writer}-{i}", update)));
            }

            return results;
        })));

        Assert.All(applied.SelectMany(r => r), Assert.True);
        var read = (await store.GetAsync(started.Id))!;
        Assert.Equal(2 * PerWriter, read.ContactAttemptsRecorded);
        Assert.Equal(Enumerable.Range(1, 2 * PerWriter), ContactAttempts(read));
        var attempts = read.Timeline.Where(t => t.Kind == TimelineEntryKind.MemberContactAttempted).ToList();
        Assert.Equal(Enumerable.Range(0, 2).SelectMany(w => Enumerable.Range(1, PerWriter).Select(i => At(w, i))).Order(), attempts.Select(t => t.At).Order());
        Assert.All(attempts, t => Assert.Contains(t.At.Minute == 0 ? "outcome=Reached" : "outcome=MessageLeft", t.Details));
        Assert.Equal(Enumerable.Range(1, PerWriter), attempts.Where(t => t.At.Minute == 0).Select(t => t.At.Hour - T0.Hour));
        Assert.Equal(3 + (2 * PerWriter), read.Timeline.Count);
        Assert.Equal(2 * PerWriter, (await store.ListOpenAsync(started.AssignedClinician)).Single().ContactAttemptsRecorded);
        foreach (var change in Writers.SelectMany(w => Enumerable.Range(1, PerWriter).Select(i => $"{w}-{i}")))
        {
            Assert.True(await store.HasAppliedAsync(started.Id, change), change);
        }
    }

    [CaseStoreFact]
    public async Task ConcurrentSubmits_OfOneReferral_MakeOneEngagement()
    {
        var store = await CreateStoreAsync();
        var referral = Referral(NewMember());

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.ReceiveReferralAsync(referral, NewCase(referral)))));

        var created = Assert.Single(results, r => r.Kind == ReferralIntakeKind.Created);
        Assert.All(results, r => Assert.Equal(created.EngagementId, r.EngagementId));
        Assert.Equal(7, results.Count(r => r.Kind == ReferralIntakeKind.SameReferral));
        Assert.Equal([created.EngagementId], (await OpenFor(store, referral.Member)).Select(c => c.Id));
        Assert.Equal(created.EngagementId, (await store.FindOpenByMemberAsync(referral.Member))!.Id);
        Assert.Equal(EngagementStatus.Received, (await store.GetAsync(created.EngagementId))!.Status);
    }

    [CaseStoreFact]
    public async Task ConcurrentSubmits_OfTwoReferralsForOneMember_MakeOneEngagement_TheOtherAttached()
    {
        var store = await CreateStoreAsync();
        var member = NewMember();
        var referrals = new[] { Referral(member), Referral(member) };

        var results = await Task.WhenAll(referrals.Select(r => Task.Run(() => store.ReceiveReferralAsync(r, NewCase(r)))));

        Assert.Equal([ReferralIntakeKind.Created, ReferralIntakeKind.AttachedToOpenEngagement], results.Select(r => r.Kind).Order());
        Assert.Equal(results[0].EngagementId, results[1].EngagementId);
        Assert.Equal([results[0].EngagementId], (await OpenFor(store, member)).Select(c => c.Id));
        foreach (var referral in referrals)
        {
            Assert.Equal(referral.Fingerprint(), (await store.GetReferralAsync(referral.Id))!.Fingerprint());
        }
    }

    [CaseStoreFact]
    public async Task ConcurrentSubmits_OfEightReferralsForOneMember_MakeOneEngagement()
    {
        var store = await CreateStoreAsync();
        var member = NewMember();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Referral(member)).Select(r => Task.Run(() => store.ReceiveReferralAsync(r, NewCase(r)))));

        Assert.Single(results, r => r.Kind == ReferralIntakeKind.Created);
        Assert.Equal(7, results.Count(r => r.Kind == ReferralIntakeKind.AttachedToOpenEngagement));
        Assert.Single(results.Select(r => r.EngagementId).Distinct());
        Assert.Single(await OpenFor(store, member));
    }

    // ---- reports ----

    [CaseStoreFact]
    public async Task ListStarted_ThePeriodsCases_OpenAndClosed_WithTheirWholeTimelines()
    {
        // A window of its own (a random day in 2041), so other tests' cases in a shared store are outside it.
        var store = await CreateStoreAsync();
        var day = new DateTimeOffset(2041, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 360));
        var inside = NewCase(Referral(NewMember(), at: day.AddHours(1)));
        var closed = NewCase(Referral(NewMember(), at: day.AddHours(2)));
        var after = NewCase(Referral(NewMember(), at: day.AddDays(1)));
        foreach (var c in new[] { inside, closed, after })
        {
            await store.ReceiveReferralAsync(c.Referrals[0], c);
        }

        var started = await StartAsync(store, closed.Id, NewClinician());
        var reminded = (await store.SaveAsync(started.RecordReminder(day.AddHours(3)), $"{closed.Id}:remind")).Case!;
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(reminded.Close(Mets.Domain.Closure.ClosureReason.MemberDeclined, Actor.System, day.AddHours(4)), $"{closed.Id}:close")).Outcome);

        var listed = await ((Mets.Workflow.Reports.IEngagementHistory)store).ListStartedAsync(day, day.AddDays(1));

        Assert.Equal(new[] { inside.Id, closed.Id }.OrderBy(i => i.Value, StringComparer.Ordinal), listed.Select(c => c.Id));
        var listedClosed = listed.Single(c => c.Id == closed.Id);
        Assert.Equal(EngagementStatus.Closed, listedClosed.Status);
        Assert.Equal((await store.GetAsync(closed.Id))!.Timeline.Select(t => t.Hash), listedClosed.Timeline.Select(t => t.Hash));
        Assert.Equal(
            [TimelineEntryKind.ReferralReceived, TimelineEntryKind.EngagementStarted, TimelineEntryKind.ClinicianAssigned, TimelineEntryKind.ReminderSent, TimelineEntryKind.EngagementClosed],
            listedClosed.Timeline.Select(t => t.Kind));
    }

    // ---- helpers ----

    private static async Task<EngagementId> ReceiveAsync(ICaseStore store)
    {
        var referral = Referral(NewMember());
        var newCase = NewCase(referral);
        Assert.Equal(ReferralIntakeKind.Created, (await store.ReceiveReferralAsync(referral, newCase)).Kind);
        return newCase.Id;
    }

    private static async Task<EngagementCase> StartAsync(ICaseStore store, EngagementId id, StaffId clinician)
    {
        var read = (await store.GetAsync(id))!;
        var saved = await store.SaveAsync(read.Start(clinician, T0.AddDays(7), T0.AddDays(180), T0), $"{id}:start");
        Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
        return saved.Case!;
    }

    private static async Task<IReadOnlyList<EngagementCase>> OpenFor(ICaseStore store, MemberId member) =>
        [.. (await store.ListOpenAsync()).Where(c => c.MemberId == member)];

    /// <summary>The activity's anchoring over a real anchor file in a folder of its own.</summary>
    private sealed class AnchorFolder : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("mets-anchors-").FullName;
        private readonly FileAuditAnchorStore _store;
        private readonly WorkflowMetrics _metrics = new();

        public AnchorFolder()
        {
            _store = new FileAuditAnchorStore(Path.Combine(_folder, "timeline-anchors.log"));
            Anchoring = new TimelineAnchoring(_store, Options.Create(new AuditOptions()), TimeProvider.System, _metrics, NullLogger<TimelineAnchoring>.Instance);
        }

        public TimelineAnchoring Anchoring { get; }

        public void Dispose()
        {
            _store.Dispose();
            _metrics.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}

public sealed class SqliteCaseStoreContractTests : CaseStoreContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-cases-").FullName;
    private readonly List<SqliteCaseStore> _stores = [];

    protected override Task<ICaseStore> CreateStoreAsync()
    {
        var store = new SqliteCaseStore(Path.Combine(_folder, "cases.db"));
        _stores.Add(store);
        return Task.FromResult<ICaseStore>(store);
    }

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

[Collection(CosmosServerGroup.Name)]
public sealed class CosmosCaseStoreContractTests(CosmosServerFixture server) : CaseStoreContract, IDisposable
{
    private readonly List<CosmosClient> _clients = [];

    protected override async Task<ICaseStore> CreateStoreAsync()
    {
        var options = server.Options();
        var client = CosmosServerFixture.CreateClient(options);
        _clients.Add(client);
        return new CosmosCaseStore(await CosmosLayout.CreateIfNotExistsAsync(client, options.Database, CancellationToken.None));
    }

    public void Dispose() => _clients.ForEach(c => c.Dispose());
}

/// <summary>The contract on a real account (METS_TEST_COSMOS_ENDPOINT); skipped, with the reason, when none is configured.</summary>
[RequiresRealCosmosAccount]
public sealed class RealAccountCosmosCaseStoreContractTests(RealCosmosAccount account) : CaseStoreContract, IClassFixture<RealCosmosAccount>
{
    protected override Task<ICaseStore> CreateStoreAsync() =>
        Task.FromResult<ICaseStore>(new CosmosCaseStore(account.Database ?? throw new InvalidOperationException(RealCosmosAccount.SkipReason)));
}
