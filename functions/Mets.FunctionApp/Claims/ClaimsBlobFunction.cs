using Azure.Storage.Blobs;
using Mets.Azure.ClaimsStorage;
using Mets.FunctionApp.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Claims;

/// <summary>
/// A claims file uploaded to the inbox container: handed to the same claims intake as the local host's blob inbox
/// (<see cref="BlobClaimsInbox.ProcessBlobAsync"/>: process it, then move it to the processed or quarantine container
/// with its report). Event Grid source (what Flex Consumption supports). The processed and quarantine containers are
/// others, so nothing this writes triggers it again. Exactly once: a delivery of a blob already handled finds it gone
/// and returns; a delivery while another one holds the blob's lease, or after a storage failure, fails so the platform
/// delivers it again later (by then it is handled, or free).
/// </summary>
public sealed class ClaimsBlobFunction(InvocationDurableClient invocationClient)
{
    public const string FunctionName = "ClaimsBlobIntake";

    /// <summary>The trigger's path: the inbox container (setting <c>ClaimsStorage:Container</c>), any blob in it.</summary>
    public const string BlobPath = "%" + ClaimsStorageOptions.SectionName + ":" + nameof(ClaimsStorageOptions.Container) + "%/{name}";

    /// <summary>
    /// The trigger's connection: the <c>ClaimsStorage</c> section, whose <c>ServiceUri</c> the Functions host reads as
    /// an identity-based connection (<c>ClaimsStorage__serviceUri</c>); with a connection string (Azurite) set
    /// <c>AzureWebJobsClaimsStorage</c> for the host beside <c>ClaimsStorage:ConnectionString</c>.
    /// </summary>
    public const string Connection = ClaimsStorageOptions.SectionName;

    [Function(FunctionName)]
    public async Task RunAsync(
        [BlobTrigger(BlobPath, Source = BlobTriggerSource.EventGrid, Connection = Connection)] BlobClient blob,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(context);
        invocationClient.Use(client);
        var inbox = context.InstanceServices.GetRequiredService<BlobClaimsInbox>();
        var result = await inbox.ProcessBlobAsync(blob.Name, context.CancellationToken);
        if (!result.IsDone)
        {
            throw new ClaimsBlobNotHandledException(result.Status);
        }
    }
}

/// <summary>The blob was not handled by this delivery (leased by another one, replaced, or storage failed): the platform retries it.</summary>
public sealed class ClaimsBlobNotHandledException : Exception
{
    public ClaimsBlobNotHandledException()
    {
    }

    public ClaimsBlobNotHandledException(string message)
        : base(message)
    {
    }

    public ClaimsBlobNotHandledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ClaimsBlobNotHandledException(BlobClaimsFileStatus status)
        : base($"The claims blob was not handled by this delivery ({status}); it stays in the inbox and is retried.") => Status = status;

    public BlobClaimsFileStatus? Status { get; }
}
