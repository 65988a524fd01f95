using System.Text.Json.Serialization;

namespace Mets.Domain.CareGaps;

[JsonConverter(typeof(JsonStringEnumConverter<CareGapStatus>))]
public enum CareGapStatus
{
    Open,
    Closed,
}

/// <summary>
/// One HEDIS-style care gap for the member, by measure code (e.g. <c>FUH-7</c>, <c>AMM-ACUTE</c>,
/// <c>PDC-ANTIDEP</c>): 2-24 upper-case letters, digits and hyphens.
/// </summary>
public sealed record CareGap
{
    public CareGap(string measure, CareGapStatus status, DateOnly identifiedOn, DateOnly? closedOn)
    {
        if (!IsMeasureCode(measure))
        {
            throw new ArgumentException("A care-gap measure code is 2-24 upper-case letters, digits and hyphens.", nameof(measure));
        }

        if (status == CareGapStatus.Closed != closedOn.HasValue)
        {
            throw new ArgumentException("A closed care gap has a closed-on date and an open one has none.", nameof(closedOn));
        }

        if (closedOn < identifiedOn)
        {
            throw new ArgumentException("A care gap cannot close before it was identified.", nameof(closedOn));
        }

        Measure = measure;
        Status = status;
        IdentifiedOn = identifiedOn;
        ClosedOn = closedOn;
    }

    public string Measure { get; }

    public CareGapStatus Status { get; }

    public DateOnly IdentifiedOn { get; }

    public DateOnly? ClosedOn { get; }

    /// <summary>True for 2-24 upper-case ASCII letters, digits and hyphens.</summary>
    public static bool IsMeasureCode(string? measure) =>
        measure is { Length: >= 2 and <= 24 } && measure.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '-');

    public CareGap CloseOn(DateOnly date) => new(Measure, CareGapStatus.Closed, IdentifiedOn, date);
}

/// <summary>The member's care gaps as the case document shows them, one per measure.</summary>
public sealed record CareGapSummary(IReadOnlyList<CareGap> Gaps)
{
    public static CareGapSummary None { get; } = new([]);

    /// <summary>Gaps ever identified during the engagement.</summary>
    public int Identified => Gaps.Count;

    public int Open => Gaps.Count(g => g.Status == CareGapStatus.Open);

    public int Closed => Gaps.Count(g => g.Status == CareGapStatus.Closed);

    /// <summary>Adds the gap, or replaces the one with the same measure.</summary>
    public CareGapSummary With(CareGap gap)
    {
        ArgumentNullException.ThrowIfNull(gap);
        return new CareGapSummary([.. Gaps.Where(g => g.Measure != gap.Measure), gap]);
    }
}
