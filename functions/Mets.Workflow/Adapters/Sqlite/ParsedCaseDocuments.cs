using System.Text.Json;
using Mets.Domain.Engagements;
using Mets.Workflow.Cases;

namespace Mets.Workflow.Adapters.Sqlite;

/// <summary>
/// The case documents a <see cref="SqliteCaseStore"/> read or saved most recently, parsed, each with the stored bytes it
/// stands for. A read hands over the bytes it found on disk: when they are the same, byte for byte, as those of the
/// remembered document, the parsed document is answered without parsing them again; otherwise they are parsed and
/// remembered. The bytes are compared on every read, never trusted by id or ETag alone, so a document edited in place
/// (its ETag kept, as the tamper-evidence checks do) is parsed from what is on disk. Documents are immutable records,
/// so one parsed document can be answered to several readers. At most <c>capacity</c> documents are kept, the least
/// recently used dropped first.
/// </summary>
internal sealed class ParsedCaseDocuments
{
    /// <summary>Enough for the cases a busy day touches several times (each costs its stored bytes and its parsed form).</summary>
    public const int DefaultCapacity = 2048;

    private readonly int _capacity;
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Remembered>> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<Remembered> _recent = new();

    public ParsedCaseDocuments(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    /// <summary>How many documents are remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>
    /// The case document of row <paramref name="id"/> whose stored form is <paramref name="stored"/> (UTF-8 JSON,
    /// without its ETag), carrying <paramref name="etag"/>: the remembered one when <paramref name="stored"/> is the
    /// same byte for byte, else parsed.
    /// </summary>
    public EngagementCase Read(string id, ReadOnlySpan<byte> stored, string etag)
    {
        if (Find(id, stored) is { } parsed)
        {
            return string.Equals(parsed.ETag, etag, StringComparison.Ordinal) ? parsed : parsed with { ETag = etag };
        }

        var document = JsonSerializer.Deserialize<EngagementCase>(stored, CaseDocumentJson.Options)
            ?? throw new InvalidOperationException("A stored case document is empty.");
        if (!string.Equals(document.Id.Value, id, StringComparison.Ordinal))
        {
            // Not the row's own document (only an edit behind the application's back does this): answered, not kept.
            return document with { ETag = etag };
        }

        var read = document with { ETag = etag };
        Remember(id, stored.ToArray(), read, savedHere: false);
        return read;
    }

    /// <summary>
    /// Remembers, for row <paramref name="id"/>, <paramref name="saved"/> (with its new ETag) as the parse of
    /// <paramref name="stored"/>: the bytes a save wrote, which are the serialized form of <paramref name="saved"/>
    /// without its ETag. The save checked its timeline's chain, so <see cref="SavedTimeline"/> answers it.
    /// </summary>
    public void Remember(string id, byte[] stored, EngagementCase saved) => Remember(id, stored, saved, savedHere: true);

    /// <summary>
    /// The timeline of the case document remembered for row <paramref name="id"/> when a save in this process wrote it
    /// (and so found its chain intact); null when the remembered document was parsed from disk, or none is remembered.
    /// </summary>
    public IReadOnlyList<TimelineEntry>? SavedTimeline(string id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var node) && node.Value.SavedHere ? node.Value.Parsed.Timeline : null;
        }
    }

    private void Remember(string id, byte[] stored, EngagementCase saved, bool savedHere)
    {
        lock (_gate)
        {
            if (_byId.Remove(id, out var existing))
            {
                _recent.Remove(existing);
            }

            _byId[id] = _recent.AddFirst(new Remembered(id, stored, saved, savedHere));
            while (_byId.Count > _capacity)
            {
                var oldest = _recent.Last!;
                _recent.RemoveLast();
                _byId.Remove(oldest.Value.Id);
            }
        }
    }

    /// <summary>The document remembered for row <paramref name="id"/> when its stored bytes are <paramref name="stored"/>, byte for byte; else null.</summary>
    public EngagementCase? Find(string id, ReadOnlySpan<byte> stored)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var node) || !node.Value.Stored.AsSpan().SequenceEqual(stored))
            {
                return null;
            }

            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value.Parsed;
        }
    }

    private sealed record Remembered(string Id, byte[] Stored, EngagementCase Parsed, bool SavedHere);
}
