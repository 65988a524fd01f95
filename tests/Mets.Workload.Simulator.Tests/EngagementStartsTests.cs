using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Cases;
using Microsoft.Data.Sqlite;

namespace Mets.Workload.Simulator.Tests;

/// <summary>
/// The simulator's case store (<see cref="EngagementStarts"/>) tells when a referred engagement has started (its case
/// saved with the clinician assigned), and not before: the next referral's assignment counts it from then on.
/// </summary>
public sealed class EngagementStartsTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2027, 1, 4, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-engagement-starts-tests", Guid.NewGuid().ToString("N"));

    public EngagementStartsTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task WaitUntilStarted_ASaveStillReceivedIsNotTheStart_TheSaveWithTheClinicianIs()
    {
        var starts = new EngagementStarts(new SqliteCaseStore(Path.Combine(_folder, "cases.db")));
        var engagement = await ReferAsync(starts, 1);
        var received = (await starts.GetAsync(engagement))!;
        Assert.Equal(CaseSaveOutcome.Saved, (await starts.SaveAsync(received with { UpdatedAt = At.AddMinutes(1) }, "still-received")).Outcome);

        // Had that save counted, the wait would answer at once.
        var waiting = starts.WaitUntilStartedAsync(engagement, TimeSpan.FromMinutes(1));
        Assert.False(waiting.IsCompleted, "a save of the case still Received, without a clinician, is not the start");

        var current = (await starts.GetAsync(engagement))!;
        Assert.Equal(CaseSaveOutcome.Saved, (await starts.SaveAsync(Started(current), $"{engagement}:start")).Outcome);
        Assert.True(await waiting);
    }

    [Fact]
    public async Task WaitUntilStarted_AStartAppliedBeforeAndSavedAgain_IsTheStart()
    {
        var cases = new SqliteCaseStore(Path.Combine(_folder, "cases.db"));
        var starts = new EngagementStarts(cases);
        var engagement = await ReferAsync(starts, 2);
        var started = Started((await cases.GetAsync(engagement))!);
        Assert.Equal(CaseSaveOutcome.Saved, (await cases.SaveAsync(started, $"{engagement}:start")).Outcome); // not through EngagementStarts

        var waiting = starts.WaitUntilStartedAsync(engagement, TimeSpan.FromMinutes(1));
        Assert.False(waiting.IsCompleted);

        // A retried start activity: the store finds its change applied.
        Assert.Equal(CaseSaveOutcome.AlreadyApplied, (await starts.SaveAsync(started, $"{engagement}:start")).Outcome);
        Assert.True(await waiting);
    }

    [Fact]
    public async Task WaitUntilStarted_NeverStarted_AnswersFalse_AndAnEngagementNotReferredThroughItIsRefused()
    {
        var starts = new EngagementStarts(new SqliteCaseStore(Path.Combine(_folder, "cases.db")));
        var engagement = await ReferAsync(starts, 3);

        Assert.False(await starts.WaitUntilStartedAsync(engagement, TimeSpan.FromMilliseconds(20)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => starts.WaitUntilStartedAsync(engagement, TimeSpan.FromMinutes(1)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => starts.WaitUntilStartedAsync(EngagementId.New(Guid.NewGuid()), TimeSpan.FromMinutes(1)));
    }

    private static async Task<EngagementId> ReferAsync(EngagementStarts cases, int member)
    {
        var referral = new Referral(
            ReferralId.Parse($"SIM-T{member}"), MemberId.Create("SIM", $"T{member}"), ReferralSource.PrimaryCare, ReferralReason.OpenCareGap, null,
            [IcdCode.Parse("F33.1")], ReferralUrgency.Routine, false, false, [], At);
        var intake = await cases.ReceiveReferralAsync(referral, EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), referral, At));
        Assert.Equal(ReferralIntakeKind.Created, intake.Kind);
        return intake.EngagementId;
    }

    private static EngagementCase Started(EngagementCase received) =>
        received.Start(StaffId.Parse("clin.01"), At.AddDays(7), At.AddDays(180), At);
}
