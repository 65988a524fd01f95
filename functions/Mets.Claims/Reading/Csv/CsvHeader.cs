namespace Mets.Claims.Reading.Csv;

/// <summary>Matches a CSV header row to known columns: names compare case-insensitively, ignoring
/// spaces, underscores and dashes, against each column's documented aliases.</summary>
internal sealed class CsvHeader
{
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);

    public CsvHeader(IReadOnlyList<string> names, IReadOnlyDictionary<string, string[]> aliases)
    {
        var byAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, names2) in aliases)
        {
            byAlias[Normalize(column)] = column;
            foreach (var alias in names2)
            {
                byAlias[Normalize(alias)] = column;
            }
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (byAlias.TryGetValue(Normalize(names[i]), out var column))
            {
                if (_ordinals.ContainsKey(column))
                {
                    throw new ClaimsFileStructureException($"The header names column '{column}' more than once.");
                }

                _ordinals[column] = i;
            }
        }
    }

    /// <summary>How many of <paramref name="names"/> name a known column (never throws, unlike the constructor).</summary>
    public static int CountKnown(IReadOnlyList<string> names, IReadOnlyDictionary<string, string[]> aliases)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (column, names2) in aliases)
        {
            known.Add(Normalize(column));
            foreach (var alias in names2)
            {
                known.Add(Normalize(alias));
            }
        }

        return names.Count(n => known.Contains(Normalize(n)));
    }

    /// <summary>True when each of <paramref name="columns"/> is named (by its name or an alias) at least once. Never
    /// throws, unlike the constructor: a header naming a column twice is refused when the file is read, not while
    /// its kind is being told.</summary>
    public static bool NamesAll(IReadOnlyList<string> names, IReadOnlyDictionary<string, string[]> aliases, params string[] columns)
    {
        var named = names.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        return columns.All(column => named.Contains(Normalize(column)) || aliases[column].Any(alias => named.Contains(Normalize(alias))));
    }

    public int this[string column] => _ordinals.TryGetValue(column, out var ordinal) ? ordinal : -1;

    public void Require(IEnumerable<string> columns)
    {
        var missing = columns.Where(c => !_ordinals.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new ClaimsFileStructureException($"Required column(s) missing from the header: {string.Join(", ", missing)}.");
        }
    }

    private static string Normalize(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 128)];
        var length = 0;
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, 128)))
        {
            if (c is ' ' or '_' or '-' or '\uFEFF')
            {
                continue;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        return new string(buffer[..length]);
    }
}
