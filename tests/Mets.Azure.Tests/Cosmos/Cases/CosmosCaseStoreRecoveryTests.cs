using System.Collections.Concurrent;
using System.Globalization;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Cases;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;
using static Mets.Azure.Tests.Cosmos.Cases.CaseSamples;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>
/// What only the Cosmos adapter has to get right, on the test server: an intake or a save that stopped between its writes
/// (simulated by writing the first steps' items directly) is finished by the next call; late work-queue writers never put
/// back an older copy; and every request is a point operation or a single-partition query.
/// </summary>
[Collection(CosmosServerGroup.Name)]
public sealed class CosmosCaseStoreRecoveryTests(CosmosServerFixture server, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RequestLog _requests = new();
    private CosmosClient? _client;
    private Database _database = null!;
    private CosmosCaseStore _store = null!;

    public async Task InitializeAsync()
    {
        var options = server.Options();
        _client = CosmosClientFactory.Create(options, () => new RequestLog.Handler(_requests, new TestServerAnswers(CosmosClientFactory.AcceptingHandler())));
        _database = await CosmosLayout.CreateIfNotExistsAsync(_client, options.Database, CancellationToken.None);
        _store = new CosmosCaseStore(_database);
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }

    private Container Cases => _database.GetContainer(CosmosLayout.Cases.Name);

    private Container Members => _database.GetContainer(CosmosLayout.Members.Name);

    private Container Referrals => _database.GetContainer(CosmosLayout.Referrals.Name);

    private Container WorkQueue => _database.GetContainer(CosmosLayout.WorkQueue.Name);

    // ---- intake stopped between its steps ----

    [Fact]
    public async Task Intake_StoppedAfterClaimingTheMember_RetryFinishesIt()
    {
        var (referral, first) = Sample();
        await ClaimAsync(referral, first);

        var retry = await _store.ReceiveReferralAsync(referral, NewCase(referral));

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, first.Id), retry);
        await AssertOneReadableEngagementAsync(referral.Member, first.Id);
    }

    [Fact]
    public async Task Intake_StoppedAfterRecordingTheReferral_RetryWritesTheCase()
    {
        var (referral, first) = Sample();
        await ClaimAsync(referral, first);
        await RecordAsync(referral, first.Id);
        Assert.Null(await _store.GetAsync(first.Id));

        var retry = await _store.ReceiveReferralAsync(referral, NewCase(referral));

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, first.Id), retry);
        await AssertOneReadableEngagementAsync(referral.Member, first.Id);
    }

    [Fact]
    public async Task Intake_StoppedBeforeTheWorkQueueCopy_RetryWritesIt()
    {
        var (referral, first) = Sample();
        await ClaimAsync(referral, first);
        await RecordAsync(referral, first.Id);
        await Cases.CreateItemAsync(CosmosCaseStore.NewCaseItem(first), new PartitionKey(first.Id.Value));
        Assert.Empty(await _store.ListOpenAsync());

        var retry = await _store.ReceiveReferralAsync(referral, NewCase(referral));

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, first.Id), retry);
        await AssertOneReadableEngagementAsync(referral.Member, first.Id);
    }

    [Fact]
    public async Task Intake_StoppedAfterClaiming_AnotherReferralForTheMemberFinishesItAndAttaches()
    {
        var (referral, first) = Sample();
        await ClaimAsync(referral, first);
        var other = Referral(referral.Member, at: T0.AddHours(2));

        var attached = await _store.ReceiveReferralAsync(other, NewCase(other));
        var retry = await _store.ReceiveReferralAsync(referral, NewCase(referral));

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.AttachedToOpenEngagement, first.Id), attached);
        Assert.Equal(new ReferralIntake(ReferralIntakeKind.SameReferral, first.Id), retry);
        await AssertOneReadableEngagementAsync(referral.Member, first.Id);
    }

    [Fact]
    public async Task Intake_ClaimWhoseReferralIdWentElsewhere_IsTakenOverByTheNextReferral()
    {
        var (referral, dead) = Sample();
        await ClaimAsync(referral, dead);
        await RecordAsync(referral, EngagementId.New(Guid.NewGuid())); // the same referral id was recorded for another engagement
        var next = Referral(referral.Member, at: T0.AddDays(1));
        var nextCase = NewCase(next);

        var intake = await _store.ReceiveReferralAsync(next, nextCase);

        Assert.Equal(new ReferralIntake(ReferralIntakeKind.Created, nextCase.Id), intake);
        Assert.Null(await _store.GetAsync(dead.Id));
        await AssertOneReadableEngagementAsync(referral.Member, nextCase.Id);
    }

    // ---- saves ----

    [Fact]
    public async Task Save_TheLastSavesEntriesStayInTheDocument_TheNextSaveWritesThemAsItems_AStaleSaveWritesNone()
    {
        var (referral, newCase) = Sample();
        await _store.ReceiveReferralAsync(referral, newCase);
        var read = (await _store.GetAsync(newCase.Id))!;
        var started = (await _store.SaveAsync(read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0), "start")).Case!;
        Assert.Equal([1], await TimelineItemPositionsAsync(newCase.Id));

        var lost = await _store.SaveAsync(read.Start(NewClinician(), T0.AddDays(5), T0.AddDays(180), T0).RecordReminder(T0), "lost");
        var reminded = await _store.SaveAsync(started.RecordReminder(T0.AddDays(6)), "remind");

        Assert.Equal(CaseSaveOutcome.ConcurrencyConflict, lost.Outcome);
        Assert.Equal(CaseSaveOutcome.Saved, reminded.Outcome);
        Assert.Equal([1, 2, 3], await TimelineItemPositionsAsync(newCase.Id));
        var stored = (await Cases.ReadItemAsync<CaseItem>(CosmosCaseStore.CaseItemId, new PartitionKey(newCase.Id.Value))).Resource;
        Assert.Equal((3, 4, 4), (stored.Version, stored.TimelineLength, stored.TimelineLength - stored.RecentTimeline.Count + 1));
        Assert.Equal(Entries(reminded.Case!.Timeline), Entries((await _store.GetAsync(newCase.Id))!.Timeline));
    }

    [Fact]
    public async Task Save_StoppedBeforeTheWorkQueueCopy_TheRetryBringsItUpToDate()
    {
        var (referral, newCase) = Sample();
        await _store.ReceiveReferralAsync(referral, newCase);
        var received = (await Cases.ReadItemAsync<CaseItem>(CosmosCaseStore.CaseItemId, new PartitionKey(newCase.Id.Value))).Resource;
        var clinician = NewClinician();
        var started = (await _store.GetAsync(newCase.Id))!.Start(clinician, T0.AddDays(7), T0.AddDays(180), T0);
        Assert.Equal(CaseSaveOutcome.Saved, (await _store.SaveAsync(started, "start")).Outcome);
        await WorkQueue.UpsertItemAsync(CosmosCaseStore.QueueCopy(received), new PartitionKey(CosmosCaseStore.OpenQueue)); // as if the copy was never written
        Assert.Empty(await _store.ListOpenAsync(clinician));

        var retry = await _store.SaveAsync(started, "start");

        Assert.Equal(CaseSaveOutcome.AlreadyApplied, retry.Outcome);
        Assert.Equal([newCase.Id], (await _store.ListOpenAsync(clinician)).Select(c => c.Id));
    }

    [Fact]
    public async Task WorkQueue_ALateWriterOfAnOlderVersion_NeverPutsBackAnOlderCopy()
    {
        var (referral, newCase) = Sample();
        await _store.ReceiveReferralAsync(referral, newCase);
        var started = (await _store.SaveAsync((await _store.GetAsync(newCase.Id))!.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0), "start")).Case!;
        var version2 = (await Cases.ReadItemAsync<CaseItem>(CosmosCaseStore.CaseItemId, new PartitionKey(newCase.Id.Value))).Resource;
        var reminded = (await _store.SaveAsync(started.RecordReminder(T0.AddDays(6)), "remind")).Case!;

        await _store.SyncQueueAsync(version2, CancellationToken.None); // a writer of version 2 that was delayed
        Assert.Equal(T0.AddDays(6), (await _store.ListOpenAsync()).Single().CurrentStep.RemindedAt);

        await _store.SaveAsync(reminded.Close(ClosureReason.GoalsMet, Actor.System, T0.AddDays(8)), "close");
        await _store.SyncQueueAsync(version2, CancellationToken.None); // ... delayed past the closure: it creates, reads the case again, deletes

        Assert.Empty(await _store.ListOpenAsync());
        Assert.Empty(await _store.CountOpenByClinicianAsync());
    }

    // ---- requests ----

    [Fact]
    public async Task Requests_ArePointOperationsOrSinglePartitionQueries_AndFewPerOperation()
    {
        var (referral, newCase) = Sample();
        var clinician = NewClinician();

        var intake = await _requests.MeasureAsync("intake (new member)", () => _store.ReceiveReferralAsync(referral, newCase));
        var read = await _requests.MeasureAsync("get (timeline in the document)", () => _store.GetAsync(newCase.Id));
        var started = await _requests.MeasureAsync("save (start)", () => _store.SaveAsync(read!.Start(clinician, T0.AddDays(7), T0.AddDays(180), T0), "start"));
        var reminded = await _requests.MeasureAsync("save (reminder)", () => _store.SaveAsync(started.Case!.RecordReminder(T0.AddDays(6)), "remind"));
        await _requests.MeasureAsync("get (timeline items + document)", () => _store.GetAsync(newCase.Id));
        await _requests.MeasureAsync("save (repeat: already applied)", () => _store.SaveAsync(reminded.Case!, "remind"));
        var second = Referral(referral.Member, at: T0.AddDays(1));
        await _requests.MeasureAsync("intake (attach)", () => _store.ReceiveReferralAsync(second, NewCase(second)));
        await _requests.MeasureAsync("intake (same referral)", () => _store.ReceiveReferralAsync(referral, NewCase(referral)));
        await _requests.MeasureAsync("find open by member", () => _store.FindOpenByMemberAsync(referral.Member));
        await _requests.MeasureAsync("list open (clinician)", () => _store.ListOpenAsync(clinician));
        await _requests.MeasureAsync("count open by clinician", () => _store.CountOpenByClinicianAsync());
        await _requests.MeasureAsync("has applied", () => _store.HasAppliedAsync(newCase.Id, "remind"));

        foreach (var line in _requests.Report())
        {
            output.WriteLine(line);
        }

        Assert.Equal(ReferralIntakeKind.Created, intake.Kind);
        Assert.Empty(_requests.CrossPartitionQueries);
        Assert.All(_requests.Operations, o => Assert.True(o.Requests <= 8, $"{o.Name}: {o.Requests} requests"));
    }

    // ---- helpers ----

    private static (Referral Referral, EngagementCase NewCase) Sample()
    {
        var referral = Referral(NewMember());
        return (referral, NewCase(referral));
    }

    private async Task ClaimAsync(Referral referral, EngagementCase newCase) =>
        await Members.CreateItemAsync(new MemberItem(referral.Member.Value, referral.Member.Value, newCase.Id.Value, referral.Id.Value, referral, newCase), new PartitionKey(referral.Member.Value));

    private async Task RecordAsync(Referral referral, EngagementId engagement) =>
        await Referrals.CreateItemAsync(new ReferralItem(referral.Id.Value, referral.Id.Value, engagement.Value, referral.Fingerprint(), referral), new PartitionKey(referral.Id.Value));

    private async Task AssertOneReadableEngagementAsync(MemberId member, EngagementId expected)
    {
        var found = await _store.GetAsync(expected);
        Assert.NotNull(found);
        Assert.Equal(member, found.MemberId);
        Assert.NotEmpty(found.Timeline);
        Assert.Equal(expected, (await _store.FindOpenByMemberAsync(member))!.Id);
        Assert.Equal([expected], (await _store.ListOpenAsync()).Where(c => c.MemberId == member).Select(c => c.Id));
    }

    private async Task<IReadOnlyList<int>> TimelineItemPositionsAsync(EngagementId id)
    {
        var query = new QueryDefinition(CosmosCaseStore.TimelineQuery).WithParameter("@engagementId", id.Value).WithParameter("@kind", CosmosCaseStore.TimelineKind);
        var positions = new List<int>();
        using var iterator = Cases.GetItemQueryIterator<TimelineItem>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(id.Value) });
        while (iterator.HasMoreResults)
        {
            positions.AddRange((await iterator.ReadNextAsync()).Select(t => t.Position));
        }

        return [.. positions.Order()];
    }

    /// <summary>The document requests the SDK sends (metadata requests aside), grouped by the store operation that sent them.</summary>
    private sealed class RequestLog
    {
        private readonly ConcurrentQueue<(string Method, string Path, bool CrossPartition, double Charge)> _current = new();

        public List<(string Name, int Requests, double Charge, string Detail)> Operations { get; } = [];

        public List<string> CrossPartitionQueries { get; } = [];

        public async Task<T> MeasureAsync<T>(string name, Func<Task<T>> operation)
        {
            _current.Clear();
            var result = await operation();
            var requests = _current.ToArray();
            CrossPartitionQueries.AddRange(requests.Where(r => r.CrossPartition).Select(r => $"{name}: {r.Method} {r.Path}"));
            Operations.Add((name, requests.Length, requests.Sum(r => r.Charge), string.Join(", ", requests.Select(r => $"{r.Method} {r.Path}"))));
            return result;
        }

        public IEnumerable<string> Report() =>
            Operations.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name}: {o.Requests} requests, {o.Charge} RU as the server reports: {o.Detail}"));

        public sealed class Handler(RequestLog log, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                var segments = request.RequestUri?.AbsolutePath.Trim('/').Split('/') ?? [];
                if (segments.Length >= 5 && segments[4] == "docs")
                {
                    var isQuery = request.Headers.TryGetValues("x-ms-documentdb-isquery", out var q) && q.Contains("True", StringComparer.OrdinalIgnoreCase);
                    var crossPartition = request.Headers.TryGetValues("x-ms-documentdb-query-enablecrosspartition", out var x) && x.Contains("True", StringComparer.OrdinalIgnoreCase);
                    var charge = response.Headers.TryGetValues("x-ms-request-charge", out var c) && double.TryParse(c.First(), CultureInfo.InvariantCulture, out var ru) ? ru : 0;
                    var what = isQuery ? "QUERY " + segments[3] : segments[3] + (segments.Length > 5 ? "/" + segments[5] : string.Empty);
                    log._current.Enqueue((request.Method.Method, what, crossPartition, charge));
                }

                return response;
            }
        }
    }
}
