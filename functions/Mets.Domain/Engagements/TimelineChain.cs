using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Engagements;

/// <summary>
/// A chain head recorded where the application cannot rewrite it (docs/reliability.md, "Tamper-evident audit"): the
/// engagement's timeline had <paramref name="EntryCount"/> entries and the last one's hash was
/// <paramref name="HeadHash"/> at <paramref name="AnchoredAt"/>.
/// </summary>
public sealed record TimelineAnchor(EngagementId EngagementId, int EntryCount, string HeadHash, DateTimeOffset AnchoredAt);

/// <summary>What is wrong with a timeline, at its first bad position.</summary>
public enum TimelineFindingKind
{
    /// <summary>The entry's content changed after it was sealed (its hash no longer matches, the next entry still links to it).</summary>
    Edited,

    /// <summary>Entries are missing: the entries after the gap link to hashes no entry has, or an anchor counted more entries.</summary>
    Deleted,

    /// <summary>Entries were added where none was appended: the next entry links past them, or an entry has no hash after sealed ones.</summary>
    Inserted,

    /// <summary>The chain is consistent in itself but does not match a head recorded outside it (an anchor, or the stored timeline): it was rewritten whole.</summary>
    Rewritten,

    /// <summary>The entry does not match its hash and no single edit, deletion or insertion explains it (several changes, or a damaged hash).</summary>
    Broken,
}

/// <summary>The first bad position of a timeline (1-based) and why; positions and counts only, never entry content.</summary>
public sealed record TimelineFinding(TimelineFindingKind Kind, int Position, string Reason);

/// <summary>What <see cref="TimelineChain.Verify"/> found.</summary>
/// <param name="EngagementId">The engagement.</param>
/// <param name="Entries">Entries in the timeline.</param>
/// <param name="LegacyEntries">Leading entries written before the chain existed (no hash stored; their hashes are computed, and the first sealed entry's hash covers them).</param>
/// <param name="AnchorsChecked">Anchors compared with the chain.</param>
/// <param name="LatestAnchor">The anchor with the most entries, or null when none was recorded.</param>
/// <param name="Finding">The first problem, or null when the timeline is intact.</param>
public sealed record TimelineVerification(EngagementId EngagementId, int Entries, int LegacyEntries, int AnchorsChecked, TimelineAnchor? LatestAnchor, TimelineFinding? Finding)
{
    public bool Intact => Finding is null;

    /// <summary>Entries after the latest anchor: protected by the chain only until the next anchor is written.</summary>
    public int UnanchoredEntries => Math.Max(0, Entries - (LatestAnchor?.EntryCount ?? 0));
}

/// <summary>
/// The engagement timeline's hash chain (docs/reliability.md, "Tamper-evident audit"). Each entry's hash is
/// SHA-256(previous hash, 32 bytes || <see cref="CanonicalForm"/> of the entry at its 1-based position); the first
/// entry's previous hash is <see cref="Genesis"/>, which names the engagement, so a timeline cannot be moved to
/// another engagement. Hashes are 64 lower-case hex digits. Pure and deterministic: both case stores carry the
/// hashes <see cref="EngagementCase.Note"/> computes, unchanged.
/// <para>
/// Entries written before the chain existed have no hash: they may only lead the timeline (legacy entries); their
/// hashes are computed when needed, and the first sealed entry's hash covers them from then on.
/// </para>
/// </summary>
public static class TimelineChain
{
    /// <summary>The version of the canonical form, the first line of every entry's form.</summary>
    public const string FormVersion = "mets-timeline/v1";

    /// <summary>How far verification looks for the entries after a gap (deleted entries) or past added ones.</summary>
    private const int MaxShift = 4096;

    /// <summary>The previous hash of the first entry: SHA-256 of <c>mets-timeline-genesis/v1\nengagement:{id}\n</c>.</summary>
    public static string Genesis(EngagementId engagementId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"mets-timeline-genesis/v1\nengagement:{engagementId.Value}\n")));

    /// <summary>
    /// The bytes an entry's hash covers besides the previous hash: UTF-8 lines, each ending in <c>\n</c>:
    /// <c>mets-timeline/v1</c>, <c>position:{1-based position}</c>, <c>at:{UTC, yyyy-MM-ddTHH:mm:ss.fffffffZ}</c>,
    /// <c>actor-kind:{ActorKind name}</c>, <c>actor-id:{length}:{id}</c> (or <c>actor-id:none</c>),
    /// <c>kind:{TimelineEntryKind name}</c>, <c>details:{count}</c>, then each detail code on its own line (codes have no
    /// line breaks). Enum members are hashed by name: never rename one.
    /// </summary>
    public static byte[] CanonicalForm(int position, TimelineEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(position, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxFormLength(entry));
        try
        {
            return buffer.AsSpan(0, WriteCanonicalForm(position, entry, buffer)).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The hash of <paramref name="entry"/> at <paramref name="position"/> after an entry whose hash is <paramref name="previousHash"/>.</summary>
    public static string Link(string previousHash, int position, TimelineEntry entry) =>
        TryLink(previousHash, position, entry) ?? throw new ArgumentException("The previous hash is not 64 hexadecimal digits.", nameof(previousHash));

    /// <summary>
    /// <paramref name="entry"/> sealed as the next entry of <paramref name="timeline"/>: its <see cref="TimelineEntry.Hash"/>
    /// links it to the timeline's last entry (whose stored hash is trusted; legacy entries are hashed now).
    /// </summary>
    public static TimelineEntry Seal(EngagementId engagementId, IReadOnlyList<TimelineEntry> timeline, TimelineEntry entry)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(entry);
        return entry with { Hash = Link(Head(engagementId, timeline), timeline.Count + 1, entry) };
    }

    /// <summary>
    /// The chain's head: the last entry's stored hash, the hash computed for it when the timeline holds legacy entries
    /// only, or <see cref="Genesis"/> for an empty timeline.
    /// </summary>
    public static string Head(EngagementId engagementId, IReadOnlyList<TimelineEntry> timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        return timeline.Count > 0 && timeline[^1].Hash is { } last ? last : Recompute(engagementId, timeline)[^1];
    }

    /// <summary>
    /// The hashes the chain gives each position (index 0: <see cref="Genesis"/>, index p: entry p), computed from the
    /// entries' content alone, whatever hashes they carry.
    /// </summary>
    public static IReadOnlyList<string> Recompute(EngagementId engagementId, IReadOnlyList<TimelineEntry> timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var hashes = new string[timeline.Count + 1];
        hashes[0] = Genesis(engagementId);
        for (var p = 1; p <= timeline.Count; p++)
        {
            hashes[p] = Link(hashes[p - 1], p, timeline[p - 1]);
        }

        return hashes;
    }

    /// <summary>
    /// Whether <paramref name="updated"/> only appends to a stored timeline of <paramref name="storedCount"/> entries whose
    /// head (the hash at that count, <see cref="Recompute"/>) is <paramref name="storedHead"/>: null when it does, else the
    /// first bad position. The updated chain must verify in itself, reach the stored head at the stored count (so no
    /// stored entry was changed, removed or reordered, even with the hashes recomputed), and seal every new entry.
    /// </summary>
    public static TimelineFinding? CheckAppend(EngagementId engagementId, int storedCount, string storedHead, IReadOnlyList<TimelineEntry> updated)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentException.ThrowIfNullOrEmpty(storedHead);
        if (updated.Count < storedCount)
        {
            return new(TimelineFindingKind.Deleted, updated.Count + 1,
                $"The timeline to save has {updated.Count} entries; the stored one has {storedCount}.");
        }

        // One pass: the chain Verify computes is the chain of the updated entries' content, so its hash at the stored
        // count is the head of the first storedCount entries (what Recompute of them would give).
        var verification = Verify(engagementId, updated, [], out var chain);
        if (verification.Finding is { } finding)
        {
            return finding;
        }

        for (var p = storedCount + 1; p <= updated.Count; p++)
        {
            if (updated[p - 1].Hash is null)
            {
                return new(TimelineFindingKind.Inserted, p, $"Entry {p} is new and not sealed (appended without its hash).");
            }
        }

        return string.Equals(chain[storedCount], storedHead, StringComparison.Ordinal)
            ? null
            : new(TimelineFindingKind.Rewritten, 1,
                $"The first {storedCount} entries of the timeline to save are not the stored ones (the chain's head at entry {storedCount} differs).");
    }

    /// <summary>
    /// <see cref="CheckAppend(EngagementId, int, string, IReadOnlyList{TimelineEntry})"/>, told that <paramref name="verified"/>
    /// is a timeline this process already found intact (the timeline of a case it saved, checked by that save). When
    /// <paramref name="updated"/> starts with those very entry objects (the same references: entries are immutable), they
    /// are the stored ones (their count and last hash are <paramref name="storedCount"/> and <paramref name="storedHead"/>)
    /// and every entry after them is sealed and links to the one before it, the timeline only appends and is not hashed
    /// again from its first entry: without this each save re-hashed every entry the case ever had. In every other case,
    /// and to name what is wrong, the whole chain is checked as without <paramref name="verified"/>.
    /// </summary>
    public static TimelineFinding? CheckAppend(EngagementId engagementId, int storedCount, string storedHead, IReadOnlyList<TimelineEntry> updated, IReadOnlyList<TimelineEntry>? verified)
    {
        ArgumentNullException.ThrowIfNull(updated);
        return AppendsToVerified(storedCount, storedHead, updated, verified)
            ? null
            : CheckAppend(engagementId, storedCount, storedHead, updated);
    }

    private static bool AppendsToVerified(int storedCount, string storedHead, IReadOnlyList<TimelineEntry> updated, IReadOnlyList<TimelineEntry>? verified)
    {
        if (verified is not { Count: > 0 } || verified.Count != storedCount || updated.Count < storedCount
            || verified[^1].Hash is not { } head || !string.Equals(head, storedHead, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < storedCount; i++)
        {
            if (!ReferenceEquals(updated[i], verified[i]))
            {
                return false;
            }
        }

        var previous = head;
        for (var p = storedCount + 1; p <= updated.Count; p++)
        {
            var entry = updated[p - 1];
            if (entry.Hash is not { } hash || !string.Equals(TryLink(previous, p, entry), hash, StringComparison.Ordinal))
            {
                return false;
            }

            previous = hash;
        }

        return true;
    }

    /// <summary>
    /// Recomputes the chain of <paramref name="timeline"/> and compares it with the hashes its entries carry and with every
    /// anchor of the engagement: the first bad position and why (<see cref="TimelineFindingKind"/>), or intact.
    /// </summary>
    public static TimelineVerification Verify(EngagementId engagementId, IReadOnlyList<TimelineEntry> timeline, IReadOnlyList<TimelineAnchor> anchors) =>
        Verify(engagementId, timeline, anchors, out _);

    /// <summary><see cref="Verify(EngagementId, IReadOnlyList{TimelineEntry}, IReadOnlyList{TimelineAnchor})"/>, with the chain it computed (complete when intact).</summary>
    private static TimelineVerification Verify(EngagementId engagementId, IReadOnlyList<TimelineEntry> timeline, IReadOnlyList<TimelineAnchor> anchors, out string[] chain)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(anchors);
        var mine = anchors.Where(a => a.EngagementId == engagementId).OrderBy(a => a.EntryCount).ThenBy(a => a.AnchoredAt).ToList();
        var latest = mine.Count == 0 ? null : mine[^1];
        var n = timeline.Count;
        chain = new string[n + 1];
        chain[0] = Genesis(engagementId);
        var legacy = 0;
        for (var p = 1; p <= n; p++)
        {
            var entry = timeline[p - 1];
            var expected = Link(chain[p - 1], p, entry);
            if (entry.Hash is null)
            {
                if (legacy < p - 1)
                {
                    return new(engagementId, n, legacy, 0, latest,
                        new(TimelineFindingKind.Inserted, p, $"Entry {p} has no hash though entries before it are sealed: it was not appended by the application."));
                }

                legacy = p;
                chain[p] = expected;
            }
            else if (string.Equals(entry.Hash, expected, StringComparison.Ordinal))
            {
                chain[p] = expected;
            }
            else
            {
                return new(engagementId, n, legacy, 0, latest, Classify(timeline, chain, p, legacy, mine.Count == 0 ? 0 : latest!.EntryCount));
            }
        }

        var lastGood = 0;
        var checkedAnchors = 0;
        foreach (var anchor in mine)
        {
            checkedAnchors++;
            if (anchor.EntryCount > n)
            {
                return new(engagementId, n, legacy, checkedAnchors, latest, new(TimelineFindingKind.Deleted, n + 1,
                    FormattableString.Invariant($"The anchor of {anchor.AnchoredAt:O} counted {anchor.EntryCount} entries; the timeline has {n}: entries from {n + 1} on were removed.")));
            }

            if (anchor.EntryCount < 1 || !string.Equals(chain[anchor.EntryCount], anchor.HeadHash, StringComparison.Ordinal))
            {
                return new(engagementId, n, legacy, checkedAnchors, latest, new(TimelineFindingKind.Rewritten, lastGood + 1,
                    FormattableString.Invariant($"The chain is consistent but its hash at entry {anchor.EntryCount} is not the one anchored at {anchor.AnchoredAt:O}: entries {lastGood + 1} to {anchor.EntryCount} were rewritten.")));
            }

            lastGood = anchor.EntryCount;
        }

        return new(engagementId, n, legacy, checkedAnchors, latest, null);
    }

    /// <summary>Why entry <paramref name="p"/> does not match its hash, from how the entries around it link.</summary>
    private static TimelineFinding Classify(IReadOnlyList<TimelineEntry> timeline, string[] chain, int p, int legacy, int anchoredCount)
    {
        var n = timeline.Count;
        string? Stored(int q) => q < p ? chain[q] : timeline[q - 1].Hash;
        bool Links(int previous, int position, int q) =>
            Stored(previous) is { } before && TryLink(before, position, timeline[q - 1]) is { } hash && string.Equals(hash, Stored(q), StringComparison.Ordinal);

        // Edited: the next entry still links to this one's stored hash at the next position. The first sealed entry's
        // hash also covers the legacy entries before it, which carry no hash of their own.
        var firstSealed = legacy > 0 && p == legacy + 1;
        TimelineFinding Edited(string why) => firstSealed
            ? new(TimelineFindingKind.Edited, p, $"Entry {p} (the first sealed one) or one of the {legacy} entries before it, which predate the chain, was changed.")
            : new(TimelineFindingKind.Edited, p, why);
        if (p < n && Links(p, p + 1, p + 1))
        {
            return Edited($"Entry {p} was changed after it was sealed: it no longer matches its hash, and entry {p + 1} still links to that hash.");
        }

        // Inserted, not sealed: a later entry links straight to the entry before this one, at this position.
        for (var j = 1; p + j <= n && j <= MaxShift; j++)
        {
            if (Links(p - 1, p, p + j))
            {
                return new(TimelineFindingKind.Inserted, p, $"{j} entr{(j == 1 ? "y was" : "ies were")} added at position {p}: entry {p + j} links to entry {p - 1}.");
            }
        }

        // Inserted and sealed in line: this entry links to an earlier one, at that one's next position.
        for (var j = 1; p - 1 - j >= 0 && j <= MaxShift; j++)
        {
            if (Links(p - 1 - j, p - j, p))
            {
                return new(TimelineFindingKind.Inserted, p - j, $"{j} entr{(j == 1 ? "y was" : "ies were")} added at position {p - j}: entry {p} links to entry {p - 1 - j}.");
            }
        }

        // Deleted: the entries from here on link to each other at positions further on.
        for (var k = 1; p < n && k <= Math.Max(MaxShift, anchoredCount); k++)
        {
            if (Links(p, p + 1 + k, p + 1))
            {
                return new(TimelineFindingKind.Deleted, p, $"{k} entr{(k == 1 ? "y was" : "ies were")} removed at position {p}: the entries from {p} on were sealed {k} position{(k == 1 ? string.Empty : "s")} further on.");
            }
        }

        return p == n
            ? Edited($"The last entry, {p}, does not match its hash: it was changed (or replaced).")
            : new(TimelineFindingKind.Broken, p, $"Entry {p} does not match its hash, and the entries after it do not link back to the chain: several entries, or hashes, were changed.");
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static string? TryLink(string previousHash, int position, TimelineEntry entry)
    {
        if (previousHash is not { Length: 64 } || previousHash.AsSpan().ContainsAnyExcept(HexDigits))
        {
            return null;
        }

        // SHA-256(previous hash, 32 bytes || canonical form), written into one pooled buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(32 + MaxFormLength(entry));
        try
        {
            Convert.FromHexString(previousHash, buffer.AsSpan(0, 32), out _, out _);
            var length = 32 + WriteCanonicalForm(position, entry, buffer.AsSpan(32));
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An upper bound of the bytes of <see cref="CanonicalForm"/> for <paramref name="entry"/>.</summary>
    private static int MaxFormLength(TimelineEntry entry)
    {
        var length = 256 + Encoding.UTF8.GetMaxByteCount(entry.Actor.Kind.ToString().Length + entry.Kind.ToString().Length + (entry.Actor.Id?.Length ?? 0));
        foreach (var detail in entry.Details)
        {
            length += Encoding.UTF8.GetMaxByteCount(detail.Length) + 1;
        }

        return length;
    }

    /// <summary>Writes <see cref="CanonicalForm"/> into <paramref name="destination"/> (at least <see cref="MaxFormLength"/> bytes); the bytes written.</summary>
    private static int WriteCanonicalForm(int position, TimelineEntry entry, Span<byte> destination)
    {
        var written = 0;
        Text(destination, ref written, FormVersion);
        Line(destination, ref written);
        Text(destination, ref written, "position:");
        Number(destination, ref written, position);
        Line(destination, ref written);
        Text(destination, ref written, "at:");
        entry.At.UtcDateTime.TryFormat(destination[written..], out var at, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        written += at;
        Line(destination, ref written);
        Text(destination, ref written, "actor-kind:");
        Text(destination, ref written, entry.Actor.Kind.ToString());
        Line(destination, ref written);
        Text(destination, ref written, "actor-id:");
        if (entry.Actor.Id is { } id)
        {
            Number(destination, ref written, id.Length);
            Text(destination, ref written, ":");
            Text(destination, ref written, id);
        }
        else
        {
            Text(destination, ref written, "none");
        }

        Line(destination, ref written);
        Text(destination, ref written, "kind:");
        Text(destination, ref written, entry.Kind.ToString());
        Line(destination, ref written);
        Text(destination, ref written, "details:");
        Number(destination, ref written, entry.Details.Count);
        Line(destination, ref written);
        foreach (var detail in entry.Details)
        {
            Text(destination, ref written, detail);
            Line(destination, ref written);
        }

        return written;
    }

    private static void Text(Span<byte> destination, ref int written, ReadOnlySpan<char> text) =>
        written += Encoding.UTF8.GetBytes(text, destination[written..]);

    private static void Number(Span<byte> destination, ref int written, int value)
    {
        value.TryFormat(destination[written..], out var count, default, CultureInfo.InvariantCulture);
        written += count;
    }

    private static void Line(Span<byte> destination, ref int written) => destination[written++] = (byte)'\n';
}
