using Mets.Claims.Analytics;
using Mets.Claims.Storage;
using Microsoft.Data.Sqlite;

namespace Mets.Claims.Tests.Storage.Sqlite;

/// <summary>The bulk paths (statements bound by position) write inside the call's transaction: a failure part-way
/// through a call leaves nothing of that call.</summary>
public class SqliteClaimsStoreTests
{
    private static readonly DateOnly Day = new(2026, 3, 2);

    [Fact]
    public async Task StageAsync_StatementFailingPartWayThroughABatch_LeavesNothingOfThatBatch()
    {
        using var host = new ClaimsTestHost();
        var store = host.Sqlite;
        await store.BeginFileAsync("h1", "f.csv", ClaimsFileKind.ClaimsCsv, null, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await store.StageAsync("h1", [Visit("C1"), Visit("C2")], [], ClaimsFileProgress.None, DateTimeOffset.UnixEpoch, CancellationToken.None);

        // The second claim of the next batch has no id (it cannot be encoded nor stored), after the first was inserted.
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            store.StageAsync("h1", [Visit("C3"), Visit(null!)], [], ClaimsFileProgress.None, DateTimeOffset.UnixEpoch, CancellationToken.None));

        Assert.Equal(2, await store.CountAsync("claim_versions", CancellationToken.None));
    }

    [Fact]
    public async Task SaveMemberAnalysesAsync_StatementFailingPartWayThroughABatch_LeavesNothingOfThatBatch()
    {
        using var host = new ClaimsTestHost();
        var store = host.Sqlite;
        var gap = new CareGap("G1", "M1", CareGapMeasure.FollowUpAfterHospitalization7, Day, Day.AddDays(1), Day.AddDays(7), CareGapStatus.Open, null, []);
        var month = new MemberMonth("M1", new DateOnly(2026, 3, 1), true, 1, 0, 0, 10m, 10m, 0, 0, 0, 0);

        // The same gap id twice in one batch: care_gaps.gap_id is the primary key.
        await Assert.ThrowsAsync<SqliteException>(() => store.SaveMemberAnalysesAsync("h1",
            [new MemberAnalysis("M1", [month], [gap], []), new MemberAnalysis("M2", [month with { MemberId = "M2" }], [gap], [])], CancellationToken.None));

        Assert.Equal((0L, 0L), (await store.CountAsync("member_months", CancellationToken.None), await store.CountAsync("care_gaps", CancellationToken.None)));
        await store.SaveMemberAnalysesAsync("h1", [new MemberAnalysis("M1", [month], [gap], [])], CancellationToken.None);
        Assert.Equal([month], await store.GetMemberMonthsAsync("M1", CancellationToken.None));
        Assert.Equal(gap.Id, Assert.Single(await store.GetCareGapsAsync("M1", CancellationToken.None)).Id);
    }

    private static Claim Visit(string id) => new(id, ClaimFrequency.Original, "M1", ClaimType.Professional, null, null, "11", null,
        [new DiagnosisCode("F329", DiagnosisCodeSystem.Icd10Cm)], "1234567893",
        [new ClaimLine(1, Day, Day, "11", null, "90837", [], null, null, null, null, 1, null, 100m, ClaimLineStatus.Paid)]);
}
