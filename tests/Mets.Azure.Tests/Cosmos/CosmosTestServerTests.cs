using System.Net;
using Mets.Azure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Tests.Cosmos;

/// <summary>
/// What the test server does and does not do (docs/cosmos.md lists it): these tests fail the day a new
/// version of @vercel/cosmosdb-server closes a gap, so the workaround can go.
/// </summary>
[Collection(CosmosServerGroup.Name)]
public sealed class CosmosTestServerTests(CosmosServerFixture server)
{
    private sealed record Item(string Id, string Pk, int V);

    [Fact]
    public async Task PointRead_MissingItem_ServerAnswers500_FixtureAnswers404LikeCosmos()
    {
        var options = server.Options();
        using var raw = CosmosServerFixture.CreateRawClient(options);
        using var fixed404 = CosmosServerFixture.CreateClient(options);
        var container = await CreateAsync(raw, options.Database);

        using var rawAnswer = await container.ReadItemStreamAsync("missing", new PartitionKey("p1"));
        var notFound = await Assert.ThrowsAsync<CosmosException>(() => fixed404.GetContainer(options.Database, "probe").ReadItemAsync<Item>("missing", new PartitionKey("p1")));

        Assert.Equal(HttpStatusCode.InternalServerError, rawAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
    }

    [Fact]
    public async Task Operations_TheAdaptersUse_WorkOnTheServer()
    {
        var options = server.Options();
        using var client = CosmosServerFixture.CreateClient(options);
        var container = await CreateAsync(client, options.Database);

        var created = await container.CreateItemAsync(new Item("a", "p1", 1), new PartitionKey("p1"));
        var duplicate = await Assert.ThrowsAsync<CosmosException>(() => container.CreateItemAsync(new Item("a", "p1", 1), new PartitionKey("p1")));
        var stale = await Assert.ThrowsAsync<CosmosException>(() => container.ReplaceItemAsync(new Item("a", "p1", 2), "a", new PartitionKey("p1"), new ItemRequestOptions { IfMatchEtag = "\"stale\"" }));
        var replaced = await container.ReplaceItemAsync(new Item("a", "p1", 2), "a", new PartitionKey("p1"), new ItemRequestOptions { IfMatchEtag = created.ETag });
        await container.UpsertItemAsync(new Item("b", "p1", 5), new PartitionKey("p1"));
        var found = new List<Item>();
        var query = container.GetItemQueryIterator<Item>(
            new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk AND c.v > @v").WithParameter("@pk", "p1").WithParameter("@v", 1),
            requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey("p1") });
        while (query.HasMoreResults)
        {
            found.AddRange(await query.ReadNextAsync());
        }

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(2, replaced.Resource.V);
        Assert.Equal(["a", "b"], found.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task Gaps_CrossPartitionQueryAndTransactionalBatch_FailOnTheServer()
    {
        var options = server.Options();
        using var client = CosmosServerFixture.CreateClient(options);
        var container = await CreateAsync(client, options.Database);
        await container.CreateItemAsync(new Item("a", "p1", 1), new PartitionKey("p1"));

        var crossPartition = container.GetItemQueryIterator<Item>(new QueryDefinition("SELECT * FROM c WHERE c.v > 0"));
        await Assert.ThrowsAnyAsync<Exception>(() => crossPartition.ReadNextAsync());
        using var batch = await container.CreateTransactionalBatch(new PartitionKey("p1")).CreateItem(new Item("x", "p1", 1)).ExecuteAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, batch.StatusCode);
    }

    private static async Task<Container> CreateAsync(CosmosClient client, string database)
    {
        var db = (await client.CreateDatabaseIfNotExistsAsync(database)).Database;
        return (await db.CreateContainerIfNotExistsAsync(new ContainerProperties("probe", "/pk"))).Container;
    }
}
