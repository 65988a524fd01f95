using System.Text.Json.Serialization;

namespace Mets.Domain.Assessments;

/// <summary>Sex recorded for the AUDIT-C threshold. <see cref="Unknown"/> uses the lower (female) threshold, the more sensitive choice.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AuditCSex>))]
public enum AuditCSex
{
    Unknown,
    Female,
    Male,
}

/// <summary>
/// AUDIT-C: three items scored 0-4 (total 0-12). Positive at 4 or more for men and 3 or more for
/// women (Bush 1998; Bradley 2003).
/// </summary>
public sealed record AuditC
{
    public const int ItemCount = 3;
    public const int MaxItemScore = 4;
    public const int MaxTotal = ItemCount * MaxItemScore;
    public const int MalePositiveThreshold = 4;
    public const int FemalePositiveThreshold = 3;

    private readonly int[] items;

    public AuditC(IReadOnlyList<int> items, AuditCSex sex)
    {
        this.items = InstrumentItems.Validate(items, ItemCount, MaxItemScore, "AUDIT-C");
        if (!Enum.IsDefined(sex))
        {
            throw new ArgumentOutOfRangeException(nameof(sex), "AUDIT-C sex is Unknown, Female or Male.");
        }

        Sex = sex;
    }

    public IReadOnlyList<int> Items => items;

    public AuditCSex Sex { get; }

    public int Total => items.Sum();

    public bool IsPositive => IsPositiveScore(Total, Sex);

    public static int PositiveThreshold(AuditCSex sex) => sex == AuditCSex.Male ? MalePositiveThreshold : FemalePositiveThreshold;

    public static bool IsPositiveScore(int total, AuditCSex sex)
    {
        InstrumentItems.CheckTotal(total, MaxTotal, "AUDIT-C");
        return total >= PositiveThreshold(sex);
    }

    public bool Equals(AuditC? other) => other is not null && Sex == other.Sex && items.SequenceEqual(other.items);

    public override int GetHashCode() => HashCode.Combine(Sex, InstrumentItems.Hash(items));
}
