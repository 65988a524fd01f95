using Mets.Domain.CareGaps;

namespace Mets.Domain.Tests.CareGaps;

public class CareGapTests
{
    private static readonly DateOnly D = new(2026, 3, 1);

    [Fact]
    public void Summary_WithReplacesByMeasureAndCounts()
    {
        var summary = CareGapSummary.None
            .With(new CareGap("FUH-7", CareGapStatus.Open, D, null))
            .With(new CareGap("AMM-ACUTE", CareGapStatus.Open, D, null));
        summary = summary.With(summary.Gaps[0].CloseOn(D.AddDays(5)));

        Assert.Equal((2, 1, 1), (summary.Identified, summary.Open, summary.Closed));
    }

    [Theory]
    [InlineData("fuh-7")]
    [InlineData("F")]
    [InlineData("FUH 7")]
    public void Ctor_BadMeasure_Throws(string measure)
    {
        Assert.Throws<ArgumentException>(() => new CareGap(measure, CareGapStatus.Open, D, null));
    }

    [Fact]
    public void Ctor_InconsistentClosure_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CareGap("FUH-7", CareGapStatus.Closed, D, null));
        Assert.Throws<ArgumentException>(() => new CareGap("FUH-7", CareGapStatus.Open, D, D));
        Assert.Throws<ArgumentException>(() => new CareGap("FUH-7", CareGapStatus.Closed, D, D.AddDays(-1)));
    }
}
