using Mets.Claims.Acknowledgments;
using Mets.Claims.Ingestion;
using Mets.Claims.Reading.X12;
using Mets.Claims.Storage;

namespace Mets.Claims.Tests.Ingestion;

/// <summary>Envelope outcomes through the ingestor: what is applied, what is quarantined and with which reason,
/// and the acknowledgment in the result and in the file's record.</summary>
public class X12IngestionTests
{
    private static string Professional => File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));

    [Theory]
    [InlineData("%PDF-1.7\n%binary\0\0\0 content")]
    [InlineData("This is a letter, not a claims file.\nRegards\n")]
    [InlineData("GS*HC*SENDER*RECEIVER*20260301*1200*1*X*005010X222A1~ST*837*0001~")]
    public async Task IngestAsync_NeitherX12NorCsv_IsQuarantinedAsAnUnknownFormat(string content)
    {
        using var host = new ClaimsTestHost();

        var result = await host.Ingestor.IngestAsync("mystery.dat", TestFiles.Text(content), CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Quarantined, ClaimsFileKind.Unknown), (result.Outcome, result.Kind));
        Assert.StartsWith("Unknown format: the file is neither X12", result.QuarantineReason, StringComparison.Ordinal);
        Assert.DoesNotContain("column", result.QuarantineReason!.Replace("names none of their columns", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal((0, ClaimsFileCounts.Empty), (result.ClaimsApplied, result.Counts));
        Assert.Null(result.Acknowledgment);
    }

    [Fact]
    public async Task IngestAsync_QuarantinedFile_ShowsZeroClaimsApplied()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.10m });
        var csv = new ClaimsCsvBuilder().Visit("V1", "M1", "2026-03-01", "F32.1").Visit("V2", "M1", "2026-03-02", "F3X9").ToString();

        var result = await host.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Equal(1, result.Counts.ClaimsAccepted);
        Assert.Equal(0, result.ClaimsApplied);
        Assert.Equal(0, (await host.Store.GetFileAsync(result.ContentHash, CancellationToken.None))!.ClaimsApplied);
        Assert.Equal(0, await host.Sqlite.CountAsync("claims_current", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_ProcessedX12_Returns999AndKeepsItWithTheFileRecord()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.25m });

        var result = await host.Ingestor.IngestAsync("bh.837", TestFiles.Text(Professional), CancellationToken.None);
        var again = await host.Ingestor.IngestAsync("bh-again.837", TestFiles.Text(Professional), CancellationToken.None);
        var other = await host.Ingestor.IngestAsync("one.837", TestFiles.Text(X12Samples.File(X12Samples.Set("0001", "A"))), CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Processed, 4), (result.Outcome, result.ClaimsApplied));
        var ack = result.Acknowledgment!;
        Assert.Equal((ClaimsAcknowledgmentKind.Implementation999, X12AcknowledgmentCode.AcceptedWithErrors, "000000001", ".999"), (ack.Kind, ack.Code, ack.ControlNumber, ack.FileExtension));
        Assert.Equal(ack, (await host.Store.GetFileAsync(result.ContentHash, CancellationToken.None))!.Acknowledgment);
        Assert.Equal((ClaimsFileOutcome.Duplicate, ack), (again.Outcome, again.Acknowledgment));
        Assert.Equal(("000000003", X12AcknowledgmentCode.Accepted), (other.Acknowledgment!.ControlNumber, other.Acknowledgment.Code));   // the first took ISA13 1 and GS06 2
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Message.Contains("acknowledgment 999 E, control number 000000001", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("*ZZ*METSTEST       *", "*ZZ*METSTEST*", "The ISA segment is malformed: ISA06 has 8 characters", "006")]
    [InlineData("IEA*1*000000101~", "IEA*1*000000999~", "IEA02 does not match the ISA13 control number", "001")]
    public async Task IngestAsync_BrokenInterchange_QuarantinesWithTheReasonAndATa1(string original, string broken, string reason, string noteCode)
    {
        using var host = new ClaimsTestHost();

        var result = await host.Ingestor.IngestAsync("bh.837", TestFiles.Text(Professional.Replace(original, broken, StringComparison.Ordinal)), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains(reason, result.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal(0, result.ClaimsApplied);
        Assert.Equal((ClaimsAcknowledgmentKind.InterchangeTa1, ".ta1"), (result.Acknowledgment!.Kind, result.Acknowledgment.FileExtension));
        Assert.Contains($"*R*{noteCode}~", result.Acknowledgment.Content, StringComparison.Ordinal);
        Assert.Equal(0, await host.Sqlite.CountAsync("claim_versions", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_WrongSegmentTerminator_IsQuarantinedForThatNotForTruncation()
    {
        using var host = new ClaimsTestHost();
        var text = Professional[..106] + Professional[106..].Replace("~", string.Empty, StringComparison.Ordinal);

        var result = await host.Ingestor.IngestAsync("bh.837", TestFiles.Text(text), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains("segment terminator the ISA declares", result.QuarantineReason, StringComparison.Ordinal);
        Assert.Contains("*R*004~", result.Acknowledgment!.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestAsync_SetRejectedAtItsTrailer_AppliesTheOtherSetOnly()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.9m, StageBatchSize = 1 });
        var bad = X12Samples.Set("0002", "B", claims: 2, member: "MX12002");
        bad[^1] = "SE*3*0002";

        var result = await host.Ingestor.IngestAsync("two.837", TestFiles.Text(X12Samples.File(X12Samples.Set("0001", "A"), bad)), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Processed, result.Outcome);
        Assert.Equal((3, 1, 2, 1), (result.Counts.ClaimsRead, result.Counts.ClaimsAccepted, result.Counts.ClaimsRejected, result.ClaimsApplied));
        Assert.Equal(["A1"], (await host.Store.GetMemberAsync(X12Samples.Member, null, CancellationToken.None)).CurrentClaims.Select(c => c.ClaimId));
        Assert.Empty((await host.Store.GetMemberAsync("MX12002", null, CancellationToken.None)).CurrentClaims);
        Assert.Equal(1, await host.Sqlite.CountAsync("claim_versions", CancellationToken.None));
        Assert.Contains(result.Rejects, r => r.Field == "ST" && r.Reason.StartsWith("transaction set rejected (999 IK5 R, code 4)", StringComparison.Ordinal));
        Assert.Equal(X12AcknowledgmentCode.PartiallyAccepted, result.Acknowledgment!.Code);
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Message.Contains("staging the file again without it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IngestAsync_EveryTransactionSetRejected_IsQuarantinedWith999()
    {
        using var host = new ClaimsTestHost();
        var text = Professional.Replace("SE*54*0001~", "SE*53*0001~", StringComparison.Ordinal);

        var result = await host.Ingestor.IngestAsync("bh.837", TestFiles.Text(text), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains("SE01 does not match", result.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal((ClaimsAcknowledgmentKind.Implementation999, X12AcknowledgmentCode.Rejected), (result.Acknowledgment!.Kind, result.Acknowledgment.Code));
        Assert.Equal(0, result.ClaimsApplied);
    }

    [Fact]
    public async Task IngestAsync_CrashAfterCommitThenRetry_SendsTheSameAcknowledgment()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.25m });
        var crashing = new CrashingStore(host.Sqlite, crashOnAnalysisBatch: 1);
        await Assert.ThrowsAsync<IOException>(() => host.CreateIngestor(crashing).IngestAsync("bh.837", TestFiles.Text(Professional), CancellationToken.None));
        var stored = (await host.Store.GetFileAsync(ContentHash(Professional), CancellationToken.None))!;
        Assert.Equal(ClaimsFileStatus.Committed, stored.Status);

        var retried = await host.Ingestor.IngestAsync("bh.837", TestFiles.Text(Professional), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Processed, retried.Outcome);
        Assert.Equal(stored.Acknowledgment, retried.Acknowledgment);
        Assert.Equal(3, await host.Sqlite.ReserveAcknowledgmentNumbersAsync(1, CancellationToken.None));   // numbers 1-2 used once
    }

    [Fact]
    public async Task IngestAsync_StoreWithoutAcknowledgments_StillReturnsOneNumberedFromTheContent()
    {
        using var host = new ClaimsTestHost();
        using var other = new ClaimsTestHost();

        var result = await host.CreateIngestor(new ForwardingStore(host.Sqlite)).IngestAsync("bh.837", TestFiles.Text(Professional), CancellationToken.None);
        var again = await other.CreateIngestor(new ForwardingStore(other.Sqlite)).IngestAsync("bh.837", TestFiles.Text(Professional), CancellationToken.None);

        Assert.NotNull(result.Acknowledgment);
        Assert.Null((await host.Store.GetFileAsync(result.ContentHash, CancellationToken.None))!.Acknowledgment);
        Assert.Equal(result.Acknowledgment.ControlNumber, again.Acknowledgment!.ControlNumber);
    }

    [Fact]
    public async Task IngestAsync_X12WithPhi_KeepsItOutOfReportsLogsAndTheAcknowledgment()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.9m });
        var text = X12Samples.File(X12Samples.Set("0001", "A", claims: 2, member: TestFiles.Sentinel.MemberId, principal: "F31.81", secondary: "F3181"))
            .Replace("DOE*JANE", "ZZSURNAME*ZZGIVEN", StringComparison.Ordinal).Replace("19800101", "19770707", StringComparison.Ordinal);

        var result = await host.Ingestor.IngestAsync("phi.837", TestFiles.Text(text), CancellationToken.None);

        Assert.NotEmpty(result.Rejects);
        var texts = result.Rejects.Concat(result.Warnings).Select(r => r.ToString())
            .Concat(host.Logs.GetSnapshot().Select(l => l.Message))
            .Append(result.QuarantineReason ?? string.Empty)
            .Append(result.Acknowledgment!.Content);
        Assert.All(texts, t =>
        {
            foreach (var value in new[] { TestFiles.Sentinel.MemberId, "ZZSURNAME", "ZZGIVEN", "19770707", TestFiles.Sentinel.Diagnosis, "F31.81" })
            {
                Assert.DoesNotContain(value, t, StringComparison.Ordinal);
            }
        });
    }

    private static string ContentHash(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
