using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Claims;
using Mets.Claims.Storage;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>The contract on the Cosmos DB adapter against the test server (a fresh database per test).</summary>
[Collection(CosmosServerGroup.Name)]
public sealed class CosmosClaimsStoreContractTests(CosmosServerFixture server, ITestOutputHelper output) : ClaimsStoreContract(output)
{
    private readonly CosmosOptions _options = server.Options();
    private readonly List<CosmosClient> _clients = [];
    private readonly RequestCounter _requests = new();

    protected override bool CrashLeavesPartOfABatch => true;

    public override async Task InitializeAsync()
    {
        await CosmosLayout.CreateIfNotExistsAsync(Client(CosmosServerFixture.CreateClient(_options)), _options.Database, CancellationToken.None);
    }

    /// <summary>A new client and a new store: nothing carried over from the previous store object.</summary>
    protected override IClaimsStore OpenStore() => new CosmosClaimsStore(Client(ClaimsCosmosClients.Counting(_options, _requests)).GetDatabase(_options.Database), _options);

    protected override (IClaimsStore Store, CancellationToken Crash) OpenCrashingStore(int writesBeforeCrash)
    {
        var crash = new CancellationTokenSource();
        var client = Client(ClaimsCosmosClients.Crashing(_options, writesBeforeCrash, crash));
        return (new CosmosClaimsStore(client.GetDatabase(_options.Database), _options), crash.Token);
    }

    protected override Task<int> CountStagedAsync(string contentHash, IReadOnlyCollection<string> members) =>
        ClaimsCosmosClients.CountStagedAsync(_clients[0].GetContainer(_options.Database, CosmosLayout.Claims.Name), contentHash, members);

    /// <summary>
    /// The requests docs/cosmos.md's estimate is built on, counted on the test server (it reports 1 RU for every request,
    /// so only counts can be measured here): staging, commit and analytics of a file of new claims, then of a file of
    /// replacements (same member and moving), voids and new claims.
    /// </summary>
    [Fact]
    public async Task Requests_StagingCommitAndAnalytics_AreTheCountsTheEstimateUses()
    {
        var counter = new RequestCounter();
        var store = Counted(counter);
        var first = ClaimsTestData.Hash("cost-1");
        var news = Enumerable.Range(0, 100).Select(i => ClaimsTestData.Visit($"C{i:D3}", $"M{i % 20:D2}", "2026-03-02", paid: 100m + i)).ToList();

        var begin = await CountAsync(counter, () => store.BeginFileAsync(first, "cost-1.csv", ClaimsFileKind.ClaimsCsv, null, ClaimsTestData.Now, CancellationToken.None));
        var stage = await CountAsync(counter, async () =>
        {
            foreach (var batch in news.Chunk(50))
            {
                await store.StageAsync(first, batch, [], ClaimsFileProgress.None, ClaimsTestData.Now, CancellationToken.None);
            }
        });
        var commit = await CountAsync(counter, () => store.CommitAsync(first, ClaimsFileCounts.Empty, [], [], ClaimsFileProgress.None, ClaimsTestData.AsOf, ClaimsTestData.Now, CancellationToken.None));
        var analytics = await CountAsync(counter, () => AnalyseAsync(store, first));

        var second = ClaimsTestData.Hash("cost-2");
        List<Mets.Claims.Claim> corrections =
        [
            .. Enumerable.Range(0, 20).Select(i => ClaimsTestData.Visit($"C{i:D3}", $"M{i % 20:D2}", "2026-03-02", paid: 1m, frequency: Mets.Claims.ClaimFrequency.Replacement)),
            .. Enumerable.Range(20, 10).Select(i => ClaimsTestData.Visit($"C{i:D3}", $"M{(i + 1) % 20:D2}", "2026-03-02", paid: 2m, frequency: Mets.Claims.ClaimFrequency.Replacement)),
            .. Enumerable.Range(30, 10).Select(i => ClaimsTestData.Visit($"C{i:D3}", $"M{i % 20:D2}", "2026-03-02", frequency: Mets.Claims.ClaimFrequency.Void)),
            .. Enumerable.Range(100, 10).Select(i => ClaimsTestData.Visit($"C{i:D3}", $"M{i % 20:D2}", "2026-03-03")),
        ];
        var reader = Counted(counter);
        await reader.BeginFileAsync(second, "cost-2.csv", ClaimsFileKind.ClaimsCsv, null, ClaimsTestData.Now, CancellationToken.None);
        var stageCorrections = await CountAsync(counter, () => reader.StageAsync(second, corrections, [], ClaimsFileProgress.None, ClaimsTestData.Now, CancellationToken.None));
        var versionBytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new VersionItem(ItemIds.ClaimVersion("C000", first, 0), "M00", ItemKinds.Claim, first, 1, "C000", 0, Mets.Claims.ClaimFrequency.Original, "M00", ClaimBody.From(news[0])),
            Mets.Workflow.Cases.CaseDocumentJson.Options).Length;
        Output.WriteLine($"begin: {begin.Requests}\nstage 100 new claims in 2 batches: {stage.Requests}\ncommit: {commit.Requests}\nanalytics of 20 members: {analytics.Requests}\n" +
            $"stage 20 replacements, 10 moving replacements, 10 voids, 10 new claims: {stageCorrections.Requests}\na one-line claim version item: {versionBytes} bytes");

        Assert.Equal(2, begin.Total); // read (404), create
        Assert.Equal((2 * 100) + (2 * 3), stage.Total); // per claim: index create, version upsert; per batch: file read, member chunk, file replace
        Assert.Equal(4, commit.Total); // file read, sequence read (404 at the first commit, then a replace) and create, file replace; no report
        Assert.Equal(2 + (20 * 3), analytics.Total); // file read, chunk query; per member: query, analysis read, analysis upsert (no triggers here)
        Assert.Equal(3 + (20 * 3) + (10 * 5) + (10 * 3) + (10 * 2) + 1, stageCorrections.Total); // batch 3; replacement 3; moving 5; void 3; new 2; one file-state read
    }

    private static async Task<(int Total, string Requests)> CountAsync(RequestCounter counter, Func<Task> action)
    {
        counter.Reset();
        await action();
        return (counter.Total, counter.ToString());
    }

    private CosmosClaimsStore Counted(RequestCounter counter) =>
        new(Client(ClaimsCosmosClients.Counting(_options, counter)).GetDatabase(_options.Database), _options);

    private static async Task AnalyseAsync(CosmosClaimsStore store, string hash)
    {
        var analyses = new List<Mets.Claims.Analytics.MemberAnalysis>();
        await foreach (var snapshot in store.ReadMembersAffectedByAsync(hash, CancellationToken.None))
        {
            analyses.Add(new Mets.Claims.Analytics.MemberAnalysis(snapshot.MemberId, [], [], []));
        }

        await store.SaveMemberAnalysesAsync(hash, analyses, CancellationToken.None);
    }

    public override Task DisposeAsync()
    {
        Output.WriteLine($"Cosmos test server: {_requests}");
        _clients.ForEach(c => c.Dispose());
        return Task.CompletedTask;
    }

    private CosmosClient Client(CosmosClient client)
    {
        _clients.Add(client);
        return client;
    }
}
