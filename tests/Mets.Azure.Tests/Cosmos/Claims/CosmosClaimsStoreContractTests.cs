using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Claims;
using Mets.Claims.Storage;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>The contract on the Cosmos DB adapter against the test server (a fresh database per test).</summary>
[Collection(CosmosServerGroup.Name)]
public sealed class CosmosClaimsStoreContractTests(CosmosServerFixture server, ITestOutputHelper output) : ClaimsStoreContract(output)
{
    private readonly CosmosOptions _options = server.Options();
    private readonly List<CosmosClient> _clients = [];
    private readonly RequestCounter _requests = new();

    protected override bool CrashLeavesPartOfABatch => true;

    public override async Task InitializeAsync()
    {
        await CosmosLayout.CreateIfNotExistsAsync(Client(CosmosServerFixture.CreateClient(_options)), _options.Database, CancellationToken.None);
    }

    /// <summary>A new client and a new store: nothing carried over from the previous store object.</summary>
    protected override IClaimsStore OpenStore() => new CosmosClaimsStore(Client(ClaimsCosmosClients.Counting(_options, _requests)).GetDatabase(_options.Database), _options);

    protected override (IClaimsStore Store, CancellationToken Crash) OpenCrashingStore(int writesBeforeCrash)
    {
        var crash = new CancellationTokenSource();
        var client = Client(ClaimsCosmosClients.Crashing(_options, writesBeforeCrash, crash));
        return (new CosmosClaimsStore(client.GetDatabase(_options.Database), _options), crash.Token);
    }

    protected override Task<int> CountStagedAsync(string contentHash, IReadOnlyCollection<string> members) =>
        ClaimsCosmosClients.CountStagedAsync(_clients[0].GetContainer(_options.Database, CosmosLayout.Claims.Name), contentHash, members);

    public override Task DisposeAsync()
    {
        Output.WriteLine($"Cosmos test server: {_requests}");
        _clients.ForEach(c => c.Dispose());
        return Task.CompletedTask;
    }

    private CosmosClient Client(CosmosClient client)
    {
        _clients.Add(client);
        return client;
    }
}
