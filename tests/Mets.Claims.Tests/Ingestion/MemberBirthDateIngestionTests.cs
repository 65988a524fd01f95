using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;

namespace Mets.Claims.Tests.Ingestion;

/// <summary>Age limits applied to real files: the readers fill the birth date, the store keeps it, the measures use it.</summary>
public class MemberBirthDateIngestionTests
{
    [Fact]
    public async Task IngestAsync_X12StayOfAFourYearOld_HasNoFuhOrFumGapBecauseTheDmgSaysSo()
    {
        // bh-institutional.837i: MBH0001, acute psychiatric stay 2026-02-01..2026-02-06 (F33.2) and an ED visit on
        // 2026-03-01 (F20.0). With the fixture's DMG*D8*19900101 the member is 36: FUH and FUM gaps. The same file
        // with DMG*D8*20210601: 4 on 2026-02-06 and on 2026-03-01, under FUH's and FUM's 6: neither measure applies.
        var fixture = await File.ReadAllTextAsync(TestFiles.DataPath("x12-837", "bh", "bh-institutional.837i"));
        Assert.Contains("DMG*D8*19900101*F~", fixture, StringComparison.Ordinal);
        var child = fixture.Replace("DMG*D8*19900101*F~", "DMG*D8*20210601*F~", StringComparison.Ordinal);

        var adultGaps = await GapsAsync("adult.837i", fixture, "MBH0001");
        var childGaps = await GapsAsync("child.837i", child, "MBH0001");

        Assert.Contains(adultGaps, g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);
        Assert.Contains(adultGaps, g => g.Measure == CareGapMeasure.FollowUpAfterEmergencyMentalIllness7);
        Assert.All(adultGaps, g => Assert.DoesNotContain("age:unknown", g.Evidence));
        Assert.DoesNotContain(childGaps, g => g.Measure is CareGapMeasure.FollowUpAfterHospitalization7 or CareGapMeasure.FollowUpAfterHospitalization30
            or CareGapMeasure.FollowUpAfterEmergencyMentalIllness7 or CareGapMeasure.FollowUpAfterEmergencyMentalIllness30);
    }

    [Theory]
    [InlineData("2008-04-30", true)] // 18 on 2026-04-30, the end of the intake period holding the 2025-11-03 index fill
    [InlineData("2008-05-01", false)] // 17 on 2026-04-30: not in AMM
    public async Task IngestAsync_CsvWithBirthDates_AppliesAmmsAgeOnAprilThirty(string birth, bool counted)
    {
        // Major depression visit 2025-10-31, antidepressant fills (sertraline, 30 days) 2025-11-03, 12-03, 2026-01-02, 02-01.
        var csv = "claim_id,line_number,member_id,member_birth_date,claim_type,service_from,procedure_code,dx1,ndc,days_supply,paid_amount\n" +
                  $"V1,1,M1,{birth},professional,2025-10-31,99214,F32.9,,,80\n" +
                  $"R1,1,M1,{birth},pharmacy,2025-11-03,,,00049491030,30,10\n" +
                  $"R2,1,M1,{birth},pharmacy,2025-12-03,,,00049491030,30,10\n" +
                  $"R3,1,M1,{birth},pharmacy,2026-01-02,,,00049491030,30,10\n" +
                  $"R4,1,M1,{birth},pharmacy,2026-02-01,,,00049491030,30,10\n";

        var gaps = await GapsAsync("amm.csv", csv, "M1", now: new DateTimeOffset(2026, 3, 13, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(counted, gaps.Any(g => g.Measure == CareGapMeasure.AntidepressantAcutePhase));
    }

    [Fact]
    public async Task IngestAsync_EligibilityBirthDate_IsPreferredToTheClaimsAndKeptWhenResentWithout()
    {
        // The claims say the member was born 1990-01-01 (adult: FUH applies); the plan's eligibility file says
        // 2021-06-01 (4 on the 2026-02-06 discharge: FUH does not). Enrollment data wins. Re-sending the span
        // without the column keeps the birth date on file.
        using var host = new ClaimsTestHost();
        await using (var claims = File.OpenRead(TestFiles.DataPath("x12-837", "bh", "bh-institutional.837i")))
        {
            await host.Ingestor.IngestAsync("bh-institutional.837i", claims, CancellationToken.None);
        }

        Assert.Contains(await host.Store.GetCareGapsAsync("MBH0001", CancellationToken.None), g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);

        var eligibility = "member_id,plan,coverage_start,coverage_end,member_birth_date\nMBH0001,MEDICAID,2025-01-01,,2021-06-01\n";
        var result = await host.Ingestor.IngestAsync("eligibility.csv", TestFiles.Text(eligibility), CancellationToken.None);
        Assert.Equal(ClaimsFileOutcome.Processed, result.Outcome);
        Assert.DoesNotContain(await host.Store.GetCareGapsAsync("MBH0001", CancellationToken.None), g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);

        await host.Ingestor.IngestAsync("eligibility-2.csv", TestFiles.Text("member_id,plan,coverage_start,coverage_end\nMBH0001,MEDICAID,2025-01-01,2026-12-31\n"), CancellationToken.None);
        var member = await host.Store.GetMemberAsync("MBH0001", null, CancellationToken.None);
        var span = Assert.Single(member.Eligibility);
        Assert.Equal((new DateOnly(2021, 6, 1), new DateOnly(2026, 12, 31)), (span.MemberBirthDate, span.CoverageEnd));
    }

    [Fact]
    public async Task Open_DatabaseWithoutTheEligibilityBirthDateColumn_AddsItAndKeepsTheSpans()
    {
        // The host's store has not opened its database yet: write one as the store did before birth dates.
        using var host = new ClaimsTestHost();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={host.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE staged_eligibility (seq INTEGER PRIMARY KEY AUTOINCREMENT, file_hash TEXT NOT NULL, member_id TEXT NOT NULL, plan TEXT NOT NULL,
                    coverage_start TEXT NOT NULL, coverage_end TEXT);
                CREATE TABLE eligibility (member_id TEXT NOT NULL, plan TEXT NOT NULL, coverage_start TEXT NOT NULL, coverage_end TEXT, file_hash TEXT NOT NULL,
                    PRIMARY KEY (member_id, plan, coverage_start));
                INSERT INTO eligibility VALUES ('M1', 'MEDICAID', '2025-01-01', NULL, 'oldfile');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var store = host.Sqlite;
        var span = Assert.Single((await store.GetMemberAsync("M1", null, CancellationToken.None)).Eligibility);
        Assert.Equal((new DateOnly(2025, 1, 1), (DateOnly?)null), (span.CoverageStart, span.MemberBirthDate));

        await store.BeginFileAsync("newfile", "e.csv", ClaimsFileKind.EligibilityCsv, null, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await store.StageAsync("newfile", [], [span with { MemberBirthDate = new DateOnly(2000, 2, 29) }], ClaimsFileProgress.None, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await store.CommitAsync("newfile", ClaimsFileCounts.Empty, [], [], ClaimsFileProgress.None, new DateOnly(2026, 3, 1), DateTimeOffset.UnixEpoch, CancellationToken.None);

        Assert.Equal(new DateOnly(2000, 2, 29), Assert.Single((await store.GetMemberAsync("M1", null, CancellationToken.None)).Eligibility).MemberBirthDate);
    }

    private static async Task<IReadOnlyList<CareGap>> GapsAsync(string fileName, string content, string member, DateTimeOffset? now = null)
    {
        using var host = new ClaimsTestHost(now);
        var result = await host.Ingestor.IngestAsync(fileName, TestFiles.Text(content), CancellationToken.None);
        Assert.Equal(ClaimsFileOutcome.Processed, result.Outcome);
        return await host.Store.GetCareGapsAsync(member, CancellationToken.None);
    }
}
