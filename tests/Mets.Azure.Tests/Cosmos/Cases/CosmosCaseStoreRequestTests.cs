using System.Net;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Cases;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Microsoft.Azure.Cosmos;
using Moq;
using static Mets.Azure.Tests.Cosmos.Cases.CaseSamples;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>
/// The exact requests CosmosCaseStore sends, and what it does with answers the test server cannot give (a real 404
/// CosmosException on a point read, a 412 on the case replace), on strict mocks of the SDK's Database and Container.
/// </summary>
public sealed class CosmosCaseStoreRequestTests
{
    private readonly Mock<Container> _cases = new(MockBehavior.Strict);
    private readonly Mock<Container> _referrals = new(MockBehavior.Strict);
    private readonly Mock<Container> _members = new(MockBehavior.Strict);
    private readonly Mock<Container> _workQueue = new(MockBehavior.Strict);
    private readonly CosmosCaseStore _store;

    public CosmosCaseStoreRequestTests()
    {
        var database = new Mock<Database>(MockBehavior.Strict);
        database.Setup(d => d.GetContainer(CosmosLayout.Cases.Name)).Returns(_cases.Object);
        database.Setup(d => d.GetContainer(CosmosLayout.Referrals.Name)).Returns(_referrals.Object);
        database.Setup(d => d.GetContainer(CosmosLayout.Members.Name)).Returns(_members.Object);
        database.Setup(d => d.GetContainer(CosmosLayout.WorkQueue.Name)).Returns(_workQueue.Object);
        _store = new CosmosCaseStore(database.Object);
    }

    [Fact]
    public async Task PointReads_OfMissingItems_AnswerNothing_EachInItsOwnPartition()
    {
        var id = EngagementId.New(Guid.NewGuid());
        var member = NewMember();
        var referral = NewReferralId();
        _cases.Setup(c => c.ReadItemAsync<CaseItem>("case", new PartitionKey(id.Value), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());
        _cases.Setup(c => c.ReadItemAsync<AssessmentDetailsItem>("assessment-details", new PartitionKey(id.Value), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());
        _members.Setup(c => c.ReadItemAsync<MemberItem>(member.Value, new PartitionKey(member.Value), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());
        _referrals.Setup(c => c.ReadItemAsync<ReferralItem>(referral.Value, new PartitionKey(referral.Value), null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());

        Assert.Null(await _store.GetAsync(id));
        Assert.False(await _store.HasAppliedAsync(id, "change-1"));
        Assert.Null(await _store.GetAssessmentDetailsAsync(id));
        Assert.Null(await _store.FindOpenByMemberAsync(member));
        Assert.Null(await _store.GetReferralAsync(referral));
        Assert.Equal(new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null), await _store.SaveAsync(NewCase(Referral(member)) with { Id = id, ETag = "\"e1\"" }, "change-1"));
    }

    [Fact]
    public async Task PointRead_OtherFailures_Surface()
    {
        var id = EngagementId.New(Guid.NewGuid());
        _cases.Setup(c => c.ReadItemAsync<CaseItem>("case", new PartitionKey(id.Value), null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("busy", HttpStatusCode.ServiceUnavailable, 0, "a1", 1));

        var failure = await Assert.ThrowsAsync<CosmosException>(() => _store.GetAsync(id));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.StatusCode);
    }

    [Fact]
    public async Task Save_ReplacesTheCaseInItsPartitionWithIfMatch_AfterWritingTheLastSavesEntries_ThenTheQueueCopy()
    {
        var (stored, read) = Received();
        var key = new PartitionKey(read.Id.Value);
        var clinician = NewClinician();
        var started = read.Start(clinician, T0.AddDays(7), T0.AddDays(180), T0);
        var order = new List<string>();
        SetupRead(_cases, "case", key, stored, "\"e1\"");
        _cases.Setup(c => c.UpsertItemAsync(It.Is<TimelineItem>(t => t.Id == "timeline-000001" && t.Position == 1 && t.Entry.Kind == TimelineEntryKind.ReferralReceived), key,
                It.Is<ItemRequestOptions>(o => o.IfMatchEtag == null), It.IsAny<CancellationToken>()))
            .Callback(() => order.Add("timeline-000001")).ReturnsAsync(Response<TimelineItem>(null, "\"t1\""));
        _cases.Setup(c => c.ReplaceItemAsync(It.IsAny<CaseItem>(), "case", key, It.Is<ItemRequestOptions>(o => o.IfMatchEtag == "\"e1\""), It.IsAny<CancellationToken>()))
            .Callback<CaseItem, string, PartitionKey?, ItemRequestOptions, CancellationToken>((item, _, _, _, _) => order.Add($"case v{item.Version} length {item.TimelineLength} recent {item.RecentTimeline.Count} changes {item.AppliedChanges.Count}"))
            .ReturnsAsync(Response<CaseItem>(null, "\"e2\""));
        var openKey = new PartitionKey("open");
        _workQueue.Setup(c => c.ReadItemAsync<QueueItem>(read.Id.Value, openKey, null, It.IsAny<CancellationToken>())).ThrowsAsync(NotFound());
        _workQueue.Setup(c => c.CreateItemAsync(It.Is<QueueItem>(q => q.Id == read.Id.Value && q.Queue == "open" && q.Version == 2 && q.AssignedClinician == clinician.Value && q.Case.Timeline.Count == 0), openKey,
                It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .Callback(() => order.Add("queue copy v2")).ReturnsAsync(Response<QueueItem>(null, "\"q1\""));

        var saved = await _store.SaveAsync(started, "start");

        Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
        Assert.Equal("\"e2\"", saved.Case!.ETag);
        Assert.Equal(3, saved.Case.Timeline.Count);
        Assert.Equal(["timeline-000001", "case v2 length 3 recent 2 changes 1", "queue copy v2"], order);
        _cases.Verify(c => c.ReplaceItemAsync(It.Is<CaseItem>(i => i.AppliedChanges.Single() == CosmosCaseStore.ChangeKey("start") && i.Case.ETag == null && i.Case.Timeline.Count == 0),
            "case", key, It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Save_412OnTheReplace_IsConcurrencyConflict_AndTouchesNoQueueCopy()
    {
        var (stored, read) = Received();
        var key = new PartitionKey(read.Id.Value);
        SetupRead(_cases, "case", key, stored, "\"e1\"");
        _cases.Setup(c => c.UpsertItemAsync(It.IsAny<TimelineItem>(), key, It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>())).ReturnsAsync(Response<TimelineItem>(null, "\"t1\""));
        _cases.Setup(c => c.ReplaceItemAsync(It.IsAny<CaseItem>(), "case", key, It.Is<ItemRequestOptions>(o => o.IfMatchEtag == "\"e1\""), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("changed", HttpStatusCode.PreconditionFailed, 0, "a2", 1));

        var result = await _store.SaveAsync(read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0), "start");

        Assert.Equal(new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null), result);
        _workQueue.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Save_StaleETagOrKnownChange_WritesNothing()
    {
        var (stored, read) = Received();
        var key = new PartitionKey(read.Id.Value);
        SetupRead(_cases, "case", key, stored with { AppliedChanges = [CosmosCaseStore.ChangeKey("known")] }, "\"e1\"");
        _workQueue.Setup(c => c.ReadItemAsync<QueueItem>(read.Id.Value, new PartitionKey("open"), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response(CosmosCaseStore.QueueCopy(stored), "\"q1\""));
        var started = read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0);

        var stale = await _store.SaveAsync(started with { ETag = "\"e0\"" }, "new");
        var known = await _store.SaveAsync(started, "known");

        Assert.Equal(CaseSaveOutcome.ConcurrencyConflict, stale.Outcome);
        Assert.Equal(CaseSaveOutcome.AlreadyApplied, known.Outcome);
        _cases.Verify(c => c.ReplaceItemAsync(It.IsAny<CaseItem>(), It.IsAny<string>(), It.IsAny<PartitionKey?>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()), Times.Never);
        _cases.Verify(c => c.UpsertItemAsync(It.IsAny<TimelineItem>(), It.IsAny<PartitionKey?>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task ListOpen_OneQueryOnTheOpenPartition_NamingItInTheText_SortedHere_WithoutETags()
    {
        var clinician = NewClinician();
        var copies = new[] { Copy(clinician), Copy(clinician) };
        QueryDefinition? sent = null;
        QueryRequestOptions? options = null;
        _workQueue.Setup(c => c.GetItemQueryIterator<QueueItem>(It.IsAny<QueryDefinition>(), null, It.IsAny<QueryRequestOptions>()))
            .Callback<QueryDefinition, string, QueryRequestOptions>((q, _, o) => (sent, options) = (q, o))
            .Returns(Pages(copies));

        var listed = await _store.ListOpenAsync(clinician);

        Assert.Equal("SELECT * FROM c WHERE c.queue = @queue AND c.assignedClinician = @clinician", sent!.QueryText);
        Assert.Equal([("@queue", (object)"open"), ("@clinician", clinician.Value)], sent.GetQueryParameters());
        Assert.Equal(new PartitionKey("open"), options!.PartitionKey);
        Assert.Equal(copies.Select(c => c.Id).Order(StringComparer.Ordinal), listed.Select(c => c.Id.Value));
        Assert.All(listed, c => Assert.Null(c.ETag));
    }

    [Fact]
    public async Task CountOpenByClinician_OneProjectionQueryOnTheOpenPartition_CountedHere()
    {
        var (alvarez, okafor) = (NewClinician(), NewClinician());
        QueryDefinition? sent = null;
        _workQueue.Setup(c => c.GetItemQueryIterator<ClinicianRow>(It.IsAny<QueryDefinition>(), null, It.Is<QueryRequestOptions>(o => o.PartitionKey == new PartitionKey("open"))))
            .Callback<QueryDefinition, string, QueryRequestOptions>((q, _, _) => sent = q)
            .Returns(Pages(new ClinicianRow(alvarez.Value), new ClinicianRow(null), new ClinicianRow(okafor.Value), new ClinicianRow(alvarez.Value)));

        var counts = await _store.CountOpenByClinicianAsync();

        Assert.Equal("SELECT c.assignedClinician FROM c WHERE c.queue = @queue", sent!.QueryText);
        Assert.Equal([("@queue", (object)"open")], sent.GetQueryParameters());
        Assert.Equal(2, counts.Count);
        Assert.Equal((2, 1), (counts[alvarez], counts[okafor]));
    }

    [Fact]
    public async Task Get_TimelineItemsOneQueryInTheCasePartition_ThenTheDocumentsRecentEntries()
    {
        var (received, read) = Received();
        var started = read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0);
        var stored = received with { Version = 2, TimelineLength = 3, RecentTimeline = [.. started.Timeline.Skip(1)] };
        var key = new PartitionKey(read.Id.Value);
        SetupRead(_cases, "case", key, stored, "\"e2\"");
        QueryDefinition? sent = null;
        _cases.Setup(c => c.GetItemQueryIterator<TimelineItem>(It.IsAny<QueryDefinition>(), null, It.Is<QueryRequestOptions>(o => o.PartitionKey == key)))
            .Callback<QueryDefinition, string, QueryRequestOptions>((q, _, _) => sent = q)
            .Returns(Pages(new TimelineItem("timeline-000001", read.Id.Value, "timeline", 1, read.Timeline[0]), new TimelineItem("timeline-000002", read.Id.Value, "timeline", 2, started.Timeline[1])));

        var found = await _store.GetAsync(read.Id);

        Assert.Equal("SELECT * FROM c WHERE c.engagementId = @engagementId AND c.kind = @kind", sent!.QueryText);
        Assert.Equal([("@engagementId", (object)read.Id.Value), ("@kind", "timeline")], sent.GetQueryParameters());
        Assert.Equal(Entries(started.Timeline), Entries(found!.Timeline));
        Assert.Equal("\"e2\"", found.ETag);
    }

    private static (CaseItem Stored, EngagementCase Read) Received()
    {
        var newCase = NewCase(Referral(NewMember()));
        return (CosmosCaseStore.NewCaseItem(newCase), newCase with { ETag = "\"e1\"" });
    }

    private static QueueItem Copy(StaffId clinician)
    {
        var (stored, read) = Received();
        return CosmosCaseStore.QueueCopy(stored with { Case = read.Start(clinician, T0.AddDays(7), T0.AddDays(180), T0) with { Timeline = [], ETag = null } });
    }

    private static void SetupRead<T>(Mock<Container> container, string id, PartitionKey key, T item, string etag) =>
        container.Setup(c => c.ReadItemAsync<T>(id, key, null, It.IsAny<CancellationToken>())).ReturnsAsync(Response(item, etag));

    private static ItemResponse<T> Response<T>(T? item, string etag)
    {
        var response = new Mock<ItemResponse<T>>();
        response.Setup(r => r.Resource).Returns(item!);
        response.Setup(r => r.ETag).Returns(etag);
        response.Setup(r => r.StatusCode).Returns(HttpStatusCode.OK);
        return response.Object;
    }

    private static FeedIterator<T> Pages<T>(params T[] items)
    {
        var page = new Mock<FeedResponse<T>>();
        page.Setup(p => p.GetEnumerator()).Returns(() => ((IEnumerable<T>)items).GetEnumerator());
        var iterator = new Mock<FeedIterator<T>>();
        iterator.SetupSequence(i => i.HasMoreResults).Returns(true).Returns(false);
        iterator.Setup(i => i.ReadNextAsync(It.IsAny<CancellationToken>())).ReturnsAsync(page.Object);
        return iterator.Object;
    }

    private static CosmosException NotFound() => new("Entity with the specified id does not exist in the system.", HttpStatusCode.NotFound, 0, "a0", 1);
}
