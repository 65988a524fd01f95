using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Cases;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Maintenance;
using Mets.Workflow.Tests.Audit;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Mets.Azure.Tests.Cosmos.Cases.CaseSamples;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>
/// The tamper-evident timeline on each case store (docs/reliability.md, "Tamper-evident audit"): a save that rewrites
/// the timeline is refused, and an entry edited, deleted or inserted in the store's own storage behind the
/// application's back, or the whole chain rewritten consistently, is found by the verification routine against the
/// anchors (the real local anchor file).
/// </summary>
public abstract class TimelineAuditContract : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-audit-").FullName;
    private readonly WorkflowMetrics _metrics = new();

    protected TimelineAuditContract() => Anchors = new FileAuditAnchorStore(Path.Combine(_folder, "timeline-anchors.log"));

    /// <summary>The anchors: the real local anchor file.</summary>
    protected FileAuditAnchorStore Anchors { get; }

    protected abstract Task<ICaseStore> CreateStoreAsync();

    /// <summary>Rewrites the stored timeline of <paramref name="id"/> in the store's own storage, bypassing the store.</summary>
    protected abstract Task TamperAsync(EngagementId id, Func<IReadOnlyList<TimelineEntry>, List<TimelineEntry>> change);

    // ---- append-only saves ----

    [Fact]
    public async Task Save_WithAnEditedEarlierEntry_IsRefused_AndNothingIsWritten()
    {
        var store = await CreateStoreAsync();
        var read = await BuildAsync(store, entries: 8);
        var edited = read with { Timeline = TimelineTampering.EditAt(read.Timeline, 2) };

        var refused = await Assert.ThrowsAsync<TimelineRewriteRefusedException>(() =>
            store.SaveAsync(edited.Note(T0.AddDays(9), Actor.System, TimelineEntryKind.ReminderSent, "step=assessment"), "edit-2"));

        Assert.Equal(TimelineFindingKind.Edited, refused.Finding!.Kind);
        Assert.Equal(2, refused.Finding.Position);
        var after = (await store.GetAsync(read.Id))!;
        Assert.Equal(read.ETag, after.ETag);
        Assert.Equal(Entries(read.Timeline), Entries(after.Timeline));
        Assert.False(await store.HasAppliedAsync(read.Id, "edit-2"));
    }

    [Fact]
    public async Task Save_WithAnEntryRemoved_TheTimelineCut_OrTheChainRewritten_IsRefused()
    {
        var store = await CreateStoreAsync();
        var read = await BuildAsync(store, entries: 8);
        var next = T0.AddDays(9);

        await Assert.ThrowsAsync<TimelineRewriteRefusedException>(() => store.SaveAsync(
            (read with { Timeline = TimelineTampering.DeleteAt(read.Timeline, 3) }).Note(next, Actor.System, TimelineEntryKind.ReminderSent), "removed"));
        await Assert.ThrowsAsync<TimelineRewriteRefusedException>(() => store.SaveAsync(read with { Timeline = [.. read.Timeline.Take(6)] }, "cut"));
        var rewritten = await Assert.ThrowsAsync<TimelineRewriteRefusedException>(() => store.SaveAsync(
            (read with { Timeline = TimelineTampering.RewriteConsistently(read.Id, read.Timeline, 4) }).Note(next, Actor.System, TimelineEntryKind.ReminderSent), "rewritten"));

        Assert.Equal(TimelineFindingKind.Rewritten, rewritten.Finding!.Kind);
        Assert.Equal(Entries(read.Timeline), Entries((await store.GetAsync(read.Id))!.Timeline));
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(read.Note(next, Actor.System, TimelineEntryKind.ReminderSent), "appended")).Outcome);
    }

    // ---- verification against the anchors ----

    [Fact]
    public async Task Verify_ATimelineSavedThroughTheStore_IsIntact_AndAnchored()
    {
        var store = await CreateStoreAsync();
        var read = await BuildAsync(store, entries: 12);

        var verification = (await Audit(store).VerifyAsync(read.Id))!;

        Assert.True(verification.Intact, verification.Finding?.Reason);
        Assert.Equal(12, verification.Entries);
        Assert.Equal([5, 11], (await Anchors.ReadAsync(read.Id)).Select(a => a.EntryCount)); // the saves that reached 5 and passed 10
        Assert.Equal(1, verification.UnanchoredEntries);
        Assert.Null(await Audit(store).VerifyAsync(EngagementId.New(Guid.NewGuid())));
    }

    [Fact]
    public async Task Verify_AnEditedEntry_IsEdited()
    {
        var (store, read) = await TamperedAsync((_, t) => TimelineTampering.EditAt(t, 4));

        var finding = (await Audit(store).VerifyAsync(read.Id))!.Finding;

        Assert.Equal((TimelineFindingKind.Edited, 4), (finding!.Kind, finding.Position));
    }

    [Fact]
    public async Task Verify_ADeletedEntry_IsDeleted()
    {
        var (store, read) = await TamperedAsync((_, t) => TimelineTampering.DeleteAt(t, 6));

        var finding = (await Audit(store).VerifyAsync(read.Id))!.Finding;

        Assert.Equal((TimelineFindingKind.Deleted, 6), (finding!.Kind, finding.Position));
    }

    [Fact]
    public async Task Verify_AnInsertedEntry_IsInserted()
    {
        var (store, read) = await TamperedAsync((id, t) => TimelineTampering.InsertAt(id, t, 3));

        var finding = (await Audit(store).VerifyAsync(read.Id))!.Finding;

        Assert.Equal((TimelineFindingKind.Inserted, 3), (finding!.Kind, finding.Position));
    }

    [Fact]
    public async Task Verify_TheWholeChainRewrittenConsistently_IsCaughtByTheAnchor()
    {
        var (store, read) = await TamperedAsync((id, t) => TimelineTampering.RewriteConsistently(id, t, 7));

        var verification = (await Audit(store).VerifyAsync(read.Id))!;

        Assert.True(TimelineChain.Verify(read.Id, (await store.GetAsync(read.Id))!.Timeline, []).Intact); // the chain alone sees nothing
        Assert.Equal((TimelineFindingKind.Rewritten, 6), (verification.Finding!.Kind, verification.Finding.Position)); // after the anchor of 5, before that of 11
    }

    // ---- documents from before the chain ----

    [Fact]
    public async Task ATimelineStoredWithoutHashes_Loads_Verifies_AndTheNextSaveSealsItIn()
    {
        var store = await CreateStoreAsync();
        var built = await BuildAsync(store, entries: 12);
        await TamperAsync(built.Id, t => [.. t.Select(e => e with { Hash = null })]); // as the store held it before the chain existed
        var legacy = (await store.GetAsync(built.Id))!;

        var saved = await store.SaveAsync(legacy.Note(T0.AddDays(9), Actor.System, TimelineEntryKind.ReminderSent), "after-legacy");
        var verification = (await Audit(store).VerifyAsync(built.Id))!;

        Assert.All(legacy.Timeline, e => Assert.Null(e.Hash));
        Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
        Assert.True(verification.Intact, verification.Finding?.Reason); // the anchors of the sealed chain match the hashes computed for the legacy entries
        Assert.Equal((13, 12), (verification.Entries, verification.LegacyEntries));
        Assert.Equal(built.Timeline[^1].Hash, TimelineChain.Recompute(built.Id, (await store.GetAsync(built.Id))!.Timeline)[12]);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        Anchors.Dispose();
        _metrics.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected TimelineAudit Audit(ICaseStore store) => new(store, Anchors);

    /// <summary>A case built through the store, intact, then tampered with behind it (<paramref name="change"/> gets the engagement's id for the chain).</summary>
    private async Task<(ICaseStore Store, EngagementCase Read)> TamperedAsync(Func<EngagementId, IReadOnlyList<TimelineEntry>, List<TimelineEntry>> change)
    {
        var store = await CreateStoreAsync();
        var read = await BuildAsync(store, entries: 12);
        Assert.True((await Audit(store).VerifyAsync(read.Id))!.Intact);
        await TamperAsync(read.Id, t => change(read.Id, t));
        return (store, read);
    }

    /// <summary>
    /// A case of <paramref name="entries"/> entries written as the workflow writes one: intake, start, then saves of two
    /// entries each, anchored by the real rule every 5 entries.
    /// </summary>
    private async Task<EngagementCase> BuildAsync(ICaseStore store, int entries)
    {
        var anchoring = new TimelineAnchoring(Anchors, Options.Create(new AuditOptions { AnchorEveryEntries = 5 }), TimeProvider.System, _metrics, NullLogger<TimelineAnchoring>.Instance);
        var referral = Referral(NewMember());
        var newCase = NewCase(referral);
        Assert.Equal(ReferralIntakeKind.Created, (await store.ReceiveReferralAsync(referral, newCase)).Kind);
        var read = (await store.GetAsync(newCase.Id))!;
        var next = read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0);
        for (var save = 1; ; save++)
        {
            var saved = await store.SaveAsync(next, $"{read.Id}:build-{save}");
            Assert.Equal(CaseSaveOutcome.Saved, saved.Outcome);
            await anchoring.AfterSaveAsync(read.Timeline.Count, saved.Case!);
            read = saved.Case!;
            if (read.Timeline.Count >= entries)
            {
                return (await store.GetAsync(read.Id))!;
            }

            next = read;
            for (var i = 0; i < Math.Min(2, entries - read.Timeline.Count); i++)
            {
                next = next.Note(T0.AddHours(next.Timeline.Count), Actor.System, TimelineEntryKind.MemberContactAttempted, $"attempt={next.Timeline.Count}");
            }
        }
    }
}

public sealed class SqliteTimelineAuditTests : TimelineAuditContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-audit-cases-").FullName;
    private readonly List<SqliteCaseStore> _stores = [];

    private string Database => Path.Combine(_folder, "cases.db");

    protected override Task<ICaseStore> CreateStoreAsync()
    {
        var store = new SqliteCaseStore(Database);
        _stores.Add(store);
        return Task.FromResult<ICaseStore>(store);
    }

    protected override Task TamperAsync(EngagementId id, Func<IReadOnlyList<TimelineEntry>, List<TimelineEntry>> change) =>
        TimelineTampering.InSqliteAsync(Database, id, change);

    protected override void Dispose(bool disposing)
    {
        _stores.ForEach(s => s.Dispose());
        base.Dispose(disposing);
        Directory.Delete(_folder, recursive: true);
    }
}

[Collection(CosmosServerGroup.Name)]
public sealed class CosmosTimelineAuditTests(CosmosServerFixture server) : TimelineAuditContract
{
    private readonly List<CosmosClient> _clients = [];
    private Database? _database;

    protected override async Task<ICaseStore> CreateStoreAsync()
    {
        var options = server.Options();
        var client = CosmosServerFixture.CreateClient(options);
        _clients.Add(client);
        _database = await CosmosLayout.CreateIfNotExistsAsync(client, options.Database, CancellationToken.None);
        return new CosmosCaseStore(_database);
    }

    /// <summary>
    /// What someone with write access to the container does: every entry written as a timeline item at its (new)
    /// position and the case document made to count them (items past the count are not read), with the new chain head
    /// (none when no entry has a hash: a document from before the chain).
    /// </summary>
    protected override async Task TamperAsync(EngagementId id, Func<IReadOnlyList<TimelineEntry>, List<TimelineEntry>> change)
    {
        var cases = _database!.GetContainer(CosmosLayout.Cases.Name);
        var key = new PartitionKey(id.Value);
        var stored = (await cases.ReadItemAsync<CaseItem>(CosmosCaseStore.CaseItemId, key)).Resource;
        var after = change((await new CosmosCaseStore(_database).GetAsync(id))!.Timeline);
        for (var position = 1; position <= after.Count; position++)
        {
            await cases.UpsertItemAsync(new TimelineItem(CosmosCaseStore.TimelineItemId(position), id.Value, CosmosCaseStore.TimelineKind, position, after[position - 1]), key);
        }

        await cases.ReplaceItemAsync(stored with { TimelineLength = after.Count, RecentTimeline = [], TimelineHead = after.All(e => e.Hash is null) ? null : TimelineChain.Head(id, after) }, CosmosCaseStore.CaseItemId, key);
    }

    [Fact]
    public async Task Verify_ATimelineItemDeletedAlone_IsDeletedAtItsPosition()
    {
        var store = await CreateStoreAsync();
        var referral = Referral(NewMember());
        var newCase = NewCase(referral);
        await store.ReceiveReferralAsync(referral, newCase);
        var read = (await store.GetAsync(newCase.Id))!;
        read = (await store.SaveAsync(read.Start(NewClinician(), T0.AddDays(7), T0.AddDays(180), T0), "start")).Case!;
        read = (await store.SaveAsync(read.Note(T0.AddDays(1), Actor.System, TimelineEntryKind.ReminderSent), "remind")).Case!; // entries 1-3 are items now

        await _database!.GetContainer(CosmosLayout.Cases.Name).DeleteItemAsync<TimelineItem>(CosmosCaseStore.TimelineItemId(2), new PartitionKey(read.Id.Value));
        var finding = (await Audit(store).VerifyAsync(read.Id))!.Finding;

        Assert.Equal((TimelineFindingKind.Deleted, 2), (finding!.Kind, finding.Position));
        await Assert.ThrowsAsync<TimelineIncompleteException>(() => store.GetAsync(read.Id));
    }

    protected override void Dispose(bool disposing)
    {
        _clients.ForEach(c => c.Dispose());
        base.Dispose(disposing);
    }
}
