using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;
using Mets.Workflow.Reports;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Cosmos.Cases;

/// <summary>
/// The case store on Cosmos DB (docs/cosmos.md): containers <c>cases</c>, <c>referrals</c>, <c>members</c> and
/// <c>work-queue</c>. Point reads and single-partition queries only (each query names its partition key in its text);
/// no transactional batch, no bulk, no ORDER BY or COUNT (sorted and counted here). Every read-modify-write is
/// conditioned on the ETag it read; a 412 on the case document is <see cref="CaseSaveOutcome.ConcurrencyConflict"/>.
/// Intake is a sequence of idempotent steps decided by create-if-absent and If-Match writes, so two intakes never make
/// two open engagements for one member, and an intake that stopped half-way is finished by the next one (the retry with
/// the same referral id, or any referral for the member). The timeline is append-only: a save whose timeline does not
/// reach the stored chain head at the stored length, or appends an entry not sealed into the chain, is refused
/// (<see cref="TimelineRewriteRefusedException"/>) before anything is written.
/// </summary>
/// <remarks>
/// Differences from the SQLite store a caller can see: <see cref="ListOpenAsync"/> answers the work-queue copies, which
/// have no timeline and no ETag (read a case with <see cref="GetAsync"/> before saving it; a case without an ETag never
/// saves); <see cref="HasAppliedAsync"/> remembers the last <see cref="AppliedChangesKept"/> change ids of a case.
/// </remarks>
public sealed class CosmosCaseStore : ICaseStore, IEngagementHistory
{
    /// <summary>How many change ids a case document remembers (an activity retries for about 20 minutes, far fewer changes).</summary>
    public const int AppliedChangesKept = 256;

    internal const string CaseItemId = "case";
    internal const string AssessmentDetailsItemId = "assessment-details";
    internal const string CaseKind = "case";
    internal const string TimelineKind = "timeline";
    internal const string AssessmentDetailsKind = "assessment-details";
    internal const string OpenQueue = "open";

    internal const string TimelineQuery = "SELECT * FROM c WHERE c.engagementId = @engagementId AND c.kind = @kind";
    internal const string OpenQueueQuery = "SELECT * FROM c WHERE c.queue = @queue";
    internal const string ClinicianQueueQuery = "SELECT * FROM c WHERE c.queue = @queue AND c.assignedClinician = @clinician";
    internal const string ClinicianCountQuery = "SELECT c.assignedClinician FROM c WHERE c.queue = @queue";

    /// <summary>Rounds of an intake or a work-queue write; each repeat means another writer made progress.</summary>
    private const int MaxRounds = 16;

    private static readonly PartitionKey OpenQueueKey = new(OpenQueue);
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    private readonly Container _cases;
    private readonly Container _referrals;
    private readonly Container _members;
    private readonly Container _workQueue;

    /// <param name="database">The METS database (<see cref="CosmosOptions.Database"/>); its containers are <see cref="CosmosLayout"/>'s.</param>
    public CosmosCaseStore(Database database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _cases = database.GetContainer(CosmosLayout.Cases.Name);
        _referrals = database.GetContainer(CosmosLayout.Referrals.Name);
        _members = database.GetContainer(CosmosLayout.Members.Name);
        _workQueue = database.GetContainer(CosmosLayout.WorkQueue.Name);
    }

    // ---- intake ----

    public async Task<ReferralIntake> ReceiveReferralAsync(Referral referral, EngagementCase newCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(referral);
        ArgumentNullException.ThrowIfNull(newCase);
        TimelineRewriteRefusedException.ThrowUnlessAppendOnly(newCase, 0, TimelineChain.Genesis(newCase.Id));
        var fingerprint = referral.Fingerprint();
        var memberKey = new PartitionKey(referral.Member.Value);
        var claim = new MemberItem(referral.Member.Value, referral.Member.Value, newCase.Id.Value, referral.Id.Value, referral, newCase with { ETag = null });
        for (var round = 1; round <= MaxRounds; round++)
        {
            // 1. A referral id seen before is the same engagement (or a conflict); finish that intake if it stopped early.
            var seen = await ReadAsync<ReferralItem>(_referrals, referral.Id.Value, new PartitionKey(referral.Id.Value), cancellationToken).ConfigureAwait(false);
            if (seen.Item is { } known)
            {
                var engagement = EngagementId.Parse(known.EngagementId);
                if (!string.Equals(known.Fingerprint, fingerprint, StringComparison.Ordinal))
                {
                    return new ReferralIntake(ReferralIntakeKind.Conflict, engagement);
                }

                await RepairCaseAsync(engagement, referral.Member, cancellationToken).ConfigureAwait(false);
                return new ReferralIntake(ReferralIntakeKind.SameReferral, engagement);
            }

            // 2. The member's item decides: attach to its open engagement, finish its unfinished claim, or claim it.
            var member = await ReadAsync<MemberItem>(_members, referral.Member.Value, memberKey, cancellationToken).ConfigureAwait(false);
            bool claimed;
            if (member.Item is not { } current)
            {
                claimed = await TryCreateAsync(_members, claim, memberKey, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var target = await ReadAsync<CaseItem>(_cases, CaseItemId, new PartitionKey(current.EngagementId), cancellationToken).ConfigureAwait(false);
                if (target.Item is { Case.Status: not EngagementStatus.Closed })
                {
                    var attached = new ReferralItem(referral.Id.Value, referral.Id.Value, current.EngagementId, fingerprint, referral);
                    if (await TryCreateAsync(_referrals, attached, new PartitionKey(referral.Id.Value), cancellationToken).ConfigureAwait(false))
                    {
                        return new ReferralIntake(ReferralIntakeKind.AttachedToOpenEngagement, EngagementId.Parse(current.EngagementId));
                    }

                    continue; // the same referral id was recorded meanwhile: step 1 answers
                }

                if (target.Item is null && await CommitClaimAsync(current, cancellationToken).ConfigureAwait(false))
                {
                    await WriteNewCaseAsync(current.NewCase, cancellationToken).ConfigureAwait(false);
                    continue; // the member's engagement exists now: decide again
                }

                // The member's engagement is closed, or its claim lost its referral id to another engagement: take the member.
                claimed = await TryReplaceAsync(_members, claim, claim.Id, memberKey, member.ETag, cancellationToken).ConfigureAwait(false);
            }

            if (!claimed)
            {
                continue; // another intake changed the member's item first
            }

            // 3. The claim counts once the referral names it (another intake may have done this for us); then the case.
            if (await CommitClaimAsync(claim, cancellationToken).ConfigureAwait(false))
            {
                await WriteNewCaseAsync(claim.NewCase, cancellationToken).ConfigureAwait(false);
                return new ReferralIntake(ReferralIntakeKind.Created, newCase.Id);
            }
        }

        throw new InvalidOperationException($"Referral {referral.Id}: the member's engagement kept changing; intake did not finish after {MaxRounds} rounds.");
    }

    public async Task<Referral?> GetReferralAsync(ReferralId id, CancellationToken cancellationToken = default) =>
        (await ReadAsync<ReferralItem>(_referrals, id.Value, new PartitionKey(id.Value), cancellationToken).ConfigureAwait(false)).Item?.Referral;

    // ---- reads ----

    public async Task<EngagementCase?> GetAsync(EngagementId id, CancellationToken cancellationToken = default)
    {
        var stored = await ReadAsync<CaseItem>(_cases, CaseItemId, new PartitionKey(id.Value), cancellationToken).ConfigureAwait(false);
        if (stored.Item is not { } item)
        {
            return null;
        }

        var timeline = await ReadTimelineAsync(item, cancellationToken).ConfigureAwait(false);
        return item.Case with { Timeline = timeline, ETag = stored.ETag };
    }

    public async Task<EngagementCase?> FindOpenByMemberAsync(MemberId member, CancellationToken cancellationToken = default)
    {
        var claim = await ReadAsync<MemberItem>(_members, member.Value, new PartitionKey(member.Value), cancellationToken).ConfigureAwait(false);
        if (claim.Item is null)
        {
            return null;
        }

        var found = await GetAsync(EngagementId.Parse(claim.Item.EngagementId), cancellationToken).ConfigureAwait(false);
        return found is { Status: not EngagementStatus.Closed } ? found : null;
    }

    public async Task<bool> HasAppliedAsync(EngagementId id, string changeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        var stored = await ReadAsync<CaseItem>(_cases, CaseItemId, new PartitionKey(id.Value), cancellationToken).ConfigureAwait(false);
        return stored.Item?.AppliedChanges.Contains(ChangeKey(changeId), StringComparer.Ordinal) == true;
    }

    public async Task<IReadOnlyList<EngagementCase>> ListOpenAsync(StaffId? clinician = null, CancellationToken cancellationToken = default)
    {
        var query = clinician is { } c
            ? new QueryDefinition(ClinicianQueueQuery).WithParameter("@queue", OpenQueue).WithParameter("@clinician", c.Value)
            : new QueryDefinition(OpenQueueQuery).WithParameter("@queue", OpenQueue);
        var copies = await QueryAsync<QueueItem>(_workQueue, query, OpenQueueKey, cancellationToken).ConfigureAwait(false);
        return [.. copies
            .Where(q => q.Case.Status != EngagementStatus.Closed)
            .Select(q => q.Case with { Timeline = [], ETag = null })
            .OrderBy(q => q.Id.Value, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyDictionary<StaffId, int>> CountOpenByClinicianAsync(CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync<ClinicianRow>(_workQueue, new QueryDefinition(ClinicianCountQuery).WithParameter("@queue", OpenQueue), OpenQueueKey, cancellationToken)
            .ConfigureAwait(false);
        return rows
            .Where(r => r.AssignedClinician is not null)
            .GroupBy(r => StaffId.Parse(r.AssignedClinician!))
            .ToDictionary(g => g.Key, g => g.Count());
    }

    // ---- saves ----

    public async Task<CaseSaveResult> SaveAsync(EngagementCase updated, string changeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentException.ThrowIfNullOrEmpty(changeId);
        var key = new PartitionKey(updated.Id.Value);
        var stored = await ReadAsync<CaseItem>(_cases, CaseItemId, key, cancellationToken).ConfigureAwait(false);
        if (stored.Item is not { } current)
        {
            return new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null);
        }

        var change = ChangeKey(changeId);
        if (current.AppliedChanges.Contains(change, StringComparer.Ordinal))
        {
            // A retry after the case was written: the work-queue copy may not have been (the write stopped there).
            await SyncQueueAsync(current, cancellationToken).ConfigureAwait(false);
            return new CaseSaveResult(CaseSaveOutcome.AlreadyApplied, null);
        }

        if (updated.ETag is null || !string.Equals(updated.ETag, stored.ETag, StringComparison.Ordinal))
        {
            return new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null);
        }

        // Append-only: the stored head commits to every stored entry (a document from before the chain has none: computed).
        var storedHead = current.TimelineHead ?? TimelineChain.Head(updated.Id, await ReadTimelineAsync(current, cancellationToken).ConfigureAwait(false));
        TimelineRewriteRefusedException.ThrowUnlessAppendOnly(updated, current.TimelineLength, storedHead);

        // The last save's entries become items now, before they leave the document. Whoever writes them (also a writer
        // about to lose the race below) writes the same committed entries at the same positions.
        await WriteTimelineItemsAsync(current, cancellationToken).ConfigureAwait(false);
        var next = new CaseItem(
            CaseItemId, updated.Id.Value, CaseKind, current.Version + 1, updated.Timeline.Count,
            [.. updated.Timeline.Skip(current.TimelineLength)],
            [.. current.AppliedChanges.Skip(Math.Max(0, current.AppliedChanges.Count - (AppliedChangesKept - 1))), change],
            updated with { Timeline = [], ETag = null },
            TimelineChain.Head(updated.Id, updated.Timeline));
        string etag;
        try
        {
            var replaced = await _cases.ReplaceItemAsync(next, CaseItemId, key, new ItemRequestOptions { IfMatchEtag = updated.ETag, EnableContentResponseOnWrite = false }, cancellationToken)
                .ConfigureAwait(false);
            etag = replaced.ETag;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return new CaseSaveResult(CaseSaveOutcome.ConcurrencyConflict, null);
        }

        await SyncQueueAsync(next, cancellationToken).ConfigureAwait(false);
        return new CaseSaveResult(CaseSaveOutcome.Saved, updated with { ETag = etag });
    }

    // ---- reports ----

    /// <summary>
    /// For reports (docs/cosmos.md, "Outcome reporting reads"): one pass over the cases container's feed (ReadFeed,
    /// every partition) keeps the case items that started in the period, then each is read with its timeline
    /// (<see cref="GetAsync"/>). A full read of the container: reports run rarely and off the hot path; no
    /// cross-partition query (the test server cannot run one).
    /// </summary>
    public async Task<IReadOnlyList<EngagementCase>> ListStartedAsync(DateTimeOffset from, DateTimeOffset toExclusive, CancellationToken cancellationToken = default)
    {
        var ids = new List<EngagementId>();
        using (var feed = _cases.GetItemQueryIterator<FeedItem>(queryDefinition: null))
        {
            while (feed.HasMoreResults)
            {
                foreach (var item in await feed.ReadNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (item.Kind == CaseKind && item.Case is { } found && found.StartedAt >= from && found.StartedAt < toExclusive)
                    {
                        ids.Add(found.Id);
                    }
                }
            }
        }

        var cases = new List<EngagementCase>(ids.Count);
        foreach (var id in ids.OrderBy(i => i.Value, StringComparer.Ordinal))
        {
            if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } found)
            {
                cases.Add(found);
            }
        }

        return cases;
    }

    public async Task SaveAssessmentDetailsAsync(EngagementId id, AssessmentDetails details, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(details);
        await _cases.UpsertItemAsync(new AssessmentDetailsItem(AssessmentDetailsItemId, id.Value, AssessmentDetailsKind, details), new PartitionKey(id.Value), NoContent, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<AssessmentDetails?> GetAssessmentDetailsAsync(EngagementId id, CancellationToken cancellationToken = default) =>
        (await ReadAsync<AssessmentDetailsItem>(_cases, AssessmentDetailsItemId, new PartitionKey(id.Value), cancellationToken).ConfigureAwait(false)).Item?.Details;

    /// <summary>What a case document keeps of a change id: 128 bits of its SHA-256, base64url (22 characters; change ids are about 80).</summary>
    internal static string ChangeKey(string changeId) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(changeId)).AsSpan(0, 16));

    internal static string TimelineItemId(int position) => "timeline-" + position.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The document intake writes for a new case: its entries are the recent ones (no timeline items yet).</summary>
    internal static CaseItem NewCaseItem(EngagementCase newCase)
    {
        ArgumentNullException.ThrowIfNull(newCase);
        return new CaseItem(CaseItemId, newCase.Id.Value, CaseKind, 1, newCase.Timeline.Count, [.. newCase.Timeline], [], newCase with { Timeline = [], ETag = null },
            TimelineChain.Head(newCase.Id, newCase.Timeline));
    }

    internal static QueueItem QueueCopy(CaseItem current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new QueueItem(current.EngagementId, OpenQueue, current.Case.AssignedClinician?.Value, current.Version, current.Case with { Timeline = [], ETag = null });
    }

    // ---- intake steps ----

    /// <summary>
    /// Makes <paramref name="claim"/> count: its referral id is recorded for its engagement (create-if-absent). True when the
    /// referral names the claim's engagement (recorded now or before, by this intake or another); false when that referral id
    /// belongs to another engagement (the claim is dead: the next intake for the member takes it over).
    /// </summary>
    private async Task<bool> CommitClaimAsync(MemberItem claim, CancellationToken cancellationToken)
    {
        var referralKey = new PartitionKey(claim.ReferralId);
        var record = new ReferralItem(claim.ReferralId, claim.ReferralId, claim.EngagementId, claim.Referral.Fingerprint(), claim.Referral);
        if (await TryCreateAsync(_referrals, record, referralKey, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        var existing = await ReadAsync<ReferralItem>(_referrals, claim.ReferralId, referralKey, cancellationToken).ConfigureAwait(false);
        return existing.Item is { } recorded
            && string.Equals(recorded.EngagementId, record.EngagementId, StringComparison.Ordinal)
            && string.Equals(recorded.Fingerprint, record.Fingerprint, StringComparison.Ordinal);
    }

    /// <summary>A referral seen before: its engagement's case document is written if an earlier intake stopped before it, and its work-queue copy brought up to date.</summary>
    private async Task RepairCaseAsync(EngagementId engagement, MemberId memberId, CancellationToken cancellationToken)
    {
        var stored = await ReadAsync<CaseItem>(_cases, CaseItemId, new PartitionKey(engagement.Value), cancellationToken).ConfigureAwait(false);
        if (stored.Item is { } current)
        {
            await SyncQueueAsync(current, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Only a committed claim lacks its case document, and the member's item still holds that claim.
        var member = await ReadAsync<MemberItem>(_members, memberId.Value, new PartitionKey(memberId.Value), cancellationToken).ConfigureAwait(false);
        if (member.Item is { } claim && string.Equals(claim.EngagementId, engagement.Value, StringComparison.Ordinal))
        {
            await WriteNewCaseAsync(claim.NewCase, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the case document of a committed claim (409: written already) and its work-queue copy.</summary>
    private async Task WriteNewCaseAsync(EngagementCase newCase, CancellationToken cancellationToken)
    {
        var item = NewCaseItem(newCase);
        var key = new PartitionKey(item.EngagementId);
        if (!await TryCreateAsync(_cases, item, key, cancellationToken).ConfigureAwait(false))
        {
            item = (await ReadAsync<CaseItem>(_cases, CaseItemId, key, cancellationToken).ConfigureAwait(false)).Item
                ?? throw new InvalidOperationException($"Engagement {item.EngagementId}: the case document exists and cannot be read.");
        }

        await SyncQueueAsync(item, cancellationToken).ConfigureAwait(false);
    }

    // ---- timeline ----

    private async Task<IReadOnlyList<TimelineEntry>> ReadTimelineAsync(CaseItem item, CancellationToken cancellationToken)
    {
        var written = item.TimelineLength - item.RecentTimeline.Count;
        if (written <= 0)
        {
            return item.RecentTimeline;
        }

        var query = new QueryDefinition(TimelineQuery).WithParameter("@engagementId", item.EngagementId).WithParameter("@kind", TimelineKind);
        var items = await QueryAsync<TimelineItem>(_cases, query, new PartitionKey(item.EngagementId), cancellationToken).ConfigureAwait(false);
        var entries = new TimelineEntry?[written];
        foreach (var entry in items.Where(t => t.Position >= 1 && t.Position <= written))
        {
            entries[entry.Position - 1] = entry.Entry;
        }

        var missing = entries.Count(e => e is null);
        if (missing > 0)
        {
            throw new TimelineIncompleteException(EngagementId.Parse(item.EngagementId), item.TimelineLength, Array.IndexOf(entries, null) + 1, missing);
        }

        return [.. entries.Select(e => e!), .. item.RecentTimeline];
    }

    private async Task WriteTimelineItemsAsync(CaseItem current, CancellationToken cancellationToken)
    {
        var first = current.TimelineLength - current.RecentTimeline.Count + 1;
        var key = new PartitionKey(current.EngagementId);
        for (var i = 0; i < current.RecentTimeline.Count; i++)
        {
            var position = first + i;
            await _cases.UpsertItemAsync(new TimelineItem(TimelineItemId(position), current.EngagementId, TimelineKind, position, current.RecentTimeline[i]), key, NoContent, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    // ---- work queue ----

    /// <summary>
    /// Brings the work-queue copy up to <paramref name="current"/> (a closed case has none). Copies are replaced only by a
    /// newer version and with If-Match, so a late writer never puts back an older copy; after creating one, the case is read
    /// again in case a newer version's writer looked for the copy before it existed.
    /// </summary>
    internal async Task SyncQueueAsync(CaseItem current, CancellationToken cancellationToken)
    {
        for (var round = 1; round <= MaxRounds; round++)
        {
            var copy = await ReadAsync<QueueItem>(_workQueue, current.EngagementId, OpenQueueKey, cancellationToken).ConfigureAwait(false);
            if (current.Case.Status == EngagementStatus.Closed)
            {
                if (copy.Item is null || await TryDeleteAsync<QueueItem>(_workQueue, current.EngagementId, OpenQueueKey, copy.ETag, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (copy.Item is { } existing)
            {
                if (existing.Version >= current.Version
                    || await TryReplaceAsync(_workQueue, QueueCopy(current), current.EngagementId, OpenQueueKey, copy.ETag, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (!await TryCreateAsync(_workQueue, QueueCopy(current), OpenQueueKey, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var latest = await ReadAsync<CaseItem>(_cases, CaseItemId, new PartitionKey(current.EngagementId), cancellationToken).ConfigureAwait(false);
            if (latest.Item is null || latest.Item.Version <= current.Version)
            {
                return;
            }

            current = latest.Item;
        }

        throw new InvalidOperationException($"Engagement {current.EngagementId}: its work-queue copy kept changing; it was not written after {MaxRounds} rounds.");
    }

    // ---- requests ----

    private static async Task<Stored<T>> ReadAsync<T>(Container container, string id, PartitionKey key, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var response = await container.ReadItemAsync<T>(id, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Stored<T>(response.Resource, response.ETag);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return new Stored<T>(null, null);
        }
    }

    /// <summary>Create-if-absent: false on 409 (the item exists).</summary>
    private static async Task<bool> TryCreateAsync<T>(Container container, T item, PartitionKey key, CancellationToken cancellationToken)
    {
        try
        {
            await container.CreateItemAsync(item, key, NoContent, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Replace with If-Match: false on 412 (changed since read) or 404 (deleted since read).</summary>
    private static async Task<bool> TryReplaceAsync<T>(Container container, T item, string id, PartitionKey key, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await container.ReplaceItemAsync(item, id, key, new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Delete with If-Match: true when the item is gone (also 404: deleted meanwhile), false on 412 (changed since read).</summary>
    private static async Task<bool> TryDeleteAsync<T>(Container container, string id, PartitionKey key, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await container.DeleteItemAsync<T>(id, key, new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    private static async Task<List<T>> QueryAsync<T>(Container container, QueryDefinition query, PartitionKey key, CancellationToken cancellationToken)
    {
        var found = new List<T>();
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions { PartitionKey = key });
        while (iterator.HasMoreResults)
        {
            found.AddRange(await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    private readonly record struct Stored<T>(T? Item, string? ETag)
        where T : class;
}
