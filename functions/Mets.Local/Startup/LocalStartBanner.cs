using System.Globalization;
using Mets.Api.Authentication;
using Mets.Azure;
using Mets.Azure.ClaimsStorage;
using Mets.Local.Data;
using Mets.Local.Keys;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Mets.Local.Startup;

/// <summary>
/// At start: creates the data folder's layout; once the server listens, prints where it listens,
/// the data folder, the API key to use and where the admin key is. Printed to the console only,
/// never logged: logs never hold keys. A configured key is never printed. It also names the stores (SQLite, or
/// Cosmos DB when configured), the mailer (outbox folder or SendGrid) and the claims inboxes (folder, plus the blob
/// container when configured).
/// </summary>
public sealed class LocalStartBanner(
    LocalDataFolder dataFolder,
    LocalKeyFiles keyFiles,
    IOptions<ApiAccessOptions> access,
    IOptions<LocalHostOptions> hostOptions,
    IServer server,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        dataFolder.EnsureCreated();
        _ = access.Value; // Reads (and so creates) the key files before the server accepts requests.
        lifetime.ApplicationStarted.Register(() => Console.Out.Write(Compose()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal string Compose()
    {
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(unknown)";
        var apiKey = keyFiles.GeneratedApiKey is { } key
            ? string.Create(CultureInfo.InvariantCulture, $"{key}  (user {hostOptions.Value.LocalUser}; {(keyFiles.ApiKeyCreated ? "generated now in" : "kept in")} {dataFolder.ApiKeyFile})")
            : string.Create(CultureInfo.InvariantCulture, $"configured in Mets:ApiKeys ({keyFiles.ConfiguredApiKeys} keys)");
        var adminKey = keyFiles.AdminKeyFromFile ? $"in {dataFolder.AdminKeyFile}" : "configured in Mets:AdminKey";
        var mailer = AzureServiceCollectionExtensions.IsSendGridConfigured(configuration)
            ? "SendGrid (SendGrid section)"
            : "outbox folder " + dataFolder.EmailOutbox;
        var blobInbox = AzureServiceCollectionExtensions.IsClaimsStorageConfigured(configuration)
            ? " and blob container '" + (configuration[ClaimsStorageOptions.SectionName + ":" + nameof(ClaimsStorageOptions.Container)] ?? new ClaimsStorageOptions().Container) + "' (ClaimsStorage section)"
            : string.Empty;
        var stores = AzureServiceCollectionExtensions.IsCosmosConfigured(configuration)
            ? "Cosmos DB database '" + (configuration["Cosmos:Database"] ?? "mets") + "' at " + configuration["Cosmos:Endpoint"] + " (Cosmos section); durable engine on SQLite in the data folder"
            : "SQLite in the data folder";
        var nl = Environment.NewLine;
        return $"{nl}METS local host is running.{nl}"
            + $"  URL:           {url}{nl}"
            + $"  Data folder:   {dataFolder.Root}{nl}"
            + $"  API key:       {apiKey}{nl}"
            + $"  Admin key:     {adminKey}{nl}"
            + $"  Stores:        {stores}{nl}"
            + $"  Mailer:        {mailer}{nl}"
            + $"  Claims inbox:  folder {dataFolder.ClaimsInbox}{blobInbox}{nl}"
            + $"  Send the key as the x-functions-key header (or ?code=). API reference: {url.TrimEnd('/')}/scalar/{nl}"
            + $"  Press Ctrl+C to stop.{nl}{nl}";
    }
}
