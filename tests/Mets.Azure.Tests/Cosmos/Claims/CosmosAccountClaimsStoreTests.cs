using System.Diagnostics;
using System.Reflection;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Claims;
using Mets.Claims.Storage;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>A fact that runs only when a real Cosmos DB account is configured; otherwise it shows as skipped, with why.</summary>
public sealed class CosmosAccountFactAttribute : FactAttribute
{
    public const string EndpointVariable = "METS_TEST_COSMOS_ENDPOINT";
    public const string KeyVariable = "METS_TEST_COSMOS_KEY";

    public CosmosAccountFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)) || string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KeyVariable)))
        {
            Skip = $"{EndpointVariable} and {KeyVariable} are not set: the contract against a real Cosmos DB account is skipped (it runs against the test server in CosmosClaimsStoreContractTests).";
        }
    }

    /// <summary>Options for a new database on the configured account (key auth; the database is deleted afterwards).</summary>
    public static CosmosOptions Options() => new()
    {
        Endpoint = new Uri(Environment.GetEnvironmentVariable(EndpointVariable)!),
        Key = Environment.GetEnvironmentVariable(KeyVariable),
        Database = $"mets-test-{Guid.NewGuid():N}"[..26],
        CreateIfNotExists = true,
    };
}

/// <summary>
/// The claims store contract against a real account: every scenario of <see cref="ClaimsStoreContract"/>, each on a
/// database of its own that is deleted afterwards. (xunit cannot skip an inherited fact at run time, so one fact runs
/// them all and names each one that failed.)
/// </summary>
public sealed class CosmosAccountClaimsStoreTests(ITestOutputHelper output)
{
    [CosmosAccountFact]
    public async Task Contract_OnTheConfiguredAccount_HoldsInEveryScenario()
    {
        var scenarios = typeof(ClaimsStoreContract).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsDefined(typeof(FactAttribute), inherit: true)).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var failures = new List<string>();
        foreach (var scenario in scenarios)
        {
            var contract = new AccountContract(CosmosAccountFactAttribute.Options(), output);
            var watch = Stopwatch.StartNew();
            await contract.InitializeAsync();
            try
            {
                await (Task)scenario.Invoke(contract, null)!;
                output.WriteLine($"passed {scenario.Name} ({watch.ElapsedMilliseconds} ms)");
            }
#pragma warning disable CA1031 // every scenario runs; each failure is collected with its name and reported below
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"{scenario.Name}: {e}");
            }
            finally
            {
                await contract.DisposeAsync();
            }
        }

        Assert.NotEmpty(scenarios);
        Assert.Empty(failures);
    }

    /// <summary>Not public: xunit must not run it on its own (it needs the account).</summary>
    private sealed class AccountContract(CosmosOptions options, ITestOutputHelper output) : ClaimsStoreContract(output)
    {
        private readonly List<CosmosClient> _clients = [];
        private readonly RequestCounter _requests = new();

        protected override bool CrashLeavesPartOfABatch => true;

        public override Task InitializeAsync() => CosmosLayout.CreateIfNotExistsAsync(Client(CosmosClientFactory.Create(options)), options.Database, CancellationToken.None);

        /// <summary>A new client and store; its requests and the charges the account reports are counted.</summary>
        protected override IClaimsStore OpenStore() =>
            new CosmosClaimsStore(Client(CosmosClientFactory.Create(options, () => ClaimsCosmosClients.CountingOnAccount(_requests))).GetDatabase(options.Database), options);

        protected override (IClaimsStore Store, CancellationToken Crash) OpenCrashingStore(int writesBeforeCrash)
        {
            var crash = new CancellationTokenSource();
            var client = Client(ClaimsCosmosClients.CrashingOnAccount(options, writesBeforeCrash, crash));
            return (new CosmosClaimsStore(client.GetDatabase(options.Database), options), crash.Token);
        }

        protected override Task<int> CountStagedAsync(string contentHash, IReadOnlyCollection<string> members) =>
            ClaimsCosmosClients.CountStagedAsync(_clients[0].GetContainer(options.Database, CosmosLayout.Claims.Name), contentHash, members);

        public override async Task DisposeAsync()
        {
            Output.WriteLine($"  {_requests}");
            await _clients[0].GetDatabase(options.Database).DeleteAsync();
            _clients.ForEach(c => c.Dispose());
        }

        private CosmosClient Client(CosmosClient client)
        {
            _clients.Add(client);
            return client;
        }
    }
}
