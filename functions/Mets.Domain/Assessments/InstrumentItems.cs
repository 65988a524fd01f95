namespace Mets.Domain.Assessments;

/// <summary>Item-score validation shared by the scored instruments. Messages name the item, never its value.</summary>
internal static class InstrumentItems
{
    public static int[] Validate(IReadOnlyList<int>? items, int count, int max, string instrument)
    {
        if (items is null || items.Count != count)
        {
            throw new ArgumentException($"{instrument} has exactly {count} item scores.", nameof(items));
        }

        var copy = items.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] < 0 || copy[i] > max)
            {
                throw new ArgumentOutOfRangeException(nameof(items), $"{instrument} item {i + 1} is scored 0 to {max}.");
            }
        }

        return copy;
    }

    public static void CheckTotal(int total, int max, string instrument)
    {
        if (total < 0 || total > max)
        {
            throw new ArgumentOutOfRangeException(nameof(total), $"A {instrument} total is 0 to {max}.");
        }
    }

    public static int Hash(IReadOnlyList<int> items)
    {
        var hash = default(HashCode);
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
