using System.Net;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Claims;
using Mets.Claims;
using Mets.Claims.Storage;
using Microsoft.Azure.Cosmos;
using Moq;
using static Mets.Azure.Tests.Cosmos.Claims.ClaimsTestData;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>
/// The exact requests of <see cref="CosmosClaimsStore"/>, and what it does with answers the test server cannot give
/// (a real 404 <see cref="CosmosException"/>, a 412 on the commit flip). Strict mocks: any other request fails.
/// </summary>
public sealed class CosmosClaimsStoreRequestTests
{
    private static readonly string FileHash = Hash("request-tests");
    private readonly Mock<Container> _claims = new(MockBehavior.Strict);
    private readonly Mock<Container> _index = new(MockBehavior.Strict);
    private readonly Mock<Container> _files = new(MockBehavior.Strict);
    private readonly List<string> _writes = [];
    private readonly List<(string Container, QueryDefinition Query, QueryRequestOptions? Options)> _queries = [];

    [Fact]
    public async Task GetFileAsync_UnknownHash_PointReadsTheFileItemInTheHashPartition_404IsNull()
    {
        _files.Setup(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());

        Assert.Null(await Store().GetFileAsync(FileHash, CancellationToken.None));
    }

    [Fact]
    public async Task GetCareGapsAndMonths_MemberNeverAnalysed_PointReadTheAnalysisItem_404IsEmpty()
    {
        _claims.Setup(c => c.ReadItemAsync<AnalysisItem>("analysis", new PartitionKey("M1"), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());
        var store = Store();

        Assert.Empty(await store.GetCareGapsAsync("M1", CancellationToken.None));
        Assert.Empty(await store.GetMemberMonthsAsync("M1", CancellationToken.None));
    }

    [Fact]
    public async Task CommitAsync_Staging_WritesReportAndSequenceThenFlipsTheRecordWithIfMatchOnItsETag()
    {
        _files.Setup(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(StagingFile(attempt: 3), "\"file-etag-7\""));
        SetupSequence(current: 41);
        SetupReportUpsert();
        FileItem? flipped = null;
        ItemRequestOptions? flipOptions = null;
        _files.Setup(c => c.ReplaceItemAsync(It.IsAny<FileItem>(), "file", new PartitionKey(FileHash), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((FileItem item, string _, PartitionKey? _, ItemRequestOptions options, CancellationToken _) =>
            {
                (flipped, flipOptions) = (item, options);
                _writes.Add("replace file");
            })
            .ReturnsAsync(new FakeItemResponse<FileItem>(null!, "\"file-etag-8\""));

        await Store().CommitAsync(FileHash, new ClaimsFileCounts(3, 2, 1, 3, 2, 0), [new RejectEntry("row 2", "dx1", "required")], [], ClaimsFileProgress.None, AsOf, Now, CancellationToken.None);

        Assert.Equal("\"file-etag-7\"", flipOptions!.IfMatchEtag);
        Assert.Equal((ClaimsFileStatus.Committed, 42L, 3, 1, (DateOnly?)AsOf), (flipped!.Status, flipped.CommitSequence!.Value, flipped.Attempt, flipped.ReportChunks, flipped.AnalyzedAsOf));
        Assert.Equal(["upsert report-0001", "replace commit-sequence if-match \"seq-41\"", "replace file"], _writes);
    }

    [Fact]
    public async Task CommitAsync_RecordChangedSinceRead412_ThrowsAndTheFileStaysInvisible()
    {
        _files.Setup(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(StagingFile(attempt: 1), "\"file-etag-7\""));
        SetupSequence(current: 1);
        _files.Setup(c => c.ReplaceItemAsync(It.IsAny<FileItem>(), "file", new PartitionKey(FileHash), It.Is<ItemRequestOptions>(o => o.IfMatchEtag == "\"file-etag-7\""), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("precondition failed", HttpStatusCode.PreconditionFailed, 0, "a412", 1));
        var store = Store();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync(FileHash, ClaimsFileCounts.Empty, [], [], ClaimsFileProgress.None, AsOf, Now, CancellationToken.None));

        Assert.Contains("changed while the file was being committed", failure.Message, StringComparison.Ordinal);
        Assert.Equal(["replace commit-sequence if-match \"seq-1\""], _writes);
    }

    [Fact]
    public async Task StageAsync_NewClaim_RegistersInTheIndexThenUpsertsIntoTheMemberPartitionThenRecordsProgressWithIfMatch()
    {
        _files.Setup(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(StagingFile(attempt: 1) with { StagedClaims = 40, StagedBatches = 2 }, "\"file-etag-3\""));
        IndexItem? registered = null;
        _index.Setup(c => c.CreateItemAsync(It.IsAny<IndexItem>(), new PartitionKey("CLM/7#1"), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((IndexItem item, PartitionKey? _, ItemRequestOptions _, CancellationToken _) => Record("create index", () => registered = item))
            .ReturnsAsync(new FakeItemResponse<IndexItem>(null!, "\"i1\""));
        VersionItem? version = null;
        _claims.Setup(c => c.UpsertItemAsync(It.IsAny<VersionItem>(), new PartitionKey("M1"), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((VersionItem item, PartitionKey? _, ItemRequestOptions _, CancellationToken _) => Record("upsert version", () => version = item))
            .ReturnsAsync(new FakeItemResponse<VersionItem>(null!, "\"v1\""));
        MembersItem? members = null;
        _files.Setup(c => c.UpsertItemAsync(It.IsAny<MembersItem>(), new PartitionKey(FileHash), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((MembersItem item, PartitionKey? _, ItemRequestOptions _, CancellationToken _) => Record("upsert members", () => members = item))
            .ReturnsAsync(new FakeItemResponse<MembersItem>(null!, "\"m1\""));
        FileItem? progress = null;
        _files.Setup(c => c.ReplaceItemAsync(It.IsAny<FileItem>(), "file", new PartitionKey(FileHash), It.Is<ItemRequestOptions>(o => o.IfMatchEtag == "\"file-etag-3\""), It.IsAny<CancellationToken>()))
            .Callback((FileItem item, string _, PartitionKey? _, ItemRequestOptions _, CancellationToken _) => Record("replace file", () => progress = item))
            .ReturnsAsync(new FakeItemResponse<FileItem>(null!, "\"file-etag-4\""));

        await Store().StageAsync(FileHash, [Visit("CLM/7#1", "M1", "2026-03-02", paid: 100.10m)], [], new ClaimsFileProgress(41, 4_100, 9_000), Now, CancellationToken.None);

        Assert.Equal(["create index", "upsert version", "upsert members", "replace file"], _writes);
        Assert.Equal(("CLM%2F7%231", new IndexEntry(FileHash, 40, "M1", ClaimFrequency.Original, 1)), (registered!.Id, Assert.Single(registered.Versions)));
        Assert.Equal(($"claim-CLM%2F7%231-{FileHash}-40", "M1", FileHash, 1, "M1"), (version!.Id, version.MemberId, version.FileHash, version.Attempt, version.Owner));
        Assert.Equal("100.10", version.Claim!.Lines[0].PaidAmount);
        Assert.Equal(("members-000003-01", 1, "M1"), (members!.Id, members.Attempt, Assert.Single(members.Members)));
        Assert.Equal((ClaimsFileStatus.Staging, 41, 3, 41L, 9_000L), (progress!.Status, progress.StagedClaims, progress.StagedBatches, progress.Rows, progress.TotalBytes!.Value));
    }

    [Fact]
    public async Task ReserveAcknowledgmentNumbersAsync_CounterChangedAfterItsRead412_ReadsAgainAndReservesAfterTheOtherWriter()
    {
        const string key = "acknowledgment-number";
        _files.SetupSequence(c => c.ReadItemAsync<SequenceItem>(key, new PartitionKey(key), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<SequenceItem>(new SequenceItem(key, key, "sequence", 10), "\"ack-10\""))
            .ReturnsAsync(new FakeItemResponse<SequenceItem>(new SequenceItem(key, key, "sequence", 13), "\"ack-13\""));
        _files.Setup(c => c.ReplaceItemAsync(It.IsAny<SequenceItem>(), key, new PartitionKey(key), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((SequenceItem item, string _, PartitionKey? _, ItemRequestOptions options, CancellationToken _) => _writes.Add($"replace {key} {item.Value} if-match {options.IfMatchEtag}"))
            .Returns((SequenceItem _, string _, PartitionKey? _, ItemRequestOptions options, CancellationToken _) => options.IfMatchEtag == "\"ack-10\""
                ? throw new CosmosException("precondition failed", HttpStatusCode.PreconditionFailed, 0, "a412", 1)
                : Task.FromResult<ItemResponse<SequenceItem>>(new FakeItemResponse<SequenceItem>(null!, "\"ack-16\"")));

        var first = await Store().ReserveAcknowledgmentNumbersAsync(3, CancellationToken.None);

        Assert.Equal(14, first);
        Assert.Equal([$"replace {key} 13 if-match \"ack-10\"", $"replace {key} 16 if-match \"ack-13\""], _writes);
    }

    [Fact]
    public async Task GetFileAsync_AcknowledgmentIsReadForX12FilesOnly_404IsNone()
    {
        var csv = StagingFile(attempt: 1);
        _files.SetupSequence(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(csv, "\"f1\""))
            .ReturnsAsync(new FakeItemResponse<FileItem>(csv with { FileKind = ClaimsFileKind.X12Claims }, "\"f2\""));
        var acknowledgmentReads = 0;
        _files.Setup(c => c.ReadItemAsync<AcknowledgmentItem>("acknowledgment", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .Callback(() => acknowledgmentReads++)
            .ThrowsAsync(NotFound());
        var store = Store();

        var csvRecord = await store.GetFileAsync(FileHash, CancellationToken.None);
        var readsForCsv = acknowledgmentReads;
        var x12Record = await store.GetFileAsync(FileHash, CancellationToken.None);

        Assert.Equal((0, 1), (readsForCsv, acknowledgmentReads));
        Assert.Equal((ClaimsFileKind.ClaimsCsv, ClaimsFileKind.X12Claims), (csvRecord!.Kind, x12Record!.Kind));
        Assert.Null(csvRecord.Acknowledgment);
        Assert.Null(x12Record.Acknowledgment);
    }

    [Fact]
    public async Task Queries_EveryReader_NamesItsPartitionKeyInTheTextAndTheOptions_NoOrderByOrCount()
    {
        var committed = StagingFile(attempt: 2) with { Status = ClaimsFileStatus.Committed, CommitSequence = 5 };
        _files.Setup(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(committed, "\"f\""));
        _claims.Setup(c => c.ReadItemAsync<AnalysisItem>("analysis", It.IsAny<PartitionKey>(), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());
        CaptureQueries(_claims, "claims", Array.Empty<VersionItem>());
        CaptureQueries(_claims, "claims", Array.Empty<CosmosClaimsStore.ItemId>());
        CaptureQueries(_files, "claims-files", new[] { new MembersItem("members-000001-01", FileHash, "members", 2, 1, ["M1", "M2"]) });
        CaptureQueries(_files, "claims-files", Array.Empty<TriggerItem>());
        var store = Store();

        await store.GetMemberAsync("M7", null, CancellationToken.None);
        await store.GetTriggersAsync(FileHash, CancellationToken.None);
        await foreach (var _ in store.ReadMembersAffectedByAsync(FileHash, CancellationToken.None))
        {
        }

        var staging = StagingFile(attempt: 1);
        _files.Setup(c => c.ReadItemAsync<FileItem>("file", new PartitionKey(FileHash), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(staging, "\"s\""));
        _files.Setup(c => c.ReplaceItemAsync(It.IsAny<FileItem>(), "file", new PartitionKey(FileHash), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<FileItem>(null!, "\"q\""));
        await store.QuarantineAsync(FileHash, "broken", ClaimsFileCounts.Empty, [], [], ClaimsFileProgress.None, Now, CancellationToken.None); // deletes what it staged

        Assert.Equal(8, _queries.Count); // member M7; triggers; members chunks + M1 + M2; quarantine: members chunks + its items at M1 and M2
        Assert.All(_queries, q =>
        {
            var (path, name) = q.Container == "claims" ? ("c.memberId", "@memberId") : ("c.contentHash", "@contentHash");
            var value = (string)q.Query.GetQueryParameters().Single(p => p.Name == name).Value;
            Assert.Contains($"WHERE {path} = {name}", q.Query.QueryText, StringComparison.Ordinal);
            Assert.Equal(new PartitionKey(value), q.Options!.PartitionKey);
            Assert.DoesNotContain("ORDER BY", q.Query.QueryText, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("COUNT", q.Query.QueryText, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(["M1", "M1", "M2", "M2", "M7"], _queries.Where(q => q.Container == "claims").Select(q => (string)q.Query.GetQueryParameters()[0].Value).Order(StringComparer.Ordinal));
    }

    private CosmosClaimsStore Store()
    {
        var database = new Mock<Database>(MockBehavior.Strict);
        database.Setup(d => d.GetContainer(CosmosLayout.Claims.Name)).Returns(_claims.Object);
        database.Setup(d => d.GetContainer(CosmosLayout.ClaimIndex.Name)).Returns(_index.Object);
        database.Setup(d => d.GetContainer(CosmosLayout.ClaimsFiles.Name)).Returns(_files.Object);
        return new CosmosClaimsStore(database.Object, new CosmosOptions { MaxConcurrentWrites = 1 });
    }

    private void Record(string write, Action capture)
    {
        _writes.Add(write);
        capture();
    }

    private void SetupSequence(long current)
    {
        _files.Setup(c => c.ReadItemAsync<SequenceItem>("commit-sequence", new PartitionKey("commit-sequence"), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeItemResponse<SequenceItem>(new SequenceItem("commit-sequence", "commit-sequence", "sequence", current), $"\"seq-{current}\""));
        _files.Setup(c => c.ReplaceItemAsync(It.Is<SequenceItem>(s => s.Value == current + 1), "commit-sequence", new PartitionKey("commit-sequence"), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((SequenceItem _, string _, PartitionKey? _, ItemRequestOptions options, CancellationToken _) => _writes.Add($"replace commit-sequence if-match {options.IfMatchEtag}"))
            .ReturnsAsync(new FakeItemResponse<SequenceItem>(null!, "\"seq-next\""));
    }

    private void SetupReportUpsert() =>
        _files.Setup(c => c.UpsertItemAsync(It.IsAny<ReportItem>(), new PartitionKey(FileHash), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback((ReportItem item, PartitionKey? _, ItemRequestOptions _, CancellationToken _) => _writes.Add("upsert " + item.Id))
            .ReturnsAsync(new FakeItemResponse<ReportItem>(null!, "\"r\""));

    private void CaptureQueries<T>(Mock<Container> container, string name, IReadOnlyList<T> answer) =>
        container.Setup(c => c.GetItemQueryIterator<T>(It.IsAny<QueryDefinition>(), null, It.IsAny<QueryRequestOptions>()))
            .Callback((QueryDefinition query, string _, QueryRequestOptions options) => _queries.Add((name, query, options)))
            .Returns(() => new FakeFeed<T>(answer));

    private static FileItem StagingFile(int attempt) => new(
        "file", FileHash, "file", "f.csv", ClaimsFileKind.ClaimsCsv, ClaimsFileStatus.Staging, Now, Now, 0, 0, 9_000,
        CountsBody.From(ClaimsFileCounts.Empty), null, null, attempt, 0, 0, 0, null);

    private static CosmosException NotFound() => new("Entity with the specified id does not exist in the system.", HttpStatusCode.NotFound, 0, "a404", 1);

    private sealed class FakeItemResponse<T>(T resource, string etag) : ItemResponse<T>
    {
        public override T Resource => resource;

        public override string ETag => etag;

        public override HttpStatusCode StatusCode => HttpStatusCode.OK;
    }

    private sealed class FakeFeed<T>(IReadOnlyList<T> items) : FeedIterator<T>
    {
        private bool _read;

        public override bool HasMoreResults => !_read;

        public override Task<FeedResponse<T>> ReadNextAsync(CancellationToken cancellationToken = default)
        {
            _read = true;
            return Task.FromResult<FeedResponse<T>>(new FakeFeedResponse<T>(items));
        }
    }

    private sealed class FakeFeedResponse<T>(IReadOnlyList<T> items) : FeedResponse<T>
    {
        public override string ContinuationToken => null!;

        public override int Count => items.Count;

        public override string IndexMetrics => string.Empty;

        public override Headers Headers => new();

        public override IEnumerable<T> Resource => items;

        public override HttpStatusCode StatusCode => HttpStatusCode.OK;

        public override CosmosDiagnostics Diagnostics => null!;

        public override IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    }
}
