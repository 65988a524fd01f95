using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Cases;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Cases;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>The step-command ledger's contract, the same assertions on every adapter: one answer per step, whatever the timing.</summary>
public abstract class StepCommandLedgerContract
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    protected abstract Task<IStepCommandLedger> CreateAsync();

    private static EngagementId NewEngagement() => EngagementId.Parse(Guid.NewGuid().ToString("N"));

    private static StepCommand Review(int number, string content) => StepCommand.For($"review:{number}", new { content }, "ReviewCompleted", At);

    [Fact]
    public async Task Claim_FirstAnswer_IsClaimed_SameAgainIsSame_DifferentIsOtherWithTheRecordedOne()
    {
        var ledger = await CreateAsync();
        var engagement = NewEngagement();
        var first = StepCommand.For("provider-response:O1", new { response = "WillCollaborate" }, "WillCollaborate", At);
        var other = StepCommand.For("provider-response:O1", new { response = "DeclinesCollaboration" }, "DeclinesCollaboration", At);

        var claimed = await ledger.ClaimAsync(engagement, first);
        var same = await ledger.ClaimAsync(engagement, first with { ClaimedAt = At.AddSeconds(1) });
        var refused = await ledger.ClaimAsync(engagement, other);

        Assert.Equal(StepCommandClaimOutcome.Claimed, claimed.Outcome);
        Assert.Equal(StepCommandClaimOutcome.SameCommand, same.Outcome);
        Assert.False(same.Recorded.Raised);
        Assert.Equal(StepCommandClaimOutcome.OtherCommand, refused.Outcome);
        Assert.Equal("WillCollaborate", refused.Recorded.Recorded);
        Assert.Equal(first.Fingerprint, refused.Recorded.Fingerprint);
    }

    [Fact]
    public async Task Claim_KeysAreSeparatePerStepAndPerEngagement()
    {
        var ledger = await CreateAsync();
        var engagement = NewEngagement();

        Assert.Equal(StepCommandClaimOutcome.Claimed, (await ledger.ClaimAsync(engagement, Review(1, "a"))).Outcome);
        Assert.Equal(StepCommandClaimOutcome.Claimed, (await ledger.ClaimAsync(engagement, Review(2, "b"))).Outcome);
        Assert.Equal(StepCommandClaimOutcome.Claimed, (await ledger.ClaimAsync(NewEngagement(), Review(1, "b"))).Outcome);
    }

    [Fact]
    public async Task Claim_ManyDifferentAnswersAtOnce_ExactlyOneIsClaimed_AndEveryOtherSeesIt()
    {
        var ledger = await CreateAsync();
        var engagement = NewEngagement();

        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => ledger.ClaimAsync(engagement, Review(1, "answer " + i)))));

        var winner = Assert.Single(claims, c => c.Outcome == StepCommandClaimOutcome.Claimed);
        Assert.All(claims.Where(c => c != winner), c =>
        {
            Assert.Equal(StepCommandClaimOutcome.OtherCommand, c.Outcome);
            Assert.Equal(winner.Recorded.Fingerprint, c.Recorded.Fingerprint);
        });
    }

    [Fact]
    public async Task Release_UnraisedClaim_OpensTheStepAgain_ButNotAnotherCommandsOrARaisedOne()
    {
        var ledger = await CreateAsync();
        var engagement = NewEngagement();
        var refused = Review(1, "did not fit");
        var later = Review(1, "the real review");

        await ledger.ClaimAsync(engagement, refused);
        await ledger.ReleaseAsync(engagement, later); // not the recorded one: nothing happens
        Assert.Equal(StepCommandClaimOutcome.OtherCommand, (await ledger.ClaimAsync(engagement, later)).Outcome);

        await ledger.ReleaseAsync(engagement, refused);
        Assert.Equal(StepCommandClaimOutcome.Claimed, (await ledger.ClaimAsync(engagement, later)).Outcome);

        await ledger.MarkRaisedAsync(engagement, later.Key);
        await ledger.ReleaseAsync(engagement, later); // raised: stays
        var again = await ledger.ClaimAsync(engagement, later);
        Assert.Equal(StepCommandClaimOutcome.SameCommand, again.Outcome);
        Assert.True(again.Recorded.Raised);
    }
}

public sealed class SqliteStepCommandLedgerContractTests : StepCommandLedgerContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-step-commands-").FullName;

    protected override Task<IStepCommandLedger> CreateAsync() =>
        Task.FromResult<IStepCommandLedger>(new SqliteStepCommandLedger(Path.Combine(_folder, "mets-cases.db")));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

[Collection(CosmosServerGroup.Name)]
public sealed class CosmosStepCommandLedgerContractTests(CosmosServerFixture server) : StepCommandLedgerContract, IDisposable
{
    private readonly List<CosmosClient> _clients = [];

    protected override async Task<IStepCommandLedger> CreateAsync()
    {
        var options = server.Options();
        var client = CosmosServerFixture.CreateClient(options);
        _clients.Add(client);
        var database = await CosmosLayout.CreateIfNotExistsAsync(client, options.Database, CancellationToken.None);
        return new CosmosStepCommandLedger(database.GetContainer(CosmosLayout.Cases.Name));
    }

    public void Dispose() => _clients.ForEach(c => c.Dispose());
}
