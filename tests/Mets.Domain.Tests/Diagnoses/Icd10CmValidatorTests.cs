using Mets.Domain.Diagnoses;

namespace Mets.Domain.Tests.Diagnoses;

public class Icd10CmValidatorTests
{
    private static readonly DateOnly Fy2026 = new(2025, 10, 1);
    private static readonly DateOnly Fy2025 = new(2024, 10, 1);

    private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "icd10cm", name);

    private static Icd10CmValidator TwoReleases()
    {
        using var order = File.OpenText(Sample("icd10cm_order_sample_2026.txt"));
        using var codes = File.OpenText(Sample("icd10cm_codes_sample_2025.txt"));
        return new Icd10CmValidator([Icd10CmCodeSet.Load(order, Fy2026), Icd10CmCodeSet.Load(codes, Fy2025)]);
    }

    [Fact]
    public void Load_OrderFile_KeepsValidCodesAndHeadersApart()
    {
        using var order = File.OpenText(Sample("icd10cm_order_sample_2026.txt"));

        var release = Icd10CmCodeSet.Load(order, Fy2026);

        Assert.Equal(10, release.Count);
        Assert.True(release.Contains("F32A"));
        Assert.True(release.Contains("U099"));
        Assert.False(release.Contains("F32"));
        Assert.True(release.IsHeader("F32"));
        Assert.True(release.IsHeader("M1A071"));
    }

    [Fact]
    public void Load_CodeFile_ReadsEveryCode()
    {
        using var codes = File.OpenText(Sample("icd10cm_codes_sample_2025.txt"));

        var release = Icd10CmCodeSet.Load(codes, Fy2025);

        Assert.Equal(8, release.Count);
        Assert.True(release.Contains("T401X1A"));
        Assert.False(release.Contains("U099"));
    }

    [Theory]
    [InlineData("00001 F32     0 Depressive episode\n00002 F3X9    1 Not a code\n", 2)]
    [InlineData("F329    Major depressive disorder\n\nF32.9   Dotted code\n", 3)]
    [InlineData("just some text\n", 1)]
    public void Load_LineThatIsNeitherLayout_NamesTheLine(string content, int line)
    {
        var error = Assert.Throws<FormatException>(() => Icd10CmCodeSet.Load(new StringReader(content), Fy2026));

        Assert.StartsWith($"Line {line} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoValidCode_IsAnError()
    {
        Assert.Throws<FormatException>(() => Icd10CmCodeSet.Load(new StringReader("00001 F32     0 Depressive episode\n"), Fy2026));
    }

    [Theory]
    [InlineData("2025-10-01", "F32A", true)]    // in the release effective 2025-10-01
    [InlineData("2025-09-30", "F32A", false)]   // the day before: the earlier release, which lacks it
    [InlineData("2026-06-30", "U099", true)]
    [InlineData("2025-03-01", "U099", false)]
    [InlineData("2025-03-01", "U071", true)]
    [InlineData("2025-03-01", "F339", false)]   // well formed, in neither release
    [InlineData("2024-09-30", "F339", true)]    // before the earliest configured release: structure only
    public void IsValidOn_PicksTheReleaseInEffectOnTheDateOfService(string dateOfService, string code, bool valid)
    {
        var validator = TwoReleases();

        var result = validator.IsValidOn(code, DateOnly.Parse(dateOfService, System.Globalization.CultureInfo.InvariantCulture), out var reason);

        Assert.Equal(valid, result);
        Assert.Equal(valid, reason.Length == 0);
        Assert.DoesNotContain(code, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValidOn_HeaderCode_SaysAMoreSpecificCodeIsNeeded()
    {
        Assert.False(TwoReleases().IsValidOn("F33", new DateOnly(2026, 1, 5), out var reason));

        Assert.Contains("header", reason, StringComparison.Ordinal);
        Assert.Contains("effective 2025-10-01", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_StructureThenMembership()
    {
        var validator = TwoReleases();
        var date = new DateOnly(2026, 1, 5);

        Assert.True(validator.TryValidate("F32A", IcdCodeNotation.WithoutDecimalPoint, date, out var code, out _));
        Assert.Equal("F32A", code);
        Assert.False(validator.TryValidate("F3X9", IcdCodeNotation.WithoutDecimalPoint, date, out _, out var structure));
        Assert.Contains("third character", structure, StringComparison.Ordinal);
        Assert.False(validator.TryValidate("F32.A", IcdCodeNotation.WithoutDecimalPoint, date, out _, out var point));
        Assert.Contains("decimal point", point, StringComparison.Ordinal);
        Assert.False(validator.TryValidate("F339", IcdCodeNotation.WithoutDecimalPoint, date, out _, out var member));
        Assert.Contains("not in the ICD-10-CM code set", member, StringComparison.Ordinal);
        Assert.True(Icd10CmValidator.StructureOnly.TryValidate("F339", IcdCodeNotation.WithoutDecimalPoint, date, out _, out _));
    }

    [Fact]
    public void Constructor_TwoReleasesOnTheSameDate_IsRefused()
    {
        var a = Icd10CmCodeSet.From(Fy2026, ["F329"]);
        var b = Icd10CmCodeSet.From(Fy2026, ["F329"]);

        Assert.Throws<ArgumentException>(() => new Icd10CmValidator([a, b]));
    }
}
