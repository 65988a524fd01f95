using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mets.Azure.Cosmos;

/// <summary>
/// Runs before every other hosted service (registered first): creates the database and containers when told to
/// (tests, the local host), otherwise checks that they exist, all within <see cref="CosmosOptions.StartupTimeout"/>,
/// so a missing container or a hung endpoint stops start-up with a message naming the setting instead of
/// failing the first request (a hung endpoint otherwise holds a call for about 36 s).
/// </summary>
public sealed class CosmosStartupCheck(CosmosClient client, IOptions<CosmosOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.StartupTimeout);
        try
        {
            await CheckAsync(settings, timeout.Token).WaitAsync(settings.StartupTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new InvalidOperationException(
                $"Cosmos DB at {settings.Endpoint} did not answer within {settings.StartupTimeout} (check Cosmos:Endpoint, the network and Cosmos:StartupTimeout).", e);
        }
        catch (CosmosException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException(
                $"Cosmos DB database '{settings.Database}' or one of its containers is missing at {settings.Endpoint} (Cosmos:Database): deploy infra/, which creates them (docs/cosmos.md).", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CheckAsync(CosmosOptions settings, CancellationToken cancellationToken)
    {
        if (settings.CreateIfNotExists)
        {
            await CosmosLayout.CreateIfNotExistsAsync(client, settings.Database, cancellationToken).ConfigureAwait(false);
            return;
        }

        var database = client.GetDatabase(settings.Database);
        foreach (var container in CosmosLayout.All)
        {
            await database.GetContainer(container.Name).ReadContainerAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
