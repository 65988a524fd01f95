using System.Text.Json;
using Mets.Domain.Assessments;

namespace Mets.Domain.Tests.Assessments;

public class InstrumentTests
{
    [Theory]
    [InlineData(0, Phq9Band.Minimal)]
    [InlineData(4, Phq9Band.Minimal)]
    [InlineData(5, Phq9Band.Mild)]
    [InlineData(9, Phq9Band.Mild)]
    [InlineData(10, Phq9Band.Moderate)]
    [InlineData(14, Phq9Band.Moderate)]
    [InlineData(15, Phq9Band.ModeratelySevere)]
    [InlineData(19, Phq9Band.ModeratelySevere)]
    [InlineData(20, Phq9Band.Severe)]
    [InlineData(27, Phq9Band.Severe)]
    public void Phq9_BandBoundaries(int total, Phq9Band expected)
    {
        Assert.Equal(expected, Phq9.BandFor(total));
        var phq9 = new Phq9(Spread(total, Phq9.ItemCount, Phq9.MaxItemScore));
        Assert.Equal(total, phq9.Total);
        Assert.Equal(expected, phq9.Band);
        Assert.Equal(total >= 10, phq9.IsPositiveScreen);
    }

    [Theory]
    [InlineData(0, Gad7Band.Minimal)]
    [InlineData(4, Gad7Band.Minimal)]
    [InlineData(5, Gad7Band.Mild)]
    [InlineData(9, Gad7Band.Mild)]
    [InlineData(10, Gad7Band.Moderate)]
    [InlineData(14, Gad7Band.Moderate)]
    [InlineData(15, Gad7Band.Severe)]
    [InlineData(21, Gad7Band.Severe)]
    public void Gad7_BandBoundaries(int total, Gad7Band expected)
    {
        Assert.Equal(expected, Gad7.BandFor(total));
        var gad7 = new Gad7(Spread(total, Gad7.ItemCount, Gad7.MaxItemScore));
        Assert.Equal(expected, gad7.Band);
        Assert.Equal(total >= 10, gad7.IsPositiveScreen);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(28)]
    public void Phq9_BandForOutOfRange_Throws(int total)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Phq9.BandFor(total));
    }

    [Fact]
    public void Gad7_BandForOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gad7.BandFor(22));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gad7.BandFor(-1));
    }

    [Fact]
    public void Phq9_WrongItemCountOrScore_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Phq9([0, 0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Phq9([0, 0, 0, 0, 4, 0, 0, 0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gad7([0, 0, 0, -1, 0, 0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditC([5, 0, 0], AuditCSex.Male));
    }

    [Theory]
    [InlineData(2, AuditCSex.Female, false)]
    [InlineData(3, AuditCSex.Female, true)]
    [InlineData(3, AuditCSex.Male, false)]
    [InlineData(4, AuditCSex.Male, true)]
    [InlineData(2, AuditCSex.Unknown, false)]
    [InlineData(3, AuditCSex.Unknown, true)]
    [InlineData(12, AuditCSex.Male, true)]
    [InlineData(0, AuditCSex.Female, false)]
    public void AuditC_SexSpecificThresholds(int total, AuditCSex sex, bool positive)
    {
        Assert.Equal(positive, AuditC.IsPositiveScore(total, sex));
        Assert.Equal(positive, new AuditC(Spread(total, AuditC.ItemCount, AuditC.MaxItemScore), sex).IsPositive);
    }

    [Theory]
    [InlineData(false, false, false, false, false, SuicidalBehavior.None, CssrsRisk.None)]
    [InlineData(true, false, false, false, false, SuicidalBehavior.None, CssrsRisk.Low)]
    [InlineData(false, true, false, false, false, SuicidalBehavior.None, CssrsRisk.Low)]
    [InlineData(true, true, true, false, false, SuicidalBehavior.None, CssrsRisk.Moderate)]
    [InlineData(false, false, false, false, false, SuicidalBehavior.MoreThanThreeMonthsAgo, CssrsRisk.Moderate)]
    [InlineData(true, true, false, true, false, SuicidalBehavior.None, CssrsRisk.High)]
    [InlineData(true, true, true, false, true, SuicidalBehavior.None, CssrsRisk.High)]
    [InlineData(false, false, false, false, false, SuicidalBehavior.WithinPastThreeMonths, CssrsRisk.High)]
    public void Cssrs_ColumbiaTriage(bool q1, bool q2, bool q3, bool q4, bool q5, SuicidalBehavior q6, CssrsRisk expected)
    {
        Assert.Equal(expected, new CssrsScreener(q1, q2, q3, q4, q5, q6).Risk);
    }

    [Theory]
    [InlineData(0, CssrsRisk.None, false)]
    [InlineData(1, CssrsRisk.None, true)]
    [InlineData(0, CssrsRisk.Low, false)]
    [InlineData(0, CssrsRisk.Moderate, true)]
    [InlineData(0, CssrsRisk.High, true)]
    public void HasSafetyRisk_Item9OrCssrsModerateHigh(int item9, CssrsRisk cssrs, bool expected)
    {
        var scores = new AssessmentScores(new Phq9([0, 0, 0, 0, 0, 0, 0, 0, item9]), null, null, Screener(cssrs), null, null);

        Assert.Equal(expected, scores.HasSafetyRisk);
    }

    [Fact]
    public void AssessmentScores_NormalizesListsAndRoundTripsThroughJson()
    {
        var scores = new AssessmentScores(
            new Phq9([1, 2, 3, 0, 1, 2, 3, 0, 1]), new Gad7([3, 3, 3, 3, 0, 0, 0]), new AuditC([1, 1, 2], AuditCSex.Female),
            new CssrsScreener(true, false, false, false, false, SuicidalBehavior.None),
            [SocialNeedDomain.Utilities, SocialNeedDomain.HousingInstability, SocialNeedDomain.Utilities],
            [ProgramBarrier.SocialDeterminants, ProgramBarrier.MedicationNonadherence]);

        var back = JsonSerializer.Deserialize<AssessmentScores>(JsonSerializer.Serialize(scores))!;

        Assert.Equal([SocialNeedDomain.HousingInstability, SocialNeedDomain.Utilities], scores.SocialNeeds);
        Assert.Equal(scores, back);
        Assert.Equal(13, back.Phq9!.Total);
        Assert.Equal(CssrsRisk.Low, back.Cssrs!.Risk);
    }

    [Fact]
    public void Deserialize_OutOfRangeItem_Throws()
    {
        const string json = "{\"Items\":[0,0,0,0,0,0,0,0,9]}";

        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<Phq9>(json));
    }

    internal static CssrsScreener? Screener(CssrsRisk risk) => risk switch
    {
        CssrsRisk.None => new CssrsScreener(false, false, false, false, false, SuicidalBehavior.None),
        CssrsRisk.Low => new CssrsScreener(true, false, false, false, false, SuicidalBehavior.None),
        CssrsRisk.Moderate => new CssrsScreener(true, true, true, false, false, SuicidalBehavior.None),
        _ => new CssrsScreener(true, true, true, true, true, SuicidalBehavior.None),
    };

    /// <summary>Item scores adding up to <paramref name="total"/>, filled from the first item.</summary>
    internal static int[] Spread(int total, int count, int max)
    {
        var items = new int[count];
        for (var i = 0; i < count && total > 0; i++)
        {
            items[i] = Math.Min(max, total);
            total -= items[i];
        }

        return items;
    }
}
