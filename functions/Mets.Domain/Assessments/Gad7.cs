using System.Text.Json.Serialization;

namespace Mets.Domain.Assessments;

/// <summary>GAD-7 anxiety severity bands over the 0-21 total.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Gad7Band>))]
public enum Gad7Band
{
    /// <summary>0-4.</summary>
    Minimal,

    /// <summary>5-9.</summary>
    Mild,

    /// <summary>10-14.</summary>
    Moderate,

    /// <summary>15-21.</summary>
    Severe,
}

/// <summary>The GAD-7: seven items scored 0-3 (total 0-21); 10 or more is a positive screen.</summary>
public sealed record Gad7
{
    public const int ItemCount = 7;
    public const int MaxItemScore = 3;
    public const int MaxTotal = ItemCount * MaxItemScore;
    public const int PositiveScreenThreshold = 10;

    private readonly int[] items;

    public Gad7(IReadOnlyList<int> items) => this.items = InstrumentItems.Validate(items, ItemCount, MaxItemScore, "GAD-7");

    public IReadOnlyList<int> Items => items;

    public int Total => items.Sum();

    public Gad7Band Band => BandFor(Total);

    public bool IsPositiveScreen => Total >= PositiveScreenThreshold;

    public static Gad7Band BandFor(int total)
    {
        InstrumentItems.CheckTotal(total, MaxTotal, "GAD-7");
        return total switch
        {
            <= 4 => Gad7Band.Minimal,
            <= 9 => Gad7Band.Mild,
            <= 14 => Gad7Band.Moderate,
            _ => Gad7Band.Severe,
        };
    }

    public bool Equals(Gad7? other) => other is not null && items.SequenceEqual(other.items);

    public override int GetHashCode() => InstrumentItems.Hash(items);
}
