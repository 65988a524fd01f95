using Mets.Workflow.Reports;

namespace Mets.Workflow.Tests.Reports;

/// <summary>Small-cell suppression of report counts: primary (1 to minimum - 1) and complementary (no recovery from totals).</summary>
public sealed class SuppressionTests
{
    private static ReportCells Table(long total, params long[] parts)
    {
        var cells = new ReportCells();
        cells.Count("total", "Total", total);
        for (var i = 0; i < parts.Length; i++)
        {
            cells.Count($"part{i}", $"Part {i}", parts[i]);
        }

        cells.Sum("total", [.. Enumerable.Range(0, parts.Length).Select(i => $"part{i}")]);
        return cells;
    }

    private static Dictionary<string, ReportFigure> Suppressed(ReportCells cells, int minimum = 11)
    {
        cells.Suppress(minimum);
        return cells.Figures().ToDictionary(f => f.Key);
    }

    [Fact]
    public void Suppress_OnePartUnderTheMinimum_HidesItAndTheNextSmallestPart()
    {
        // 40 = 25 + 12 + 3: 3 is hidden; 40 - 25 - 12 would give it back, so 12 (the smallest other) goes too.
        var figures = Suppressed(Table(40, 25, 12, 3));

        Assert.Equal((40m, false), (figures["total"].Value, figures["total"].Suppressed)!);
        Assert.Equal(25m, figures["part0"].Value);
        Assert.True(figures["part1"].Suppressed);
        Assert.True(figures["part2"].Suppressed);
        Assert.Null(figures["part1"].Value);
        Assert.Null(figures["part2"].Value);
    }

    [Fact]
    public void Suppress_TwoPartsAlreadyHidden_HidesNothingMore()
    {
        var figures = Suppressed(Table(40, 30, 6, 4));

        Assert.False(figures["part0"].Suppressed);
        Assert.True(figures["part1"].Suppressed && figures["part2"].Suppressed);
        Assert.False(figures["total"].Suppressed);
    }

    [Fact]
    public void Suppress_ZerosStayVisible_AndAreNotPickedAsTheComplement()
    {
        // 20 = 15 + 5 + 0: the 5 is hidden, the 0 tells nothing, so the 15 is hidden as the complement.
        var figures = Suppressed(Table(20, 15, 5, 0));

        Assert.Equal(0m, figures["part2"].Value);
        Assert.True(figures["part0"].Suppressed && figures["part1"].Suppressed);
    }

    [Fact]
    public void Suppress_OnlyPartIsHiddenAndTheRestAreZero_HidesTheTotal()
    {
        var figures = Suppressed(Table(5, 5, 0));

        Assert.True(figures["total"].Suppressed);
        Assert.True(figures["part0"].Suppressed);
        Assert.Equal(0m, figures["part1"].Value);
    }

    [Fact]
    public void Suppress_AComplementInOneRelation_CascadesIntoAnotherRelation()
    {
        // a = b + c (30 = 27 + 3) and b = d + e (27 = 15 + 12): hiding c hides b (the complement), which leaves b the
        // only hidden member of b = d + e, so the smaller of d and e (12) is hidden too. Without it, b = 15 + 12 and
        // c = 30 - 27 would be recovered.
        var cells = new ReportCells();
        cells.Count("a", "a", 30);
        cells.Count("b", "b", 27);
        cells.Count("c", "c", 3);
        cells.Count("d", "d", 15);
        cells.Count("e", "e", 12);
        cells.Sum("a", "b", "c");
        cells.Sum("b", "d", "e");
        var figures = Suppressed(cells);

        Assert.True(figures["c"].Suppressed);
        Assert.True(figures["b"].Suppressed);
        Assert.True(figures["e"].Suppressed);
        Assert.False(figures["d"].Suppressed);
        Assert.False(figures["a"].Suppressed);
    }

    [Fact]
    public void Suppress_MinimumOne_HidesNothing()
    {
        var figures = Suppressed(Table(4, 1, 3), minimum: 1);

        Assert.All(figures.Values, f => Assert.False(f.Suppressed));
    }

    [Fact]
    public void Ratio_OfAHiddenCount_IsHiddenToo()
    {
        var cells = Table(40, 37, 3);
        cells.Suppress(11);
        cells.Ratio("share", "Share", "part1", "total", 100m, FigureUnit.Percent);

        var share = cells.Figures().Single(f => f.Key == "share");
        Assert.True(share.Suppressed);
        Assert.Null(share.Value);
    }

    [Fact]
    public void Sum_PartsThatDoNotAddUp_IsRefused()
    {
        var cells = new ReportCells();
        cells.Count("total", "Total", 10);
        cells.Count("part", "Part", 9);

        Assert.Throws<InvalidOperationException>(() => cells.Sum("total", "part"));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(20)]
    public void AnyTable_AfterSuppression_NoHiddenCountIsRecoverableFromAVisibleTotal(int minimum)
    {
        // Every relation left with a visible total has either no hidden part or at least two (printed seed).
        const int seed = 20261202;
        var random = new Random(seed);
        for (var run = 0; run < 500; run++)
        {
            var parts = Enumerable.Range(0, random.Next(2, 7)).Select(_ => (long)random.Next(0, 40)).ToArray();
            var figures = Suppressed(Table(parts.Sum(), parts), minimum);
            var hiddenParts = Enumerable.Range(0, parts.Length).Count(i => figures[$"part{i}"].Suppressed);
            Assert.True(figures["total"].Suppressed || hiddenParts != 1, $"seed {seed}, run {run}: one hidden part under a visible total");
            Assert.All(Enumerable.Range(0, parts.Length), i => Assert.True(
                figures[$"part{i}"].Suppressed || parts[i] == 0 || parts[i] >= minimum, $"seed {seed}, run {run}: a small count shown"));
        }
    }
}
