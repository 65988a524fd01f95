using System.Net;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Emails;
using Mets.Azure.Emails;
using Microsoft.Azure.Cosmos;
using Moq;

namespace Mets.Azure.Tests.Cosmos.Emails;

/// <summary>The sent-email ledger's contract, the same assertions on every adapter.</summary>
public abstract class SentEmailLedgerContract
{
    private const string Key = "E-123-Review#1-reminder-202601120900";

    protected abstract Task<ISentEmailLedger> CreateAsync();

    [Fact]
    public async Task WasSentAsync_UnknownKey_IsFalse()
    {
        var ledger = await CreateAsync();

        Assert.False(await ledger.WasSentAsync(Key, CancellationToken.None));
    }

    [Fact]
    public async Task RecordSentAsync_ThenWasSent_IsTrueForThatKeyOnly()
    {
        var ledger = await CreateAsync();

        await ledger.RecordSentAsync(Key, DateTimeOffset.UnixEpoch, CancellationToken.None);

        Assert.True(await ledger.WasSentAsync(Key, CancellationToken.None));
        Assert.False(await ledger.WasSentAsync(Key + "-other", CancellationToken.None));
    }

    [Fact]
    public async Task RecordSentAsync_SameKeyConcurrently_RecordsOnceWithoutError()
    {
        var ledger = await CreateAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => ledger.RecordSentAsync(Key, DateTimeOffset.UnixEpoch, CancellationToken.None))));

        Assert.True(await ledger.WasSentAsync(Key, CancellationToken.None));
    }
}

public sealed class SqliteSentEmailLedgerContractTests : SentEmailLedgerContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-ledger-").FullName;

    protected override Task<ISentEmailLedger> CreateAsync() => Task.FromResult<ISentEmailLedger>(new SqliteSentEmailLedger(Path.Combine(_folder, "sent.db")));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

[Collection(CosmosServerGroup.Name)]
public sealed class CosmosSentEmailLedgerContractTests(CosmosServerFixture server) : SentEmailLedgerContract, IDisposable
{
    private readonly List<CosmosClient> _clients = [];

    protected override async Task<ISentEmailLedger> CreateAsync()
    {
        var options = server.Options();
        var client = CosmosServerFixture.CreateClient(options);
        _clients.Add(client);
        var database = await CosmosLayout.CreateIfNotExistsAsync(client, options.Database, CancellationToken.None);
        return new CosmosSentEmailLedger(database.GetContainer(CosmosLayout.SentEmails.Name));
    }

    public void Dispose() => _clients.ForEach(c => c.Dispose());
}

/// <summary>The exact requests, and what the adapter does with the answers the test server cannot give.</summary>
public sealed class CosmosSentEmailLedgerRequestTests
{
    private const string Key = "E-1-request";

    [Fact]
    public async Task WasSentAsync_PointReadsTheHashedKeyInItsOwnPartition_404IsFalse()
    {
        var id = CosmosSentEmailLedger.ItemId(Key);
        var container = new Mock<Container>(MockBehavior.Strict);
        container.Setup(c => c.ReadItemAsync<CosmosSentEmailLedger.SentEmail>(id, new PartitionKey(id), null, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("not found", HttpStatusCode.NotFound, 0, "a1", 1));

        Assert.False(await new CosmosSentEmailLedger(container.Object).WasSentAsync(Key, CancellationToken.None));
        Assert.Equal(64, id.Length);
        Assert.DoesNotContain(Key, id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordSentAsync_CreatesAndTreats409AsRecorded_OtherErrorsSurface()
    {
        var id = CosmosSentEmailLedger.ItemId(Key);
        var container = new Mock<Container>(MockBehavior.Strict);
        container.SetupSequence(c => c.CreateItemAsync(It.Is<CosmosSentEmailLedger.SentEmail>(e => e.Id == id), new PartitionKey(id), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("exists", HttpStatusCode.Conflict, 0, "a2", 1))
            .ThrowsAsync(new CosmosException("busy", HttpStatusCode.ServiceUnavailable, 0, "a3", 1));
        var ledger = new CosmosSentEmailLedger(container.Object);

        await ledger.RecordSentAsync(Key, DateTimeOffset.UnixEpoch, CancellationToken.None);
        var unavailable = await Assert.ThrowsAsync<CosmosException>(() => ledger.RecordSentAsync(Key, DateTimeOffset.UnixEpoch, CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
    }
}
