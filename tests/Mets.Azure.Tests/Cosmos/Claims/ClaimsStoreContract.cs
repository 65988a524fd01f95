using System.Diagnostics;
using Mets.Claims;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Reading.X12;
using Mets.Claims.Storage;
using Mets.Claims.Tests;
using Xunit.Abstractions;
using static Mets.Azure.Tests.Cosmos.Claims.ClaimsTestData;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>
/// The claims store port's contract: the same assertions on every adapter (SQLite, Cosmos DB on the test server,
/// Cosmos DB on a real account when configured). Each test gets a fresh database; <see cref="OpenStore"/> opens a new
/// store object on it, which is how a crashed process "starts over".
/// </summary>
public abstract class ClaimsStoreContract(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ClaimsFileProgress Done = new(10, 1_000, 1_000);

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>A new store object on this test's database.</summary>
    protected abstract IClaimsStore OpenStore();

    /// <summary>A new store object whose <c>Crash</c> token is cancelled after <paramref name="writesBeforeCrash"/> writes
    /// reached the database: a process dying between member writes.</summary>
    protected abstract (IClaimsStore Store, CancellationToken Crash) OpenCrashingStore(int writesBeforeCrash);

    /// <summary>How many staged claim items of the file the database holds, visible or not (a look behind the port).</summary>
    protected abstract Task<int> CountStagedAsync(string contentHash, IReadOnlyCollection<string> members);

    /// <summary>True when a crash inside one StageAsync call leaves part of that batch written (Cosmos DB: no
    /// transaction across partitions); SQLite writes a batch in one transaction.</summary>
    protected virtual bool CrashLeavesPartOfABatch => false;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task BeginStageCommit_StagedClaimsInvisibleUntilCommit_ThenEveryReaderSeesThem()
    {
        var store = OpenStore();
        var hash = Hash("begin-stage-commit");
        Claim[] first = [Visit("V1", "M1", "2026-03-02"), Visit("V2", "M2", "2026-03-03", paid: 99.99m)];
        Claim[] second = [Stay("S3", "M1", "2026-02-10", "2026-02-14")];
        EligibilitySpan[] coverage = [new("M1", "MEDICAID", D("2026-01-01"), null), new("M3", "MEDICAID", D("2025-06-01"), D("2025-12-31"))];

        await store.BeginFileAsync(hash, "claims.csv", ClaimsFileKind.ClaimsCsv, 1_000, Now, CancellationToken.None);
        var begun = await store.GetFileAsync(hash, CancellationToken.None);
        await store.StageAsync(hash, first, [], new ClaimsFileProgress(4, 400, 1_000), Now, CancellationToken.None);
        await store.StageAsync(hash, second, coverage, new ClaimsFileProgress(8, 1_000, 1_000), Now.AddSeconds(5), CancellationToken.None);
        var staged = await store.GetFileAsync(hash, CancellationToken.None);
        var beforeCommit = await store.GetMemberAsync("M1", hash, CancellationToken.None);
        var affectedBeforeCommit = await AffectedAsync(store, hash);
        await store.CommitAsync(hash, new ClaimsFileCounts(4, 3, 1, 9, 8, 1), [new RejectEntry("row 9", "dx1", "must be an ICD-10-CM code")], [new RejectEntry("row 3", "billing_npi", "fails its check digit")],
            Done, AsOf, Now.AddMinutes(1), CancellationToken.None);

        Assert.Equal((ClaimsFileStatus.Staging, "claims.csv", ClaimsFileKind.ClaimsCsv, Now, ClaimsFileCounts.Empty, new ClaimsFileProgress(0, 0, 1_000)),
            (begun!.Status, begun.FileName, begun.Kind, begun.ReceivedAt, begun.Counts, begun.Progress));
        Assert.Equal((ClaimsFileStatus.Staging, new ClaimsFileProgress(8, 1_000, 1_000), Now.AddSeconds(5)), (staged!.Status, staged.Progress, staged.UpdatedAt));
        Assert.Empty(beforeCommit.CurrentClaims);
        Assert.Empty(beforeCommit.Eligibility);
        Assert.Empty(affectedBeforeCommit);

        var reader = OpenStore();
        var file = (await reader.GetFileAsync(hash, CancellationToken.None))!;
        Assert.Equal((ClaimsFileStatus.Committed, new ClaimsFileCounts(4, 3, 1, 9, 8, 1), (DateOnly?)AsOf, Now.AddMinutes(1), Now, Done, (string?)null),
            (file.Status, file.Counts, file.AnalyzedAsOf, file.UpdatedAt, file.ReceivedAt, file.Progress, file.QuarantineReason));
        Assert.Equal([new RejectEntry("row 9", "dx1", "must be an ICD-10-CM code")], file.Rejects);
        Assert.Equal([new RejectEntry("row 3", "billing_npi", "fails its check digit")], file.Warnings);
        var m1 = await reader.GetMemberAsync("M1", hash, CancellationToken.None);
        Assert.Equal(Texts(second[0], first[0]), Texts(m1.CurrentClaims));
        Assert.Equal([coverage[0]], m1.Eligibility);
        Assert.Equal(["S3", "V1"], m1.ClaimIdsFromFile.Order(StringComparer.Ordinal));
        Assert.Empty((await reader.GetMemberAsync("M1", null, CancellationToken.None)).ClaimIdsFromFile);
        Assert.Equal([Text(first[1])], (await reader.GetMemberAsync("M2", hash, CancellationToken.None)).CurrentClaims.Select(Text));
        var affected = await AffectedAsync(reader, hash);
        Assert.Equal(["M1", "M2", "M3"], affected.Select(s => s.MemberId));
        Assert.Equal([coverage[1]], affected[2].Eligibility);
        Assert.Empty(affected[2].CurrentClaims);
        Assert.Equal(["S3", "V1"], affected[0].ClaimIdsFromFile.Order(StringComparer.Ordinal));

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.CommitAsync(hash, ClaimsFileCounts.Empty, [], [], Done, AsOf, Now, CancellationToken.None));
        await reader.CompleteAsync(hash, Now.AddMinutes(2), CancellationToken.None);
        Assert.Equal(ClaimsFileStatus.Processed, (await reader.GetFileAsync(hash, CancellationToken.None))!.Status);
        Assert.Null(await reader.GetFileAsync(Hash("never-sent"), CancellationToken.None));
    }

    [Fact]
    public async Task QuarantineAsync_AfterStaging_AppliesNothingAndLaterFilesIgnoreIt()
    {
        var store = OpenStore();
        var earlier = await CommitFileAsync(store, "q-earlier", [Visit("V1", "M1", "2026-03-02", paid: 100m)]);
        var hash = Hash("q-quarantined");

        await store.BeginFileAsync(hash, "bad.csv", ClaimsFileKind.ClaimsCsv, 1_000, Now, CancellationToken.None);
        await store.StageAsync(hash, [Visit("V1", "M2", "2026-03-02", paid: 60m, frequency: ClaimFrequency.Replacement), Visit("V5", "M1", "2026-03-04")],
            [new EligibilitySpan("M1", "MEDICAID", D("2026-01-01"), null)], Done, Now, CancellationToken.None);
        await store.QuarantineAsync(hash, "2 of 3 claims were rejected", new ClaimsFileCounts(3, 1, 2, 3, 1, 0), [new RejectEntry("row 2", "paid_amount", "must be a decimal")], [],
            Done, Now.AddMinutes(1), CancellationToken.None);

        var reader = OpenStore();
        var file = (await reader.GetFileAsync(hash, CancellationToken.None))!;
        Assert.Equal((ClaimsFileStatus.Quarantined, "2 of 3 claims were rejected", new ClaimsFileCounts(3, 1, 2, 3, 1, 0)), (file.Status, file.QuarantineReason, file.Counts));
        Assert.Equal([new RejectEntry("row 2", "paid_amount", "must be a decimal")], file.Rejects);
        var m1 = await reader.GetMemberAsync("M1", hash, CancellationToken.None);
        Assert.Equal([Text(earlier[0])], m1.CurrentClaims.Select(Text));
        Assert.Empty(m1.Eligibility);
        Assert.Empty(m1.ClaimIdsFromFile);
        Assert.Empty((await reader.GetMemberAsync("M2", null, CancellationToken.None)).CurrentClaims);
        Assert.Empty(await AffectedAsync(reader, hash));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.CommitAsync(hash, ClaimsFileCounts.Empty, [], [], Done, AsOf, Now, CancellationToken.None));

        // A later replacement of V1 re-analyses V1's member only: the quarantined version at M2 never counted.
        var later = await CommitFileAsync(reader, "q-later", [Visit("V1", "M1", "2026-03-02", paid: 80m, frequency: ClaimFrequency.Replacement)]);
        Assert.Equal(["M1"], (await AffectedAsync(reader, Hash("q-later"))).Select(s => s.MemberId));
        Assert.Equal([Text(later[0])], (await reader.GetMemberAsync("M1", null, CancellationToken.None)).CurrentClaims.Select(Text));
    }

    [Fact]
    public async Task IngestAsync_SameFileSentTwice_IsOneFileWithEachClaimOnce()
    {
        var harness = new IngestHarness(OpenStore());
        var csv = ClaimsCsvBuilder.Scenario(claims: 24, members: 4);

        var first = await harness.IngestAsync("week1.csv", csv);
        var again = await harness.IngestAsync("week1-resent.csv", csv);

        Assert.Equal((ClaimsFileOutcome.Processed, ClaimsFileOutcome.Duplicate), (first.Outcome, again.Outcome));
        Assert.Equal((first.ContentHash, first.Counts, "week1.csv"), (again.ContentHash, again.Counts, again.FileName));
        Assert.Equal(first.Triggers.Select(Text), again.Triggers.Select(Text));
        Assert.NotEmpty(first.Triggers);
        var reader = OpenStore();
        Assert.Equal(ClaimsFileStatus.Processed, (await reader.GetFileAsync(first.ContentHash, CancellationToken.None))!.Status);
        var claims = new List<string>();
        for (var m = 0; m < 4; m++)
        {
            claims.AddRange((await reader.GetMemberAsync($"M{m}", null, CancellationToken.None)).CurrentClaims.Select(c => c.ClaimId));
        }

        Assert.Equal(24, claims.Count);
        Assert.Equal(24, claims.Distinct().Count());
    }

    [Fact]
    public async Task CommitAsync_ReplacementsAndVoidsInALaterFile_SupersedeAlsoAcrossMembers()
    {
        var store = OpenStore();
        var first = await CommitFileAsync(store, "s-1", [
            Visit("V1", "M1", "2026-03-01", paid: 100m), Visit("V2", "M1", "2026-03-02", paid: 40m),
            Visit("V3", "M2", "2026-03-03", paid: 70m), Visit("V4", "M1", "2026-03-04", paid: 30m), Fill("R5", "M2", "2026-03-05"),
        ]);
        var second = await CommitFileAsync(store, "s-2", [
            Visit("V1", "M3", "2026-03-01", paid: 60m, frequency: ClaimFrequency.Replacement), // moves V1 from M1 to M3
            Visit("V2", "M1", "2026-03-02", paid: 40m, frequency: ClaimFrequency.Void),
            Visit("V3", "M2", "2026-03-03", paid: 80m, frequency: ClaimFrequency.Replacement),
            Visit("V4", "M4", "2026-03-04", paid: 30m, frequency: ClaimFrequency.Void), // the void names another member
        ]);

        var reader = OpenStore();
        Assert.Empty((await reader.GetMemberAsync("M1", null, CancellationToken.None)).CurrentClaims);
        Assert.Equal(Texts(first[4], second[2]), Texts((await reader.GetMemberAsync("M2", null, CancellationToken.None)).CurrentClaims));
        var m3 = await reader.GetMemberAsync("M3", Hash("s-2"), CancellationToken.None);
        Assert.Equal([Text(second[0])], m3.CurrentClaims.Select(Text));
        Assert.Equal(["V1"], m3.ClaimIdsFromFile);
        Assert.Empty((await reader.GetMemberAsync("M4", null, CancellationToken.None)).CurrentClaims);
        var affected = await AffectedAsync(reader, Hash("s-2"));
        Assert.Equal(["M1", "M2", "M3", "M4"], affected.Select(s => s.MemberId));
        Assert.Equal(["V3"], affected[1].ClaimIdsFromFile);
        var m2AsOfNow = (await AffectedAsync(reader, Hash("s-1"))).Single(s => s.MemberId == "M2");
        Assert.Equal(Texts(first[4], second[2]), Texts(m2AsOfNow.CurrentClaims)); // read today, an older file's members show today's claims
        Assert.Equal(["R5"], m2AsOfNow.ClaimIdsFromFile);

        // V1 moves back: its member before this file (M3) is re-analysed, and M3 no longer holds it.
        var third = await CommitFileAsync(reader, "s-3", [Visit("V1", "M1", "2026-03-01", paid: 55m, frequency: ClaimFrequency.Replacement)]);
        Assert.Equal(["M1", "M3"], (await AffectedAsync(reader, Hash("s-3"))).Select(s => s.MemberId));
        Assert.Equal([Text(third[0])], (await reader.GetMemberAsync("M1", null, CancellationToken.None)).CurrentClaims.Select(Text));
        Assert.Empty((await reader.GetMemberAsync("M3", null, CancellationToken.None)).CurrentClaims);
    }

    [Fact]
    public async Task CommitAsync_VersionsOfOneClaimInOneFile_ApplyInFileOrderAndVoidStaysVoidAgainstOriginals()
    {
        var store = OpenStore();
        await CommitFileAsync(store, "o-1", [Visit("V9", "M1", "2026-03-01", paid: 70m, frequency: ClaimFrequency.Void)]);
        var hash = Hash("o-2");
        await store.BeginFileAsync(hash, "o-2.csv", ClaimsFileKind.ClaimsCsv, null, Now, CancellationToken.None);
        await store.StageAsync(hash, [Visit("V9", "M1", "2026-03-01", paid: 70m), Visit("V10", "M1", "2026-03-02", paid: 5m), Visit("V11", "M1", "2026-03-03", paid: 11m)], [], Done, Now, CancellationToken.None);
        await store.StageAsync(hash, [Visit("V11", "M2", "2026-03-03", paid: 12m, frequency: ClaimFrequency.Replacement), Visit("V12", "M2", "2026-03-04", paid: 1m)], [], Done, Now, CancellationToken.None);
        await store.StageAsync(hash, [Visit("V12", "M2", "2026-03-04", paid: 2m), Visit("V12", "M2", "2026-03-04", paid: 3m, frequency: ClaimFrequency.Replacement)], [], Done, Now, CancellationToken.None);
        await store.CommitAsync(hash, ClaimsFileCounts.Empty, [], [], Done, AsOf, Now, CancellationToken.None);

        var reader = OpenStore();
        Assert.Equal(["V10"], Ids((await reader.GetMemberAsync("M1", null, CancellationToken.None)).CurrentClaims));
        var m2 = (await reader.GetMemberAsync("M2", null, CancellationToken.None)).CurrentClaims;
        Assert.Equal(["V11|12", "V12|3"], m2.Select(c => $"{c.ClaimId}|{Amount(c.Lines[0].PaidAmount)}").Order(StringComparer.Ordinal));
        Assert.Equal(["M1", "M2"], (await AffectedAsync(reader, hash)).Select(s => s.MemberId));

        // A replacement (not an original) revives a voided claim.
        await CommitFileAsync(reader, "o-3", [Visit("V9", "M1", "2026-03-01", paid: 71m, frequency: ClaimFrequency.Replacement)]);
        Assert.Equal(["V10", "V9"], Ids((await reader.GetMemberAsync("M1", null, CancellationToken.None)).CurrentClaims));
    }

    [Fact]
    public async Task CommitAsync_TwoFilesStagedAtOnceCommittedInTheOtherOrder_TheLaterCommitWinsAndEachReanalysesTheOthersMember()
    {
        var first = OpenStore();
        var second = OpenStore(); // another worker
        var earlier = await CommitFileAsync(first, "c-0", [Visit("C1", "M1", "2026-03-01", paid: 10m), Visit("C2", "M1", "2026-03-02", paid: 20m)]);
        var (a, b) = (Hash("c-a"), Hash("c-b"));
        Claim[] fromA = [Visit("C1", "M2", "2026-03-01", paid: 11m, frequency: ClaimFrequency.Replacement), Visit("A9", "M2", "2026-03-05")];
        Claim fromB = Visit("C1", "M3", "2026-03-01", paid: 12m, frequency: ClaimFrequency.Replacement);

        await first.BeginFileAsync(a, "a.csv", ClaimsFileKind.ClaimsCsv, null, Now, CancellationToken.None);
        await second.BeginFileAsync(b, "b.csv", ClaimsFileKind.ClaimsCsv, null, Now, CancellationToken.None);
        await first.StageAsync(a, fromA, [], Done, Now, CancellationToken.None);
        await second.StageAsync(b, [fromB], [], Done, Now, CancellationToken.None);
        await second.CommitAsync(b, ClaimsFileCounts.Empty, [], [], Done, AsOf, Now, CancellationToken.None);
        var betweenCommits = OpenStore();
        var m3Between = await betweenCommits.GetMemberAsync("M3", null, CancellationToken.None);
        var m2Between = await betweenCommits.GetMemberAsync("M2", null, CancellationToken.None);
        await first.CommitAsync(a, ClaimsFileCounts.Empty, [], [], Done, AsOf, Now, CancellationToken.None);

        Assert.Equal(Texts(fromB), Texts(m3Between.CurrentClaims));
        Assert.Empty(m2Between.CurrentClaims);
        var reader = OpenStore();
        Assert.Equal(Texts(fromA), Texts((await reader.GetMemberAsync("M2", null, CancellationToken.None)).CurrentClaims));
        Assert.Empty((await reader.GetMemberAsync("M3", null, CancellationToken.None)).CurrentClaims);
        Assert.Equal(Texts(earlier[1]), Texts((await reader.GetMemberAsync("M1", null, CancellationToken.None)).CurrentClaims));

        // Each commit re-analyses the member the claim had just before it. The Cosmos store decides that while staging,
        // so it may add members a concurrent file could have taken the claim from (a superset, never fewer).
        Assert.Superset(new HashSet<string> { "M1", "M3" }, (await AffectedAsync(reader, b)).Select(s => s.MemberId).ToHashSet());
        Assert.Superset(new HashSet<string> { "M2", "M3" }, (await AffectedAsync(reader, a)).Select(s => s.MemberId).ToHashSet());
    }

    [Fact]
    public async Task StageAsync_CoverageOfALaterFile_ReplacesTheSpanWithTheSameStart()
    {
        var store = OpenStore();
        await CommitFileAsync(store, "e-1", [], [new("M1", "MEDICAID", D("2025-01-01"), null), new("M1", "MEDICAID", D("2024-01-01"), D("2024-12-31"))]);
        await CommitFileAsync(store, "e-2", [], [new("M1", "MEDICAID", D("2025-01-01"), D("2026-02-28")), new("M1", "EXCHANGE", D("2025-01-01"), D("2025-03-31"))]);

        var m1 = await OpenStore().GetMemberAsync("M1", null, CancellationToken.None);

        Assert.Equal(
            [new("M1", "MEDICAID", D("2024-01-01"), D("2024-12-31")), new("M1", "EXCHANGE", D("2025-01-01"), D("2025-03-31")), new EligibilitySpan("M1", "MEDICAID", D("2025-01-01"), D("2026-02-28"))],
            m1.Eligibility);
    }

    [Fact]
    public async Task StageAsync_CoverageBirthDate_IsKept_AndARowResentWithoutOneKeepsIt()
    {
        var store = OpenStore();
        await CommitFileAsync(store, "b-1", [], [new EligibilitySpan("M1", "MEDICAID", D("2025-01-01"), null) { MemberBirthDate = D("2010-04-30") }]);
        var first = await OpenStore().GetMemberAsync("M1", null, CancellationToken.None);
        await CommitFileAsync(store, "b-2", [], [new EligibilitySpan("M1", "MEDICAID", D("2025-01-01"), D("2026-06-30"))]);
        var second = await OpenStore().GetMemberAsync("M1", null, CancellationToken.None);

        Assert.Equal(D("2010-04-30"), Assert.Single(first.Eligibility).MemberBirthDate);
        var span = Assert.Single(second.Eligibility);
        Assert.Equal(D("2026-06-30"), span.CoverageEnd);
        Assert.Equal(D("2010-04-30"), span.MemberBirthDate);
    }

    [Fact]
    public async Task SaveMemberAnalysesAsync_MonthsGapsAndTriggers_ReadBackReplacedPerMemberAndTriggersUniqueById()
    {
        var store = OpenStore();
        var hash = Hash("analyses");
        var january = Month("M1", "2026-01-01", 1, 5000.5m);
        var february = Month("M1", "2026-02-01", 0, 120.1m);
        var gapOpen = Gap("M1", CareGapMeasure.FollowUpAfterHospitalization7, "2026-02-14", CareGapStatus.Open, null);
        var gapClosed = Gap("M1", CareGapMeasure.FollowUpAfterHospitalization30, "2026-02-14", CareGapStatus.Closed, D("2026-02-20"));
        var trigger = Trigger(hash, "M1", ClaimsTriggerKind.RepeatedBhInpatientStays, "2026-02-14");
        var otherMember = new MemberAnalysis("M2", [Month("M2", "2026-03-01", 0, 7m)], [], [Trigger(hash, "M2", ClaimsTriggerKind.FrequentBhEmergencyVisits, "2026-03-01")]);

        await store.SaveMemberAnalysesAsync(hash, [new MemberAnalysis("M1", [february, january], [gapOpen, gapClosed], [trigger]), otherMember], CancellationToken.None);
        var months = await store.GetMemberMonthsAsync("M1", CancellationToken.None);
        var gaps = await store.GetCareGapsAsync("M1", CancellationToken.None);

        Assert.Equal([Text(january), Text(february)], months.Select(Text));
        Assert.Equal(new[] { gapClosed, gapOpen }.Select(Text).Order(StringComparer.Ordinal), gaps.Select(Text).Order(StringComparer.Ordinal));
        Assert.Equal(gaps.Select(g => g.Id).Order(StringComparer.Ordinal), gaps.Select(g => g.Id));

        // A second analysis of M1 replaces its months and gaps; a trigger id seen before keeps its first record.
        var march = Month("M1", "2026-03-01", 2, 10_000m);
        var newGap = Gap("M1", CareGapMeasure.FollowUpAfterEmergencyMentalIllness7, "2026-03-01", CareGapStatus.Open, null);
        var sameIdOtherBody = trigger with { EventDate = D("2026-03-09") };
        var engaged = Trigger(hash, "M1", ClaimsTriggerKind.BhDischarge, "2026-03-01");
        await store.SaveMemberAnalysesAsync(hash, [new MemberAnalysis("M1", [march], [newGap], [sameIdOtherBody, engaged])], CancellationToken.None);

        var reader = OpenStore();
        Assert.Equal([Text(march)], (await reader.GetMemberMonthsAsync("M1", CancellationToken.None)).Select(Text));
        Assert.Equal([Text(newGap)], (await reader.GetCareGapsAsync("M1", CancellationToken.None)).Select(Text));
        Assert.Equal([Text(newGap)], (await reader.GetMemberAsync("M1", null, CancellationToken.None)).PreviousGaps.Select(Text));
        Assert.Equal([Text(otherMember.Months[0])], (await reader.GetMemberMonthsAsync("M2", CancellationToken.None)).Select(Text));
        var expected = new[] { trigger, engaged, otherMember.Triggers[0] }
            .OrderBy(t => t.MemberId, StringComparer.Ordinal).ThenBy(t => t.Kind.ToString(), StringComparer.Ordinal).ThenBy(t => t.Id, StringComparer.Ordinal);
        Assert.Equal(expected.Select(Text), (await reader.GetTriggersAsync(hash, CancellationToken.None)).Select(Text));
        Assert.Empty(await reader.GetTriggersAsync(Hash("no-triggers"), CancellationToken.None));
        Assert.Empty(await reader.GetMemberMonthsAsync("M9", CancellationToken.None));
        Assert.Empty(await reader.GetCareGapsAsync("M9", CancellationToken.None));
    }

    [Fact]
    public async Task SaveMemberAnalysesAsync_SameTriggerRevealedByTwoFiles_IsListedUnderEachFileAsOneTrigger()
    {
        // A trigger's id names the member, the kind and the index event, never the file: the discharge of week 1 is
        // revealed again by week 2 (the stay re-sent), which also reveals a trigger of its own.
        var store = OpenStore();
        var week1 = Hash("trigger-week1");
        var week2 = Hash("trigger-week2");
        var discharge = new ClaimsTrigger(ClaimsTrigger.MakeId("M1", ClaimsTriggerKind.FollowUpAfterHospitalizationDue, "FollowUpAfterHospitalization7|20260305"),
            "M1", ClaimsTriggerKind.FollowUpAfterHospitalizationDue, D("2026-03-05"), D("2026-03-12"), ["icd10:F322", "rev:0124"]);
        var onlyWeek2 = Trigger(week2, "M2", ClaimsTriggerKind.FrequentBhEmergencyVisits, "2026-03-06");

        await store.SaveMemberAnalysesAsync(week1, [new MemberAnalysis("M1", [], [], [discharge])], CancellationToken.None);
        await OpenStore().SaveMemberAnalysesAsync(week2, [new MemberAnalysis("M1", [], [], [discharge]), new MemberAnalysis("M2", [], [], [onlyWeek2])], CancellationToken.None);
        await store.SaveMemberAnalysesAsync(week1, [new MemberAnalysis("M1", [], [], [discharge])], CancellationToken.None); // week 1 analysed again (a retry)

        var reader = OpenStore();
        Assert.Equal([Text(discharge)], (await reader.GetTriggersAsync(week1, CancellationToken.None)).Select(Text));
        Assert.Equal([Text(discharge), Text(onlyWeek2)], (await reader.GetTriggersAsync(week2, CancellationToken.None)).Select(Text));
    }

    [Fact]
    public async Task ReserveAcknowledgmentNumbersAsync_StoresReservingAtOnce_GetConsecutiveRangesThatNeverOverlap()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => Acknowledgments(OpenStore())).ToList();

        var firsts = await Task.WhenAll(stores.Select(s => s.ReserveAcknowledgmentNumbersAsync(3, CancellationToken.None)));

        Assert.Equal(Enumerable.Range(1, 18), firsts.SelectMany(f => Enumerable.Range((int)f, 3)).Order());
        Assert.Equal(19, await Acknowledgments(OpenStore()).ReserveAcknowledgmentNumbersAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task SaveAcknowledgmentAsync_X12File_IsReadWithTheRecordKeptByARetriedBeginAndReplacedBySavingAgain()
    {
        var store = OpenStore();
        var hash = Hash("acknowledged-837");
        var first = new ClaimsAcknowledgment(ClaimsAcknowledgmentKind.Implementation999, X12AcknowledgmentCode.AcceptedWithErrors, "000000007", Now,
            "ISA*00*          *00*          *ZZ*METSPLAN       *ZZ*SUBMITTER      *260310*1200*^*00501*000000007*0*T*:~\nAK9*E*1*1*1~\n");
        var second = first with { Kind = ClaimsAcknowledgmentKind.InterchangeTa1, Code = X12AcknowledgmentCode.Rejected, ControlNumber = "000000008", Content = "TA1*000000501*260301*1200*R*001~\n" };
        await store.BeginFileAsync(hash, "claims.837", ClaimsFileKind.X12Claims, 1_000, Now, CancellationToken.None);
        var begun = await store.GetFileAsync(hash, CancellationToken.None);

        await Acknowledgments(store).SaveAcknowledgmentAsync(hash, first, CancellationToken.None);
        var saved = await OpenStore().GetFileAsync(hash, CancellationToken.None);
        await OpenStore().BeginFileAsync(hash, "claims.837", ClaimsFileKind.X12Claims, 1_000, Now.AddMinutes(1), CancellationToken.None); // the retry after a crash
        var retried = await OpenStore().GetFileAsync(hash, CancellationToken.None);
        await Acknowledgments(store).SaveAcknowledgmentAsync(hash, second, CancellationToken.None);
        await store.QuarantineAsync(hash, "No transaction set of the file was accepted.", new ClaimsFileCounts(2, 2, 0, 2, 2, 0), [], [], Done, Now.AddMinutes(2), CancellationToken.None);
        var quarantined = (await OpenStore().GetFileAsync(hash, CancellationToken.None))!;

        Assert.Null(begun!.Acknowledgment);
        Assert.Equal(first, saved!.Acknowledgment);
        Assert.Equal(first, retried!.Acknowledgment);
        Assert.Equal((second, ClaimsFileStatus.Quarantined, 0), (quarantined.Acknowledgment, quarantined.Status, quarantined.ClaimsApplied));
    }

    [Fact]
    public async Task IngestAsync_X12Files_EachAcknowledgedUnderItsOwnNumbersAndTheResentFileGetsTheSameText()
    {
        var harness = new IngestHarness(OpenStore());
        var week1 = X12Samples.File(X12Samples.Set("0001", "A", claims: 2));
        var week2 = X12Samples.File(X12Samples.Set("0001", "B", claims: 1));

        var first = await harness.IngestAsync("week1.837", week1);
        var again = await harness.IngestAsync("week1-resent.837", week1);
        var other = await harness.IngestAsync("week2.837", week2);

        Assert.Equal((ClaimsFileOutcome.Processed, ClaimsFileOutcome.Duplicate, ClaimsFileOutcome.Processed), (first.Outcome, again.Outcome, other.Outcome));
        var acknowledgment = Assert.IsType<ClaimsAcknowledgment>(first.Acknowledgment);
        Assert.Contains("AK9*A*1*1*1~", acknowledgment.Content, StringComparison.Ordinal);
        Assert.Equal(acknowledgment, again.Acknowledgment);
        var record = (await OpenStore().GetFileAsync(first.ContentHash, CancellationToken.None))!;
        Assert.Equal((acknowledgment, 2), (record.Acknowledgment, record.ClaimsApplied));
        Assert.NotEqual(acknowledgment.ControlNumber, other.Acknowledgment!.ControlNumber);
    }

    [Fact]
    public async Task StageAsync_CrashBetweenMemberWrites_NothingVisibleAndTheRetryCommitsEachClaimOnce()
    {
        var scenario = CrashScenario.Create();
        var store = OpenStore();
        await CommitFileAsync(store, "crash-earlier", scenario.Earlier);
        var before = await SnapshotAsync(store, scenario.Members);
        var earlierAffected = (await AffectedAsync(store, Hash("crash-earlier"))).Select(s => s.MemberId).ToList();
        var hash = Hash("crash-file");
        var watch = Stopwatch.StartNew();

        // Attempt 1: two batches staged, then the process dies inside the third, between member writes.
        await store.BeginFileAsync(hash, "crash.csv", ClaimsFileKind.ClaimsCsv, 10_000, Now, CancellationToken.None);
        foreach (var batch in scenario.Batches.Take(2))
        {
            await store.StageAsync(hash, batch, [], new ClaimsFileProgress(1, 1, 10_000), Now, CancellationToken.None);
        }

        var stagedBeforeCrash = await CountStagedAsync(hash, scenario.Members);
        var (crashing, crash) = OpenCrashingStore(writesBeforeCrash: 20);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => crashing.StageAsync(hash, scenario.Batches[2], [], new ClaimsFileProgress(2, 2, 10_000), Now, crash));
        var stagedAfterCrash = await CountStagedAsync(hash, scenario.Members);
        Output.WriteLine($"{GetType().Name}: staged items before the crash {stagedBeforeCrash}, after {stagedAfterCrash} ({watch.ElapsedMilliseconds} ms)");
        Assert.True(stagedBeforeCrash >= 2 * CrashScenario.BatchSize, $"{stagedBeforeCrash} items staged");
        Assert.True(CrashLeavesPartOfABatch ? stagedAfterCrash > stagedBeforeCrash : stagedAfterCrash == stagedBeforeCrash, $"{stagedBeforeCrash} -> {stagedAfterCrash}");

        var reader = OpenStore();
        await AssertNothingOfTheFileVisibleAsync(reader, hash, scenario, before, earlierAffected);

        // The retry: same content hash, from the beginning, on a new store object.
        var retry = OpenStore();
        await retry.BeginFileAsync(hash, "crash.csv", ClaimsFileKind.ClaimsCsv, 10_000, Now.AddMinutes(5), CancellationToken.None);
        await AssertNothingOfTheFileVisibleAsync(OpenStore(), hash, scenario, before, earlierAffected);
        foreach (var batch in scenario.Batches)
        {
            await retry.StageAsync(hash, batch, [], new ClaimsFileProgress(3, 3, 10_000), Now.AddMinutes(5), CancellationToken.None);
        }

        await retry.CommitAsync(hash, new ClaimsFileCounts(scenario.File.Count, scenario.File.Count, 0, scenario.File.Count, scenario.File.Count, 0), [], [], Done, AsOf, Now.AddMinutes(6), CancellationToken.None);
        Output.WriteLine($"{GetType().Name}: crash and retry of {scenario.File.Count} claims in {watch.ElapsedMilliseconds} ms");

        await AssertCommittedOnceAsync(OpenStore(), hash, scenario);
    }

    [Fact]
    public async Task CommitAsync_CrashBetweenStagingAndCommit_NothingVisibleAndTheRetryCommitsEachClaimOnce()
    {
        var scenario = CrashScenario.Create();
        var store = OpenStore();
        await CommitFileAsync(store, "crash-earlier", scenario.Earlier);
        var before = await SnapshotAsync(store, scenario.Members);
        var earlierAffected = (await AffectedAsync(store, Hash("crash-earlier"))).Select(s => s.MemberId).ToList();
        var hash = Hash("crash-file");

        // Attempt 1: every batch staged, then the process dies before the commit.
        await store.BeginFileAsync(hash, "crash.csv", ClaimsFileKind.ClaimsCsv, 10_000, Now, CancellationToken.None);
        foreach (var batch in scenario.Batches)
        {
            await store.StageAsync(hash, batch, [], new ClaimsFileProgress(1, 1, 10_000), Now, CancellationToken.None);
        }

        Assert.True(await CountStagedAsync(hash, scenario.Members) >= scenario.File.Count);
        await AssertNothingOfTheFileVisibleAsync(OpenStore(), hash, scenario, before, earlierAffected);

        var retry = OpenStore();
        await retry.BeginFileAsync(hash, "crash.csv", ClaimsFileKind.ClaimsCsv, 10_000, Now.AddMinutes(5), CancellationToken.None);
        foreach (var batch in scenario.Batches)
        {
            await retry.StageAsync(hash, batch, [], new ClaimsFileProgress(3, 3, 10_000), Now.AddMinutes(5), CancellationToken.None);
        }

        await retry.CommitAsync(hash, new ClaimsFileCounts(scenario.File.Count, scenario.File.Count, 0, scenario.File.Count, scenario.File.Count, 0), [], [], Done, AsOf, Now.AddMinutes(6), CancellationToken.None);

        await AssertCommittedOnceAsync(OpenStore(), hash, scenario);
    }

    private static async Task AssertNothingOfTheFileVisibleAsync(IClaimsStore reader, string hash, CrashScenario scenario, Dictionary<string, List<string>> before, List<string> earlierAffected)
    {
        var file = (await reader.GetFileAsync(hash, CancellationToken.None))!;
        Assert.Equal((ClaimsFileStatus.Staging, ClaimsFileCounts.Empty), (file.Status, file.Counts));
        Assert.Empty(file.Rejects);
        Assert.Empty(await AffectedAsync(reader, hash));
        Assert.Equal(before, await SnapshotAsync(reader, scenario.Members));
        var withHash = await Task.WhenAll(scenario.Members.Select(m => reader.GetMemberAsync(m, hash, CancellationToken.None)));
        Assert.All(withHash, s => Assert.Empty(s.ClaimIdsFromFile));

        Assert.Equal(earlierAffected, (await AffectedAsync(reader, Hash("crash-earlier"))).Select(s => s.MemberId));
    }

    private static async Task AssertCommittedOnceAsync(IClaimsStore reader, string hash, CrashScenario scenario)
    {
        Assert.Equal(ClaimsFileStatus.Committed, (await reader.GetFileAsync(hash, CancellationToken.None))!.Status);
        var expected = CurrentClaims(scenario.Earlier, scenario.File);
        var actual = await SnapshotAsync(reader, scenario.Members);
        Assert.Equal(scenario.Members.ToDictionary(m => m, m => expected.GetValueOrDefault(m) ?? []), actual);
        Assert.Equal(actual.Values.Sum(v => v.Count), actual.Values.SelectMany(v => v.Select(t => t.Split('|')[0])).Distinct().Count());
        var affected = await AffectedAsync(reader, hash);
        Assert.Equal(scenario.ExpectedAffected, affected.Select(s => s.MemberId));
        Assert.Equal(scenario.File.Where(c => c.Frequency != ClaimFrequency.Void).Select(c => c.ClaimId).Order(StringComparer.Ordinal),
            affected.SelectMany(s => s.ClaimIdsFromFile).Order(StringComparer.Ordinal));
    }

    /// <summary>Begins, stages (in one batch), commits and completes a file; returns its claims.</summary>
    protected static async Task<IReadOnlyList<Claim>> CommitFileAsync(IClaimsStore store, string name, IReadOnlyList<Claim> claims, IReadOnlyList<EligibilitySpan>? coverage = null)
    {
        var hash = Hash(name);
        await store.BeginFileAsync(hash, name + ".csv", coverage is null ? ClaimsFileKind.ClaimsCsv : ClaimsFileKind.EligibilityCsv, null, Now, CancellationToken.None);
        await store.StageAsync(hash, claims, coverage ?? [], Done, Now, CancellationToken.None);
        await store.CommitAsync(hash, new ClaimsFileCounts(claims.Count, claims.Count, 0, claims.Count, claims.Count, 0), [], [], Done, AsOf, Now, CancellationToken.None);
        await store.CompleteAsync(hash, Now, CancellationToken.None);
        return claims;
    }

    /// <summary>The store's acknowledgment part: every claims store the product ships keeps acknowledgments.</summary>
    private static IClaimsAcknowledgmentStore Acknowledgments(IClaimsStore store) => Assert.IsAssignableFrom<IClaimsAcknowledgmentStore>(store);

    protected static async Task<List<MemberClaimsSnapshot>> AffectedAsync(IClaimsStore store, string hash)
    {
        var snapshots = new List<MemberClaimsSnapshot>();
        await foreach (var snapshot in store.ReadMembersAffectedByAsync(hash, CancellationToken.None))
        {
            snapshots.Add(snapshot);
        }

        return snapshots;
    }

    private static async Task<Dictionary<string, List<string>>> SnapshotAsync(IClaimsStore store, IEnumerable<string> members)
    {
        var list = members.ToList();
        var snapshots = await Task.WhenAll(list.Select(m => store.GetMemberAsync(m, null, CancellationToken.None)));
        return list.Zip(snapshots).ToDictionary(p => p.First, p => Texts(p.Second.CurrentClaims), StringComparer.Ordinal);
    }

    /// <summary>Claims as comparable texts in claim id order (the port promises no order of a member's claims).</summary>
    private static List<string> Texts(params IEnumerable<Claim> claims) => claims.OrderBy(c => c.ClaimId, StringComparer.Ordinal).Select(Text).ToList();

    private static List<string> Ids(IEnumerable<Claim> claims) => claims.Select(c => c.ClaimId).Order(StringComparer.Ordinal).ToList();

    private static MemberMonth Month(string member, string month, int stays, decimal paid) =>
        new(member, D(month), true, stays, 1, 2, paid, paid + 0.01m, 1, 0, 0, 3);

    private static CareGap Gap(string member, CareGapMeasure measure, string index, CareGapStatus status, DateOnly? closedOn) =>
        new(CareGap.MakeId(measure, member, D(index)), member, measure, D(index), D(index).AddDays(1), D(index).AddDays(7), status, closedOn, ["icd10:F322", "rev:0124"]);

    private static ClaimsTrigger Trigger(string hash, string member, ClaimsTriggerKind kind, string date) =>
        new(ClaimsTrigger.MakeId(member, kind, hash + "|" + date), member, kind, D(date), D(date).AddDays(7), ["icd10:F322", "count:2"]);

    /// <summary>
    /// An earlier committed file (32 claims over 10 members), then a file of 80 claims in 5 batches of 16: new claims,
    /// replacements that stay with their member or move to another one, and voids of earlier claims.
    /// </summary>
    private sealed record CrashScenario(IReadOnlyList<Claim> Earlier, IReadOnlyList<Claim> File, IReadOnlyList<IReadOnlyList<Claim>> Batches, IReadOnlyList<string> Members, IReadOnlyList<string> ExpectedAffected)
    {
        public const int BatchSize = 16;

        public static CrashScenario Create()
        {
            const int memberCount = 10;
            string Member(int i) => $"M{i % memberCount:D2}";
            var earlier = Enumerable.Range(0, 32).Select(i => i % 3 == 0 ? Stay($"A{i:D3}", Member(i), "2026-02-01", "2026-02-03", paid: 1_000m + i) : Visit($"A{i:D3}", Member(i), "2026-02-10", paid: 100m + i)).ToList();
            var file = new List<Claim>();
            for (var i = 0; i < 80; i++)
            {
                file.Add((i % 10) switch
                {
                    0 => Visit($"A{i / 10 * 4:D3}", Member((i / 10 * 4) + 5), "2026-02-11", paid: 200m + i, frequency: ClaimFrequency.Replacement), // moves
                    1 => Visit($"A{(i / 10 * 4) + 1:D3}", Member((i / 10 * 4) + 1), "2026-02-12", paid: 300m + i, frequency: ClaimFrequency.Replacement),
                    2 => Visit($"A{(i / 10 * 4) + 2:D3}", Member((i / 10 * 4) + 2), "2026-02-10", frequency: ClaimFrequency.Void),
                    _ => i % 2 == 0 ? Visit($"N{i:D3}", Member(i), "2026-03-01", paid: 50m + i) : Fill($"N{i:D3}", Member(i), "2026-03-02", paid: 10m + i),
                });
            }

            var batches = file.Chunk(BatchSize).Select(b => (IReadOnlyList<Claim>)b).ToList();
            var members = Enumerable.Range(0, memberCount).Select(Member).ToList();
            var previous = earlier.ToDictionary(c => c.ClaimId, c => c.MemberId, StringComparer.Ordinal);
            var affected = file.Select(c => c.MemberId).Concat(file.Where(c => previous.ContainsKey(c.ClaimId)).Select(c => previous[c.ClaimId]))
                .Distinct().Order(StringComparer.Ordinal).ToList();
            return new CrashScenario(earlier, file, batches, members, affected);
        }
    }
}
