using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Emails;
using Mets.Azure.Emails;
using Mets.Workflow;
using Mets.Workflow.ClaimsIntake;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mets.Azure.Tests.Cosmos;

/// <summary>AddMetsAzureAdapters with a <c>Cosmos</c> section: the Cosmos stores replace the embedded ones, checked at start.</summary>
[Collection(CosmosServerGroup.Name)]
public sealed class CosmosCompositionTests(CosmosServerFixture server) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-cosmos-composition-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void CosmosSection_RegistersTheCosmosStoresAndTheStartupCheckFirst()
    {
        var services = Compose(Settings(server.Options()));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<CosmosSentEmailLedger>(provider.GetRequiredService<ISentEmailLedger>());
        Assert.IsType<Mets.Azure.Cosmos.Cases.CosmosCaseStore>(provider.GetRequiredService<Mets.Workflow.Cases.ICaseStore>());
        Assert.IsType<Mets.Azure.Cosmos.Claims.CosmosClaimsStore>(provider.GetRequiredService<Mets.Claims.Storage.IClaimsStore>());
        Assert.Single(provider.GetServices<Mets.Claims.Storage.IClaimsStore>());
        Assert.Equal(typeof(CosmosStartupCheck), services.First(d => d.ServiceType == typeof(IHostedService)).ImplementationType);
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData(null, "Cosmos:Endpoint is required")]
    [InlineData("http://127.0.0.1:8081/", "Cosmos:Endpoint must be an absolute https URI")]
    public void CosmosSection_BadEndpoint_FailsStartValidationNamingTheSetting(string? endpoint, string expected)
    {
        using var provider = Compose(new() { ["Cosmos:Endpoint"] = endpoint, ["Cosmos:Database"] = "mets" }).BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupCheck_CreateIfNotExists_CreatesEveryContainerOfTheLayout()
    {
        var options = server.Options();
        using var client = CosmosServerFixture.CreateClient(options);

        await new CosmosStartupCheck(client, Microsoft.Extensions.Options.Options.Create(options)).StartAsync(CancellationToken.None);

        foreach (var container in CosmosLayout.All)
        {
            var properties = (await client.GetDatabase(options.Database).GetContainer(container.Name).ReadContainerAsync()).Resource;
            Assert.Equal(container.PartitionKeyPath, properties.PartitionKeyPath);
        }
    }

    [Fact]
    public async Task StartupCheck_ContainersMissingOnAzure_FailsNamingTheDatabaseSetting()
    {
        var options = server.Options();
        options.CreateIfNotExists = false;
        using var client = CosmosServerFixture.CreateClient(options);
        await client.CreateDatabaseIfNotExistsAsync(options.Database);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new CosmosStartupCheck(client, Microsoft.Extensions.Options.Options.Create(options)).StartAsync(CancellationToken.None));

        Assert.Contains("Cosmos:Database", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploy infra/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupCheck_EndpointThatNeverAnswers_FailsWithinTheStartupTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts connections, never answers
        silent.Start();
        var options = server.Options();
        options.Endpoint = new Uri($"https://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        options.StartupTimeout = TimeSpan.FromSeconds(1);
        using var client = CosmosServerFixture.CreateClient(options);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new CosmosStartupCheck(client, Microsoft.Extensions.Options.Options.Create(options)).StartAsync(CancellationToken.None));

        Assert.Contains("did not answer within", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cosmos:Endpoint", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"start-up was held {clock.Elapsed}");
    }

    private static Dictionary<string, string?> Settings(CosmosOptions options) => new()
    {
        ["Cosmos:Endpoint"] = options.Endpoint!.ToString(),
        ["Cosmos:Database"] = options.Database,
        ["Cosmos:Key"] = options.Key,
        ["Cosmos:TestServer"] = "true",
        ["Cosmos:CreateIfNotExists"] = "true",
    };

    private IServiceCollection Compose(Dictionary<string, string?> azure)
    {
        var settings = WorkflowTestSettings.For(_folder);
        foreach (var (key, value) in azure)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddMetsWorkflowCore().AddMetsClaimsIntake(configuration).AddMetsAzureAdapters(configuration);
    }
}
