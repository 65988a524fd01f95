using Azure.Storage.Blobs;
using Mets.Azure.Storage;

namespace Mets.Azure.ClaimsStorage;

/// <summary>
/// The three containers of the claims inbox (<see cref="ClaimsStorageOptions"/>): the inbox, where every blob is a
/// file to process, and the processed and quarantine containers files move to. Separate containers, so a move or a
/// report never lands where a blob trigger (or the polling worker) would take it in again. One per host (singleton).
/// </summary>
public sealed class BlobClaimsContainers(BlobContainerClient inbox, BlobContainerClient processed, BlobContainerClient quarantine)
{
    private int _ensured;

    public BlobContainerClient Inbox { get; } = inbox ?? throw new ArgumentNullException(nameof(inbox));

    public BlobContainerClient Processed { get; } = processed ?? throw new ArgumentNullException(nameof(processed));

    public BlobContainerClient Quarantine { get; } = quarantine ?? throw new ArgumentNullException(nameof(quarantine));

    /// <summary>The containers for <paramref name="options"/>: connection string, or service address with DefaultAzureCredential.</summary>
    public static BlobClaimsContainers Create(ClaimsStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var service = BlobServiceConnection.Create(options.ConnectionString, options.ServiceUri, options.ClientId);
        return new BlobClaimsContainers(
            service.GetBlobContainerClient(options.Container),
            service.GetBlobContainerClient(options.ProcessedContainer),
            service.GetBlobContainerClient(options.QuarantineContainer));
    }

    /// <summary>
    /// Creates the containers that do not exist yet (once per host; infra provisions them on Azure, where an identity
    /// allowed to read and write blobs but not to create containers gets 403: then they are taken as provisioned).
    /// </summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _ensured) == 1)
        {
            return;
        }

        await BlobServiceConnection.EnsureCreatedAsync([Inbox, Processed, Quarantine], cancellationToken);
        Volatile.Write(ref _ensured, 1);
    }
}
