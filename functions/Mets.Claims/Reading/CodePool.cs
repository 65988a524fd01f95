namespace Mets.Claims.Reading;

/// <summary>
/// Remembers, per raw text, the value it was read as (a normalized code, a diagnosis), so the codes,
/// NPIs and taxonomies that repeat millions of times in a file are validated and allocated once.
/// Only valid values are remembered. Bounded: past <see cref="MaxEntries"/> distinct values it stops
/// remembering and the caller just parses again.
/// </summary>
internal sealed class CodePool<T>
{
    private const int MaxEntries = 100_000;
    private readonly Dictionary<string, T> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CodePool() => _lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();

    public bool TryGet(ReadOnlySpan<char> raw, out T value) => _lookup.TryGetValue(raw, out value!);

    public void Add(ReadOnlySpan<char> raw, T value)
    {
        if (_values.Count < MaxEntries)
        {
            _lookup[raw] = value;
        }
    }
}

/// <summary>The pools one file read uses, one per kind of field.</summary>
internal sealed class ReaderPools
{
    private readonly Dictionary<string, CodePool<string>> _byField = new(StringComparer.Ordinal);

    public CodePool<DiagnosisCode> Diagnoses { get; } = new();

    public CodePool<string> Members { get; } = new();

    public CodePool<string> For(string field)
    {
        if (!_byField.TryGetValue(field, out var pool))
        {
            _byField[field] = pool = new CodePool<string>();
        }

        return pool;
    }
}
