using Mets.Claims.Reading.Csv;

namespace Mets.Claims.Tests.Reading.Csv;

public class EligibilityCsvReaderTests
{
    [Fact]
    public void Read_ValidRows_YieldsCoverageSpans()
    {
        var csv = "Member_ID,Plan,Coverage_Start,Coverage_End\nM1,MEDICAID,2026-01-01,2026-06-30\nM2,MEDICAID,20260201,\n";

        var spans = EligibilityCsvReader.Read(TestFiles.Text(csv)).Select(o => o.Span).ToList();

        Assert.Equal(2, spans.Count);
        Assert.Equal(new DateOnly(2026, 6, 30), spans[0]!.CoverageEnd);
        Assert.Null(spans[1]!.CoverageEnd);
        Assert.True(spans[1]!.Covers(new DateOnly(2030, 1, 1)));
    }

    [Fact]
    public void Read_EndBeforeStart_RejectsTheRow()
    {
        var csv = $"member_id,plan,coverage_start,coverage_end\n{TestFiles.Sentinel.MemberId},P,2026-05-01,2026-04-01\n";

        var outcome = Assert.Single(EligibilityCsvReader.Read(TestFiles.Text(csv)));

        Assert.Null(outcome.Span);
        var reject = Assert.Single(outcome.Rejects);
        Assert.Equal(("row 2", "coverage_end"), (reject.Location, reject.Field));
        Assert.DoesNotContain(TestFiles.Sentinel.MemberId, reject.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingCoverageEndColumn_IsAStructureError()
    {
        var csv = "member_id,plan,coverage_start\nM1,P,2026-01-01\n";

        Assert.Throws<ClaimsFileStructureException>(() => EligibilityCsvReader.Read(TestFiles.Text(csv)).ToList());
    }
}
