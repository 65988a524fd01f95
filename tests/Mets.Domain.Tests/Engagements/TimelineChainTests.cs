using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Tests.Engagements;

/// <summary>The timeline's hash chain: sealing, the canonical form, each kind of tampering, anchors, legacy entries, the append rule.</summary>
public class TimelineChainTests
{
    private static readonly Actor Clinician = Actor.Staff(ActorKind.Clinician, Sample.Clinician);

    // ---- sealing and the canonical form ----

    [Fact]
    public void Note_SealsEveryEntry_TheChainVerifies()
    {
        var c = CaseWith(entries: 6);

        Assert.All(c.Timeline, e => Assert.Matches("^[0-9a-f]{64}$", e.Hash!));
        Assert.Equal(c.Timeline.Count, c.Timeline.Select(e => e.Hash).Distinct().Count());
        var verification = TimelineChain.Verify(c.Id, c.Timeline, []);
        Assert.True(verification.Intact);
        Assert.Equal(c.Timeline.Count, verification.Entries);
        Assert.Equal(0, verification.LegacyEntries);
        Assert.Equal(c.Timeline.Count, verification.UnanchoredEntries);
        Assert.Equal(TimelineChain.Recompute(c.Id, c.Timeline).Skip(1), c.Timeline.Select(e => e.Hash!));
    }

    [Fact]
    public void Hashes_AreDeterministic_AndBoundToTheEngagement()
    {
        var referral = Sample.Referral();
        var first = EngagementCase.Receive(Sample.Engagement, referral, Sample.T0).Note(Sample.T0, Clinician, TimelineEntryKind.ReminderSent);
        var again = EngagementCase.Receive(Sample.Engagement, referral, Sample.T0).Note(Sample.T0, Clinician, TimelineEntryKind.ReminderSent);
        var other = EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), referral, Sample.T0).Note(Sample.T0, Clinician, TimelineEntryKind.ReminderSent);

        Assert.Equal(first.Timeline.Select(e => e.Hash), again.Timeline.Select(e => e.Hash));
        Assert.NotEqual(first.Timeline[0].Hash, other.Timeline[0].Hash);
        Assert.False(TimelineChain.Verify(other.Id, first.Timeline, []).Intact); // a timeline moved to another engagement
    }

    /// <summary>Pinned values, computed outside .NET (Python's hashlib over the documented form): the form cannot change unnoticed.</summary>
    [Fact]
    public void CanonicalForm_AndHashes_AreTheDocumentedOnes()
    {
        var first = new TimelineEntry(Sample.T0, Clinician, TimelineEntryKind.ReminderSent, ["step=assessment", "attempt=1"]);
        var second = new TimelineEntry(Sample.T0.ToOffset(TimeSpan.FromHours(-5)).AddHours(1), Actor.System, TimelineEntryKind.EscalatedToSupervisor, []);

        Assert.Equal(
            "mets-timeline/v1\nposition:1\nat:2026-03-02T14:30:00.0000000Z\nactor-kind:Clinician\nactor-id:12:clin.alvarez\nkind:ReminderSent\ndetails:2\nstep=assessment\nattempt=1\n",
            Encoding.UTF8.GetString(TimelineChain.CanonicalForm(1, first)));
        Assert.Equal("f61442a9a4135090c41ea34298ec41bbf59ca94661049bcae575c96448019820", TimelineChain.Genesis(Sample.Engagement));
        var sealedFirst = TimelineChain.Seal(Sample.Engagement, [], first);
        Assert.Equal("45cab3f941e6ce6dccafb2405ece7eb72dc8d36c6022937a685994885e03c787", sealedFirst.Hash);
        Assert.Equal("ec534b0b31030048a399e96aa2f900ca071510debfdaafd90a7481bc4545c607", TimelineChain.Seal(Sample.Engagement, [sealedFirst], second).Hash);
    }

    /// <summary>The form is the UTF-8 of the documented text whatever the actor id holds (the id's length is in characters).</summary>
    [Fact]
    public void CanonicalForm_NonAsciiActorIdAndLongDetails_AreTheUtf8OfTheDocumentedText()
    {
        var details = Enumerable.Range(1, TimelineEntry.MaxDetails).Select(i => $"detail{i}=" + new string('x', TimelineEntry.MaxDetailLength - 10)).ToList();
        var entry = new TimelineEntry(Sample.T0.AddTicks(1234567), new Actor(ActorKind.Referrer, "sé.müller\u00e9\U0001F600"), TimelineEntryKind.ReminderSent, details);
        var text = $"mets-timeline/v1\nposition:123456\nat:2026-03-02T14:30:00.1234567Z\nactor-kind:Referrer\nactor-id:{entry.Actor.Id!.Length}:{entry.Actor.Id}\nkind:ReminderSent\ndetails:{details.Count}\n"
            + string.Concat(details.Select(d => d + "\n"));

        Assert.Equal(Encoding.UTF8.GetBytes(text), TimelineChain.CanonicalForm(123456, entry));
    }

    [Fact]
    public void Hash_SurvivesTheCaseDocumentJson_AndADocumentWithoutHashesLoads()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        var c = CaseWith(entries: 3);

        var back = JsonSerializer.Deserialize<EngagementCase>(JsonSerializer.Serialize(c, options), options)!;
        var legacyJson = JsonSerializer.Serialize(c.Timeline[0] with { Hash = null }, options).Replace(",\"hash\":null", string.Empty, StringComparison.Ordinal);
        var legacy = JsonSerializer.Deserialize<TimelineEntry>(legacyJson, options)!;

        Assert.Equal(c.Timeline.Select(e => e.Hash), back.Timeline.Select(e => e.Hash));
        Assert.True(TimelineChain.Verify(back.Id, back.Timeline, []).Intact);
        Assert.DoesNotContain("hash", legacyJson, StringComparison.Ordinal);
        Assert.Null(legacy.Hash);
    }

    // ---- tampering: edited, deleted, inserted ----

    [Fact]
    public void Verify_EditedEntry_IsEditedAtItsPosition()
    {
        var c = CaseWith(entries: 8);
        var timeline = c.Timeline.ToList();
        timeline[3] = Changed(timeline[3]);

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal(new TimelineFindingKind?(TimelineFindingKind.Edited), finding?.Kind);
        Assert.Equal(4, finding!.Position);
    }

    [Fact]
    public void Verify_EditedLastEntry_IsEdited()
    {
        var c = CaseWith(entries: 5);
        var timeline = c.Timeline.ToList();
        timeline[^1] = Changed(timeline[^1]);

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal((TimelineFindingKind.Edited, 5), (finding!.Kind, finding.Position));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 3)]
    public void Verify_DeletedEntries_AreDeletedWhereTheGapIs(int index, int count)
    {
        var c = CaseWith(entries: 9);
        var timeline = c.Timeline.ToList();
        timeline.RemoveRange(index, count);

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal((TimelineFindingKind.Deleted, index + 1), (finding!.Kind, finding.Position));
        Assert.Contains($"{count} entr", finding.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_InsertedEntryWithoutAValidHash_IsInsertedAtItsPosition()
    {
        var c = CaseWith(entries: 6);
        var timeline = c.Timeline.ToList();
        timeline.Insert(2, TimelineEntry.Create(Sample.T0.AddMinutes(1), Clinician, TimelineEntryKind.ReminderSent, "step=assessment") with { Hash = new string('a', 64) });

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal((TimelineFindingKind.Inserted, 3), (finding!.Kind, finding.Position));
    }

    [Fact]
    public void Verify_InsertedEntrySealedInLine_IsInsertedAtItsPosition()
    {
        var c = CaseWith(entries: 6);
        var timeline = c.Timeline.ToList();
        timeline.Insert(2, TimelineChain.Seal(c.Id, timeline.Take(2).ToList(), TimelineEntry.Create(Sample.T0.AddMinutes(1), Clinician, TimelineEntryKind.ReminderSent)));

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal((TimelineFindingKind.Inserted, 3), (finding!.Kind, finding.Position));
    }

    [Fact]
    public void Verify_EntryWithoutHashAfterSealedOnes_IsInserted()
    {
        var c = CaseWith(entries: 4);
        var timeline = c.Timeline.Append(TimelineEntry.Create(Sample.T0.AddDays(3), Actor.System, TimelineEntryKind.ReminderSent)).ToList();

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal((TimelineFindingKind.Inserted, 5), (finding!.Kind, finding.Position));
    }

    [Fact]
    public void Verify_TwoEditsWithTheHashBetweenThemChanged_IsBroken()
    {
        var c = CaseWith(entries: 8);
        var timeline = c.Timeline.ToList();
        timeline[2] = Changed(timeline[2]) with { Hash = new string('b', 64) };
        timeline[3] = Changed(timeline[3]);

        var finding = TimelineChain.Verify(c.Id, timeline, []).Finding;

        Assert.Equal((TimelineFindingKind.Broken, 3), (finding!.Kind, finding.Position));
    }

    // ---- anchors ----

    [Fact]
    public void Verify_ConsistentRewrite_PassesTheChain_ButNotTheAnchor()
    {
        var c = CaseWith(entries: 10);
        var anchors = new[] { Anchor(c, 4), Anchor(c, 8) };
        var rewritten = Rehash(c.Id, [.. c.Timeline.Take(5), Changed(c.Timeline[5]), .. c.Timeline.Skip(6)]);

        Assert.True(TimelineChain.Verify(c.Id, rewritten, []).Intact);
        var verification = TimelineChain.Verify(c.Id, rewritten, anchors);

        Assert.Equal((TimelineFindingKind.Rewritten, 5), (verification.Finding!.Kind, verification.Finding.Position));
        Assert.Equal(2, verification.AnchorsChecked);
        Assert.True(TimelineChain.Verify(c.Id, c.Timeline, anchors).Intact);
    }

    [Fact]
    public void Verify_AnchoredEntriesRemovedFromTheEnd_AreDeleted_UnanchoredOnesAreNotSeen()
    {
        var c = CaseWith(entries: 10);
        var anchors = new[] { Anchor(c, 8) };

        var afterAnchor = TimelineChain.Verify(c.Id, [.. c.Timeline.Take(9)], anchors);
        var intoAnchored = TimelineChain.Verify(c.Id, [.. c.Timeline.Take(6)], anchors);

        Assert.True(afterAnchor.Intact); // the documented window: entries after the latest anchor can be cut off unseen
        Assert.Equal(1, afterAnchor.UnanchoredEntries);
        Assert.Equal((TimelineFindingKind.Deleted, 7), (intoAnchored.Finding!.Kind, intoAnchored.Finding.Position));
    }

    [Fact]
    public void Verify_IgnoresOtherEngagementsAnchors_AndReportsTheLatest()
    {
        var c = CaseWith(entries: 6);
        var other = new TimelineAnchor(EngagementId.New(Guid.NewGuid()), 2, new string('c', 64), Sample.T0);

        var verification = TimelineChain.Verify(c.Id, c.Timeline, [Anchor(c, 5), other, Anchor(c, 3)]);

        Assert.True(verification.Intact);
        Assert.Equal(5, verification.LatestAnchor!.EntryCount);
        Assert.Equal(1, verification.UnanchoredEntries);
        Assert.Equal(2, verification.AnchorsChecked);
    }

    // ---- legacy entries (written before the chain) ----

    [Fact]
    public void LegacyEntries_Load_AndTheNextNoteSealsThemIn()
    {
        var c = CaseWith(entries: 4);
        var legacy = c with { Timeline = [.. c.Timeline.Select(e => e with { Hash = null })] };

        var appended = legacy.Note(Sample.T0.AddDays(9), Actor.System, TimelineEntryKind.ReminderSent);
        var verification = TimelineChain.Verify(appended.Id, appended.Timeline, []);

        Assert.True(TimelineChain.Verify(legacy.Id, legacy.Timeline, []).Intact);
        Assert.True(verification.Intact);
        Assert.Equal(4, verification.LegacyEntries);
        Assert.Equal(TimelineChain.Recompute(c.Id, appended.Timeline)[^1], appended.Timeline[^1].Hash);

        var editedLegacy = appended.Timeline.ToList();
        editedLegacy[1] = Changed(editedLegacy[1]);
        Assert.Equal((TimelineFindingKind.Edited, 5), TimelineChain.Verify(c.Id, editedLegacy, []).Finding is { } f ? (f.Kind, f.Position) : default);
    }

    // ---- the stores' append rule ----

    [Fact]
    public void CheckAppend_NewSealedEntries_Pass()
    {
        var stored = CaseWith(entries: 4);
        var updated = stored.Note(Sample.T0.AddDays(5), Actor.System, TimelineEntryKind.ReminderSent);

        Assert.Null(TimelineChain.CheckAppend(stored.Id, 4, stored.Timeline[^1].Hash!, updated.Timeline));
        Assert.Null(TimelineChain.CheckAppend(stored.Id, 4, stored.Timeline[^1].Hash!, stored.Timeline));
        Assert.Null(TimelineChain.CheckAppend(stored.Id, 0, TimelineChain.Genesis(stored.Id), stored.Timeline));
    }

    [Fact]
    public void CheckAppend_RefusesEditedRemovedRewrittenAndUnsealed()
    {
        var stored = CaseWith(entries: 5);
        var head = stored.Timeline[^1].Hash!;
        var appended = stored.Note(Sample.T0.AddDays(5), Actor.System, TimelineEntryKind.ReminderSent).Timeline;

        var edited = appended.ToList();
        edited[1] = Changed(edited[1]);
        var rewritten = Rehash(stored.Id, edited);

        Assert.Equal(TimelineFindingKind.Edited, TimelineChain.CheckAppend(stored.Id, 5, head, edited)?.Kind);
        Assert.Equal(TimelineFindingKind.Rewritten, TimelineChain.CheckAppend(stored.Id, 5, head, rewritten)?.Kind);
        Assert.Equal(TimelineFindingKind.Deleted, TimelineChain.CheckAppend(stored.Id, 5, head, [.. stored.Timeline.Take(4)])?.Kind);
        Assert.Equal(TimelineFindingKind.Deleted, TimelineChain.CheckAppend(stored.Id, 5, head, [.. appended.Where((_, i) => i != 2)])?.Kind);
        Assert.Equal(TimelineFindingKind.Inserted,
            TimelineChain.CheckAppend(stored.Id, 5, head, [.. stored.Timeline, TimelineEntry.Create(Sample.T0, Actor.System, TimelineEntryKind.ReminderSent)])?.Kind);
    }

    /// <summary>
    /// Told which timeline it verified before (a case this process saved), the check hashes only the entries after those
    /// very objects: an edit to a verified entry is not looked for again, which the first assertion shows.
    /// </summary>
    [Fact]
    public void CheckAppend_AfterAVerifiedTimeline_HashesOnlyTheEntriesAfterIt()
    {
        var stored = CaseWith(entries: 5);
        var head = stored.Timeline[^1].Hash!;
        var trusted = stored.Timeline.ToList();
        trusted[1] = Changed(trusted[1]); // as if it had been verified intact: the caller vouches for it
        var appended = new List<TimelineEntry>(trusted);
        appended.Add(TimelineChain.Seal(stored.Id, trusted, TimelineEntry.Create(Sample.T0.AddDays(5), Actor.System, TimelineEntryKind.ReminderSent)));
        appended.Add(TimelineChain.Seal(stored.Id, appended, TimelineEntry.Create(Sample.T0.AddDays(6), Actor.System, TimelineEntryKind.ReminderSent)));

        Assert.Null(TimelineChain.CheckAppend(stored.Id, 5, head, appended, trusted));
        Assert.Equal(TimelineFindingKind.Edited, TimelineChain.CheckAppend(stored.Id, 5, head, appended)?.Kind);
        var updated = stored.Note(Sample.T0.AddDays(5), Actor.System, TimelineEntryKind.ReminderSent);
        Assert.Null(TimelineChain.CheckAppend(stored.Id, 5, head, updated.Timeline, stored.Timeline));
        Assert.Null(TimelineChain.CheckAppend(stored.Id, 5, head, stored.Timeline, stored.Timeline));
    }

    /// <summary>With a verified timeline the check refuses what it refused without one, with the same finding.</summary>
    [Fact]
    public void CheckAppend_WithAVerifiedTimeline_RefusesWhatItRefusedWithout()
    {
        var stored = CaseWith(entries: 5);
        var head = stored.Timeline[^1].Hash!;
        var appended = stored.Note(Sample.T0.AddDays(5), Actor.System, TimelineEntryKind.ReminderSent).Timeline;
        var editedCopy = appended.ToList();
        editedCopy[1] = Changed(editedCopy[1]);
        var newEntryEdited = appended.ToList();
        newEntryEdited[5] = Changed(newEntryEdited[5]);
        var newEntryUnsealed = stored.Timeline.Append(TimelineEntry.Create(Sample.T0, Actor.System, TimelineEntryKind.ReminderSent)).ToList();
        var otherHead = TimelineChain.Genesis(EngagementId.New(Guid.NewGuid()));

        foreach (var (count, storedHead, updated) in new (int, string, IReadOnlyList<TimelineEntry>)[]
        {
            (5, head, editedCopy),
            (5, head, newEntryEdited),
            (5, head, newEntryUnsealed),
            (5, otherHead, appended),
            (4, head, appended),
            (5, head, [.. stored.Timeline.Take(4)]),
        })
        {
            var without = TimelineChain.CheckAppend(stored.Id, count, storedHead, updated);
            Assert.NotNull(without);
            Assert.Equal(without, TimelineChain.CheckAppend(stored.Id, count, storedHead, updated, stored.Timeline));
        }
    }

    // ---- helpers ----

    /// <summary>A received case with <paramref name="entries"/> entries in all.</summary>
    private static EngagementCase CaseWith(int entries)
    {
        var c = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0);
        for (var i = 1; i < entries; i++)
        {
            c = c.Note(Sample.T0.AddHours(i), i % 2 == 0 ? Actor.System : Clinician, TimelineEntryKind.MemberContactAttempted, $"attempt={i}");
        }

        return c;
    }

    private static TimelineEntry Changed(TimelineEntry entry) =>
        new TimelineEntry(entry.At.AddMinutes(-30), entry.Actor, entry.Kind, entry.Details) with { Hash = entry.Hash };

    /// <summary>What a tamperer who knows the chain does: every hash recomputed, so the chain verifies in itself.</summary>
    private static List<TimelineEntry> Rehash(EngagementId id, IReadOnlyList<TimelineEntry> timeline)
    {
        var hashes = TimelineChain.Recompute(id, timeline);
        return [.. timeline.Select((e, i) => e with { Hash = hashes[i + 1] })];
    }

    private static TimelineAnchor Anchor(EngagementCase c, int count) => new(c.Id, count, c.Timeline[count - 1].Hash!, Sample.T0.AddDays(count));
}
