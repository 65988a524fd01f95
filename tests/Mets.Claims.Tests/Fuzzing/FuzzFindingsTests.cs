using Mets.Claims.Ingestion;

namespace Mets.Claims.Tests.Fuzzing;

/// <summary>Regression tests for what the claims fuzzer found (docs/reliability.md, "Fuzzing"): each failed before its fix.</summary>
public class FuzzFindingsTests
{
    /// <summary>Corpus seed 20261207, files 7895 and 9600: a first line naming an eligibility column twice made the kind
    /// detection throw before the file was recorded, so the exception escaped the ingest (the inbox then quarantined the
    /// file as "processing failed" without a reason).</summary>
    [Theory]
    [InlineData("member_id,plan,coverage_start,coverage_end,member\nM1,P,2026-01-01,\n")]
    [InlineData("claim_id,line_number,member_id,member,claim_type,service_from,paid_amount\nC1,1,M1,M1,professional,2026-01-01,1\n")]
    [InlineData("member_id,plan,coverage_start,coverage_end;member_id,plan,coverage_start,coverage_end;M1,P,2026-01-01,")]
    public async Task IngestAsync_HeaderNamingAColumnTwice_IsQuarantinedWithTheReason(string content)
    {
        using var host = new ClaimsTestHost();

        var result = await host.Ingestor.IngestAsync("twice.csv", TestFiles.Text(content), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains("more than once", result.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal(0, result.ClaimsApplied);
    }
}
