using Mets.Claims.Reading;

namespace Mets.Claims.Tests.Reading;

public class ClaimCodesTests
{
    [Theory]
    [InlineData("2026-02-28", true)]
    [InlineData("20240229", true)]
    [InlineData("2026-02-29", false)]
    [InlineData("2026-13-01", false)]
    [InlineData("2026/01/01", false)]
    [InlineData("26-01-01", false)]
    [InlineData("2026-1-01", false)]
    [InlineData("", false)]
    public void TryParseDate_AcceptsOnlyRealIsoAndCompactDates(string text, bool valid)
    {
        Assert.Equal(valid, ClaimCodes.TryParseDate(text, out _));
    }

    [Theory]
    [InlineData("00002-3227-30", "00002322730")]
    [InlineData("0002-3227-30", "00002322730")]
    [InlineData("00002-327-30", "00002032730")]
    [InlineData("00002-3227-3", "00002322703")]
    [InlineData("00002322730", "00002322730")]
    public void TryNormalizeNdc_DashedForms_ArePaddedToElevenDigits(string text, string expected)
    {
        Assert.True(ClaimCodes.TryNormalizeNdc(text, out var code));
        Assert.Equal(expected, code);
    }

    [Fact]
    public void CodePoolsInTheReader_RejectTheSameInvalidCodeEveryTime()
    {
        var csv = Csv.ClaimsCsvReaderTests.Header + "\n" +
            "C1,1,,M1,professional,2026-03-02,,,,11,,,9083X1,,F32.1,,,,,,,,1,1,1,paid\n" +
            "C2,1,,M1,professional,2026-03-02,,,,11,,,9083X1,,F32.1,,,,,,,,1,1,1,paid\n" +
            "C3,1,,M1,professional,2026-03-02,,,,11,,,90837,,F32.1,,,,,,,,1,1,1,paid\n" +
            "C4,1,,M1,professional,2026-03-02,,,,11,,,90837,,F32.1,,,,,,,,1,1,1,paid\n";

        var outcomes = Mets.Claims.Reading.Csv.ClaimsCsvReader.Read(TestFiles.Text(csv)).ToList();

        Assert.Equal([false, false, true, true], outcomes.Select(o => o.IsAccepted));
        Assert.Same(outcomes[2].Claim!.Lines[0].ProcedureCode, outcomes[3].Claim!.Lines[0].ProcedureCode);
    }
}
