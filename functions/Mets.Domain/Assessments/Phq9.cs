using System.Text.Json.Serialization;

namespace Mets.Domain.Assessments;

/// <summary>PHQ-9 depression severity bands over the 0-27 total.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Phq9Band>))]
public enum Phq9Band
{
    /// <summary>0-4.</summary>
    Minimal,

    /// <summary>5-9.</summary>
    Mild,

    /// <summary>10-14.</summary>
    Moderate,

    /// <summary>15-19.</summary>
    ModeratelySevere,

    /// <summary>20-27.</summary>
    Severe,
}

/// <summary>
/// The PHQ-9: nine items scored 0-3 (total 0-27). A total of 10 or more is a positive screen; any
/// answer above 0 on item 9 (thoughts of self-harm) is a safety signal needing same-day follow-up.
/// </summary>
public sealed record Phq9
{
    public const int ItemCount = 9;
    public const int MaxItemScore = 3;
    public const int MaxTotal = ItemCount * MaxItemScore;
    public const int PositiveScreenThreshold = 10;

    private readonly int[] items;

    /// <param name="items">The nine item scores in questionnaire order.</param>
    public Phq9(IReadOnlyList<int> items) => this.items = InstrumentItems.Validate(items, ItemCount, MaxItemScore, "PHQ-9");

    public IReadOnlyList<int> Items => items;

    public int Total => items.Sum();

    /// <summary>Item 9: "thoughts that you would be better off dead, or of hurting yourself".</summary>
    public int SelfHarmItem => items[8];

    public Phq9Band Band => BandFor(Total);

    public bool IsPositiveScreen => Total >= PositiveScreenThreshold;

    public static Phq9Band BandFor(int total)
    {
        InstrumentItems.CheckTotal(total, MaxTotal, "PHQ-9");
        return total switch
        {
            <= 4 => Phq9Band.Minimal,
            <= 9 => Phq9Band.Mild,
            <= 14 => Phq9Band.Moderate,
            <= 19 => Phq9Band.ModeratelySevere,
            _ => Phq9Band.Severe,
        };
    }

    public bool Equals(Phq9? other) => other is not null && items.SequenceEqual(other.items);

    public override int GetHashCode() => InstrumentItems.Hash(items);
}
