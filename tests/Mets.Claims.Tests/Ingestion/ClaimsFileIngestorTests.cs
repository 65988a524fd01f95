using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;

namespace Mets.Claims.Tests.Ingestion;

public class ClaimsFileIngestorTests
{
    private const string Sentinel = TestFiles.Sentinel.MemberId;

    [Fact]
    public async Task IngestAsync_BehavioralHealthX12Files_ProcessesClaimsAndReportsRejects()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.25m });
        await using var professional = File.OpenRead(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));
        await using var institutional = File.OpenRead(TestFiles.DataPath("x12-837", "bh", "bh-institutional.837i"));

        var first = await host.Ingestor.IngestAsync("bh-institutional.837i", institutional, CancellationToken.None);
        var second = await host.Ingestor.IngestAsync("bh-professional.837", professional, CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Processed, ClaimsFileKind.X12Claims), (first.Outcome, first.Kind));
        Assert.Equal(new ClaimsFileCounts(2, 2, 0, 3, 3, 0), first.Counts);
        Assert.Equal(ClaimsFileOutcome.Processed, second.Outcome);
        Assert.Equal((5, 4, 1), (second.Counts.ClaimsRead, second.Counts.ClaimsAccepted, second.Counts.ClaimsRejected));
        var reject = Assert.Single(second.Rejects);
        Assert.Equal("DTP*472", reject.Field);
        Assert.StartsWith("segment ", reject.Location, StringComparison.Ordinal);

        var gaps = await host.Store.GetCareGapsAsync("MBH0001", CancellationToken.None);
        // The stay discharged 2026-02-06; the therapy visit on 2026-02-10 closes FUH-7 and FUH-30.
        var fuh7 = gaps.Single(g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7);
        Assert.Equal((CareGapStatus.Closed, new DateOnly(2026, 2, 10)), (fuh7.Status, fuh7.ClosedOn));
        Assert.Equal(CareGapStatus.Closed, gaps.Single(g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization30).Status);

        // The ED visit of 2026-03-01 (F20.0) has no follow-up: FUM-7 is open but its window has ended.
        var fum7 = gaps.Single(g => g.Measure == CareGapMeasure.FollowUpAfterEmergencyMentalIllness7);
        Assert.Equal((CareGapStatus.Open, false), (fum7.Status, fum7.IsActionable(new DateOnly(2026, 3, 10))));
        var months = await host.Store.GetMemberMonthsAsync("MBH0001", CancellationToken.None);
        Assert.Equal(1, months.Single(m => m.Month == new DateOnly(2026, 2, 1)).BhInpatientStays);
    }

    [Fact]
    public async Task IngestAsync_SampleFiles_ChangeOnlyWhereTheMeasureRulesSay()
    {
        // The BH fixtures and the scenario file gave these gaps before the measures followed the published
        // definitions, and give them still: their members have no coverage on file (no enrollment rule), their
        // birth dates (DMG 1990-01-01, 1985-05-05) are read and both are adults, the stays are acute (bill type 111)
        // with no readmission within 30 days and no ED visit is followed by an admission. What changed: the scenario
        // file's gaps (no birth-date column) say age:unknown, and a utilization trigger's event date is now the
        // start of its episode (the stay or ED visit that brought the count to the threshold), not the latest one.
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.25m });
        foreach (var file in new[] { "bh-institutional.837i", "bh-professional.837" })
        {
            await using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "bh", file));
            await host.Ingestor.IngestAsync(file, stream, CancellationToken.None);
        }

        var bhGaps = (await host.Store.GetCareGapsAsync("MBH0001", CancellationToken.None)).Concat(await host.Store.GetCareGapsAsync("MBH0002", CancellationToken.None)).ToList();
        Assert.All(bhGaps, g => Assert.DoesNotContain("age:unknown", g.Evidence));
        var bh = bhGaps.Select(g => $"{g.Id} {g.Status} {g.ClosedOn:yyyy-MM-dd}").ToList();
        Assert.Equal(
        [
            "FollowUpAfterEmergencyMentalIllness30:MBH0001:20260301 Open ",
            "FollowUpAfterEmergencyMentalIllness7:MBH0001:20260301 Open ",
            "FollowUpAfterHospitalization30:MBH0001:20260206 Closed 2026-02-10",
            "FollowUpAfterHospitalization7:MBH0001:20260206 Closed 2026-02-10",
            "SubstanceUseTreatmentEngagement:MBH0001:20260212 Open ",
            "SubstanceUseTreatmentInitiation:MBH0001:20260212 Open ",
            "FollowUpAfterEmergencySubstanceUse30:MBH0002:20260220 Open ",
            "FollowUpAfterEmergencySubstanceUse7:MBH0002:20260220 Open ",
            "SubstanceUseTreatmentEngagement:MBH0002:20260220 Open ",
            "SubstanceUseTreatmentInitiation:MBH0002:20260220 Open ",
        ], bh);

        using var scenario = new ClaimsTestHost();
        var result = await scenario.Ingestor.IngestAsync("f.csv", TestFiles.Text(ScenarioCsv(300)), CancellationToken.None);
        var gaps = new List<CareGap>();
        for (var m = 0; m < 17; m++)
        {
            gaps.AddRange(await scenario.Store.GetCareGapsAsync($"M{m}", CancellationToken.None));
        }

        Assert.Equal(
            [("FollowUpAfterEmergencyMentalIllness30", 17), ("FollowUpAfterEmergencyMentalIllness7", 17), ("FollowUpAfterHospitalization30", 17), ("FollowUpAfterHospitalization7", 17)],
            gaps.GroupBy(g => g.Measure.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Count())));
        Assert.Equal((60, 8), (gaps.Count(g => g.Status == CareGapStatus.Closed), gaps.Count(g => g.Status == CareGapStatus.Open)));
        Assert.All(gaps, g => Assert.Contains("age:unknown", g.Evidence));

        // M0's BH stays were discharged 2026-02-03, 2026-02-08, 2026-02-12, 2026-02-14 and 2026-02-17: the trigger
        // used to be dated 2026-02-17 (the latest stay) and is now dated 2026-02-03 (the episode start); ED visits likewise.
        var m0 = result.Triggers.Where(t => t.MemberId == "M0").OrderBy(t => t.Kind).Select(t => (t.Kind, t.EventDate, t.EvidenceCodes[0])).ToList();
        Assert.Equal(
            [(ClaimsTriggerKind.RepeatedBhInpatientStays, new DateOnly(2026, 2, 3), "bh-inpatient-stays:5"), (ClaimsTriggerKind.FrequentBhEmergencyVisits, new DateOnly(2026, 3, 6), "bh-ed-visits:4")],
            m0);
        Assert.Equal(34, result.Triggers.Count);
    }

    [Theory]
    [MemberData(nameof(Reading.X12.X12ClaimReaderTests.PublicSamples), MemberType = typeof(Reading.X12.X12ClaimReaderTests))]
    public async Task IngestAsync_PublicX12Sample_IsProcessedWithEveryClaim(string file, int claims, int lines)
    {
        using var host = new ClaimsTestHost();
        await using var stream = File.OpenRead(TestFiles.DataPath("x12-837", file));

        var result = await host.Ingestor.IngestAsync(Path.GetFileName(file), stream, CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Processed, ClaimsFileKind.X12Claims), (result.Outcome, result.Kind));
        Assert.Equal((claims, claims, 0, (long)lines), (result.Counts.ClaimsRead, result.Counts.ClaimsAccepted, result.Counts.ClaimsRejected, result.Counts.LinesAccepted));
        Assert.Empty(result.Triggers);
    }

    [Fact]
    public async Task IngestAsync_SameContentTwice_IsProcessedOnceWithTheSameTriggers()
    {
        using var host = new ClaimsTestHost();
        var csv = new ClaimsCsvBuilder().Inpatient("S1", "M1", "2026-03-01", "2026-03-05", "F32.2").ToString();

        var first = await host.Ingestor.IngestAsync("a.csv", TestFiles.Text(csv), CancellationToken.None);
        var second = await host.Ingestor.IngestAsync("renamed.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Processed, first.Outcome);
        Assert.Equal(ClaimsFileOutcome.Duplicate, second.Outcome);
        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.Contains(first.Triggers, t => t.Kind == ClaimsTriggerKind.FollowUpAfterHospitalizationDue);
        Assert.Equal(first.Triggers.Select(t => t.Id), second.Triggers.Select(t => t.Id));
        Assert.Equal(1, await host.Sqlite.CountAsync("claim_versions", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_TwoFilesRevealingOneTrigger_ListItUnderEachWithOneId()
    {
        using var host = new ClaimsTestHost();
        // Week 1: the stay discharged 2026-03-05 without follow-up. Week 2: the same stay again and an unrelated visit.
        var week1 = new ClaimsCsvBuilder().Inpatient("S1", "M1", "2026-03-01", "2026-03-05", "F32.2").ToString();
        var week2 = new ClaimsCsvBuilder().Inpatient("S1", "M1", "2026-03-01", "2026-03-05", "F32.2").Visit("V9", "M2", "2026-03-06", "F41.1").ToString();

        var first = await host.Ingestor.IngestAsync("week1.csv", TestFiles.Text(week1), CancellationToken.None);
        var second = await host.Ingestor.IngestAsync("week2.csv", TestFiles.Text(week2), CancellationToken.None);

        Assert.NotEqual(first.ContentHash, second.ContentHash);
        var revealed = Assert.Single(first.Triggers, t => t.Kind == ClaimsTriggerKind.FollowUpAfterHospitalizationDue);
        var again = Assert.Single(second.Triggers, t => t.Kind == ClaimsTriggerKind.FollowUpAfterHospitalizationDue);
        Assert.Equal((revealed.Id, revealed.EventDate), (again.Id, again.EventDate));
        Assert.Equal(2, await host.Sqlite.CountAsync("file_triggers", CancellationToken.None));
    }

    [Fact]
    public async Task Open_DatabaseWithTheOldTriggersTable_MovesItsTriggersUnderTheirFiles()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-claims-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "claims.db");
        try
        {
            var trigger = new ClaimsTrigger("0123456789abcdef0123456789abcdef", "M1", ClaimsTriggerKind.BhDischarge, new DateOnly(2026, 3, 3), null, ["icd10:F332"]);
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    CREATE TABLE triggers (trigger_id TEXT PRIMARY KEY, file_hash TEXT NOT NULL, member_id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
                    INSERT INTO triggers VALUES ($id, 'oldfile', 'M1', 'BhDischarge', $body);
                    """;
                command.Parameters.AddWithValue("$id", trigger.Id);
                command.Parameters.AddWithValue("$body", System.Text.Json.JsonSerializer.Serialize(trigger, Mets.Claims.Storage.Sqlite.ClaimsJson.Default.ClaimsTrigger));
                await command.ExecuteNonQueryAsync();
            }

            var store = new Mets.Claims.Storage.Sqlite.SqliteClaimsStore(path);

            Assert.Equal([trigger.Id], (await store.GetTriggersAsync("oldfile", CancellationToken.None)).Select(t => t.Id));
            Assert.Equal(1, await store.CountAsync("file_triggers", CancellationToken.None));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task IngestAsync_CrashPartWayThenRetry_GivesTheResultOfOneCleanRun()
    {
        var csv = ScenarioCsv(claims: 300);
        using var clean = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { StageBatchSize = 10, ProgressEveryRows = 50 });
        var expected = await clean.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);

        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { StageBatchSize = 10, ProgressEveryRows = 50 });
        var bytes = System.Text.Encoding.UTF8.GetBytes(csv);
        await Assert.ThrowsAsync<IOException>(() => host.Ingestor.IngestAsync("f.csv", new FailingStream(bytes, failAfter: bytes.Length * 2 / 3), CancellationToken.None));
        var staged = await host.Store.GetFileAsync(expected.ContentHash, CancellationToken.None);
        Assert.Equal(ClaimsFileStatus.Staging, staged!.Status);
        Assert.True(await host.Sqlite.CountAsync("claim_versions", CancellationToken.None) > 0);
        Assert.Equal(0, await host.Sqlite.CountAsync("claims_current", CancellationToken.None));

        var retried = await host.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Processed, retried.Outcome);
        Assert.Equal(expected.Counts, retried.Counts);
        Assert.Equal(Describe(expected.Triggers), Describe(retried.Triggers));
        await AssertSameStoreAsync(clean, host);
    }

    [Fact]
    public async Task IngestAsync_CrashAfterCommitThenRetry_FinishesAnalyticsOnce()
    {
        var csv = ScenarioCsv(claims: 60);
        using var clean = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { AnalysisBatchSize = 3 });
        var expected = await clean.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);

        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { AnalysisBatchSize = 3 });
        var crashing = new CrashingStore(host.Sqlite, crashOnAnalysisBatch: 2);
        await Assert.ThrowsAsync<IOException>(() => host.CreateIngestor(crashing).IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None));
        Assert.Equal(ClaimsFileStatus.Committed, (await host.Store.GetFileAsync(expected.ContentHash, CancellationToken.None))!.Status);
        host.Time.Advance(TimeSpan.FromDays(20)); // the retry still evaluates windows "as of" the commit day

        var retried = await host.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Processed, retried.Outcome);
        Assert.Equal(Describe(expected.Triggers), Describe(retried.Triggers));
        await AssertSameStoreAsync(clean, host);
    }

    [Fact]
    public async Task IngestAsync_MissingRequiredColumn_QuarantinesWithNothingApplied()
    {
        using var host = new ClaimsTestHost();
        var csv = "claim_id,line_number,member_id,claim_type,service_from\nC1,1,M1,professional,2026-01-01\n";

        var result = await host.Ingestor.IngestAsync("broken.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains("paid_amount", result.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal(0, await host.Sqlite.CountAsync("claims_current", CancellationToken.None));
        var again = await host.Ingestor.IngestAsync("broken.csv", TestFiles.Text(csv), CancellationToken.None);
        Assert.Equal((ClaimsFileOutcome.Duplicate, ClaimsFileStatus.Quarantined), (again.Outcome, again.StoredStatus));
    }

    [Fact]
    public async Task IngestAsync_BrokenEnvelopeAtTheEnd_QuarantinesAfterStagingWithNothingApplied()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.5m, StageBatchSize = 1 });
        var text = File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837")).Replace("IEA*1*000000101~", "IEA*1*000000999~", StringComparison.Ordinal);

        var result = await host.Ingestor.IngestAsync("bh.837", TestFiles.Text(text), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains("IEA02", result.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal(0, await host.Sqlite.CountAsync("claims_current", CancellationToken.None));
        Assert.Equal(0, await host.Sqlite.CountAsync("claim_versions", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_TooManyRejectedClaims_QuarantinesTheFile()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.10m });
        var csv = new ClaimsCsvBuilder()
            .Visit("V1", "M1", "2026-03-01", "F32.1")
            .Visit("V2", "M1", "2026-03-02", "NOTACODE")
            .ToString();

        var result = await host.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal(ClaimsFileOutcome.Quarantined, result.Outcome);
        Assert.Contains("1 of 2 claims were rejected", result.QuarantineReason, StringComparison.Ordinal);
        Assert.Equal("dx1", Assert.Single(result.Rejects).Field);
        Assert.Equal(0, await host.Sqlite.CountAsync("claims_current", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_ReplacementAndVoidInLaterFiles_SupersedeEarlierVersions()
    {
        using var host = new ClaimsTestHost();
        await host.Ingestor.IngestAsync("1.csv", new ClaimsCsvBuilder().Visit("V1", "M1", "2026-03-01", "F32.1", paid: 100m).Visit("V2", "M1", "2026-03-02", "F32.1", paid: 40m).ToStream(), CancellationToken.None);
        await host.Ingestor.IngestAsync("2.csv", new ClaimsCsvBuilder().Visit("V1", "M1", "2026-03-01", "F32.1", paid: 60m, frequency: "replacement").ToStream(), CancellationToken.None);

        var afterReplacement = (await host.Store.GetMemberMonthsAsync("M1", CancellationToken.None)).Single();
        Assert.Equal(100m, afterReplacement.TotalPaid);
        Assert.Equal(2, afterReplacement.OutpatientBhVisits);

        await host.Ingestor.IngestAsync("3.csv", new ClaimsCsvBuilder().Visit("V2", "M1", "2026-03-02", "F32.1", paid: 40m, frequency: "void").ToStream(), CancellationToken.None);

        var afterVoid = (await host.Store.GetMemberMonthsAsync("M1", CancellationToken.None)).Single();
        Assert.Equal(60m, afterVoid.TotalPaid);
        Assert.Equal(1, afterVoid.OutpatientBhVisits);
        Assert.Equal(4, await host.Sqlite.CountAsync("claim_versions", CancellationToken.None));
        var snapshot = await host.Store.GetMemberAsync("M1", null, CancellationToken.None);
        Assert.Equal(["V1"], snapshot.CurrentClaims.Select(c => c.ClaimId));
    }

    [Fact]
    public async Task IngestAsync_OriginalArrivingAfterItsVoid_StaysVoided()
    {
        using var host = new ClaimsTestHost();
        await host.Ingestor.IngestAsync("1.csv", new ClaimsCsvBuilder().Visit("V9", "M1", "2026-03-01", "F32.1", paid: 70m, frequency: "void").ToStream(), CancellationToken.None);

        await host.Ingestor.IngestAsync("2.csv", new ClaimsCsvBuilder().Visit("V9", "M1", "2026-03-01", "F32.1", paid: 70m).Visit("V10", "M1", "2026-03-02", "F32.1", paid: 5m).ToStream(), CancellationToken.None);

        var snapshot = await host.Store.GetMemberAsync("M1", null, CancellationToken.None);
        Assert.Equal(["V10"], snapshot.CurrentClaims.Select(c => c.ClaimId));
        Assert.Equal(3, await host.Sqlite.CountAsync("claim_versions", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_ReplacementMovingClaimToAnotherMember_ReanalysesBothMembers()
    {
        using var host = new ClaimsTestHost();
        await host.Ingestor.IngestAsync("1.csv", new ClaimsCsvBuilder().Visit("V1", "M1", "2026-03-01", "F32.1", paid: 100m).ToStream(), CancellationToken.None);

        await host.Ingestor.IngestAsync("2.csv", new ClaimsCsvBuilder().Visit("V1", "M2", "2026-03-01", "F32.1", paid: 100m, frequency: "replacement").ToStream(), CancellationToken.None);

        Assert.Empty(await host.Store.GetMemberMonthsAsync("M1", CancellationToken.None));
        Assert.Single(await host.Store.GetMemberMonthsAsync("M2", CancellationToken.None));
    }

    [Fact]
    public async Task IngestAsync_EligibilityFile_MarksEnrolledMonthsAndEngagedMemberLosesEligibility()
    {
        using var host = new ClaimsTestHost(engaged: new EngagedMembers("M1"));
        var csv = "member_id,plan,coverage_start,coverage_end\nM1,MEDICAID,2025-12-01,2026-02-28\nM2,MEDICAID,2026-01-01,\n";

        var result = await host.Ingestor.IngestAsync("elig.csv", TestFiles.Text(csv), CancellationToken.None);

        Assert.Equal((ClaimsFileOutcome.Processed, ClaimsFileKind.EligibilityCsv), (result.Outcome, result.Kind));
        Assert.Equal(3, (await host.Store.GetMemberMonthsAsync("M1", CancellationToken.None)).Count(m => m.Enrolled));
        Assert.Equal(3, (await host.Store.GetMemberMonthsAsync("M2", CancellationToken.None)).Count(m => m.Enrolled));
        var lost = Assert.Single(result.Triggers);
        Assert.Equal((ClaimsTriggerKind.EligibilityLost, "M1", new DateOnly(2026, 2, 28)), (lost.Kind, lost.MemberId, lost.EventDate));
    }

    [Fact]
    public async Task IngestAsync_LongFile_RecordsProgressInStatusAndLogs()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { ProgressEveryRows = 20 });
        var csv = ScenarioCsv(claims: 100);

        var result = await host.Ingestor.IngestAsync("f.csv", new NonSeekableStream(System.Text.Encoding.UTF8.GetBytes(csv)), CancellationToken.None);

        var record = (await host.Store.GetFileAsync(result.ContentHash, CancellationToken.None))!;
        Assert.Equal(ClaimsFileStatus.Processed, record.Status);
        Assert.Equal(100m, record.Progress.Percent);
        Assert.True(record.Progress.Rows >= 100);
        Assert.True(host.Logs.GetSnapshot().Count(l => l.Message.Contains("% read", StringComparison.Ordinal)) >= 4);
    }

    [Fact]
    public async Task IngestAsync_RejectsTriggersAndLogs_NeverContainMemberIdsOrDiagnoses()
    {
        using var host = new ClaimsTestHost(ingestion: new ClaimsIngestionOptions { MaxRejectedClaimShare = 0.9m }, engaged: new EngagedMembers(Sentinel));
        var csv = new ClaimsCsvBuilder()
            .Inpatient("S1", Sentinel, "2026-03-01", "2026-03-05", "F31.81")
            .Visit("V1", Sentinel, "2026-03-06", "F31.81", procedure: "BAD")
            .Row("V2", 1, Sentinel, "professional", "2026-99-01", procedure: "90837", dx1: "F31.81", paid: 1)
            .ToString();
        var broken = "claim_id,member_id\n" + Sentinel + ",x\n";

        var result = await host.Ingestor.IngestAsync("f.csv", TestFiles.Text(csv), CancellationToken.None);
        var quarantined = await host.Ingestor.IngestAsync("g.csv", TestFiles.Text(broken), CancellationToken.None);

        Assert.Equal(2, result.Rejects.Count);
        Assert.NotEmpty(result.Triggers);
        var texts = result.Rejects.Concat(result.Warnings).Concat(quarantined.Rejects).Select(r => r.ToString())
            .Concat(host.Logs.GetSnapshot().Select(l => l.Message))
            .Append(quarantined.QuarantineReason!)
            .Concat(result.Triggers.SelectMany(t => t.EvidenceCodes.Append(t.Id)));
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain(Sentinel, text, StringComparison.Ordinal);
            Assert.DoesNotContain("2026-99-01", text, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Message.Contains(TestFiles.Sentinel.Diagnosis, StringComparison.Ordinal));
    }

    internal static string ScenarioCsv(int claims)
    {
        var builder = new ClaimsCsvBuilder();
        for (var i = 0; i < claims; i++)
        {
            var member = $"M{i % 17}";
            var day = 1 + (i % 27);
            switch (i % 4)
            {
                case 0:
                    builder.Inpatient($"S{i}", member, $"2026-02-{day:00}", $"2026-02-{Math.Min(28, day + 1):00}", "F33.1");
                    break;
                case 1:
                    builder.Visit($"V{i}", member, $"2026-03-{Math.Min(9, 1 + (day % 9)):00}", "F33.1");
                    break;
                case 2:
                    builder.EmergencyVisit($"E{i}", member, $"2026-03-{Math.Min(9, 1 + (day % 9)):00}", "F20.0");
                    break;
                default:
                    builder.Fill($"R{i}", member, $"2026-01-{day:00}", "59148000810", 30);
                    break;
            }
        }

        return builder.ToString();
    }

    private static List<string> Describe(IEnumerable<ClaimsTrigger> triggers) =>
        triggers.Select(t => $"{t.Id}|{t.MemberId}|{t.Kind}|{t.EventDate}|{t.WindowEnd}|{string.Join(',', t.EvidenceCodes)}").ToList();

    private static async Task AssertSameStoreAsync(ClaimsTestHost expected, ClaimsTestHost actual)
    {
        foreach (var table in new[] { "claims_current", "claim_versions", "member_months", "care_gaps", "file_triggers", "staged_eligibility", "file_members" })
        {
            Assert.Equal(await expected.Sqlite.CountAsync(table, CancellationToken.None), await actual.Sqlite.CountAsync(table, CancellationToken.None));
        }

        for (var m = 0; m < 17; m++)
        {
            var member = $"M{m}";
            Assert.Equal(await expected.Store.GetMemberMonthsAsync(member, CancellationToken.None), await actual.Store.GetMemberMonthsAsync(member, CancellationToken.None));
            var expectedGaps = await expected.Store.GetCareGapsAsync(member, CancellationToken.None);
            var actualGaps = await actual.Store.GetCareGapsAsync(member, CancellationToken.None);
            Assert.Equal(expectedGaps.Select(g => (g.Id, g.Status, g.ClosedOn)), actualGaps.Select(g => (g.Id, g.Status, g.ClosedOn)));
        }
    }
}
