using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Mets.Azure.Storage;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Audit;

namespace Mets.Azure.AuditStorage;

/// <summary>
/// The anchor store on Azure (docs/reliability.md, "Tamper-evident audit"): one block blob per anchor in the audit
/// container (<see cref="AuditStorageOptions"/>), named <c>{engagement id}/{entry count, 8 digits}.anchor</c>, holding the
/// anchor's line (<see cref="AnchorLine"/>). Every write is create-only (<c>If-None-Match: *</c>), so the application
/// never overwrites an anchor, whatever its role allows; the container's WORM policy (infra) stops anyone else from
/// changing or deleting one while it is retained. A second anchor of the same engagement and entry count keeps the first:
/// the same head is nothing new, another head is refused (<see cref="InvalidOperationException"/>: a chain that differs
/// from what was anchored).
/// </summary>
public sealed class BlobAuditAnchorStore(BlobContainerClient container) : IAuditAnchorStore
{
    private int _ensured;

    public BlobContainerClient Container { get; } = container ?? throw new ArgumentNullException(nameof(container));

    /// <summary>The store for <paramref name="options"/>: connection string, or service address with DefaultAzureCredential.</summary>
    public static BlobAuditAnchorStore Create(AuditStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BlobAuditAnchorStore(BlobServiceConnection.Create(options.ConnectionString, options.ServiceUri, options.ClientId).GetBlobContainerClient(options.Container));
    }

    /// <summary>The blob name of an anchor: sorted by engagement, then by entry count.</summary>
    public static string BlobName(EngagementId engagementId, int entryCount) =>
        string.Create(CultureInfo.InvariantCulture, $"{engagementId.Value}/{entryCount:D8}.anchor");

    public async Task AppendAsync(TimelineAnchor anchor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = Container.GetBlobClient(BlobName(anchor.EngagementId, anchor.EntryCount));
        try
        {
            await blob.UploadAsync(BinaryData.FromString(AnchorLine.Format(anchor)), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain; charset=utf-8" },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var recorded = await ReadAnchorAsync(blob, cancellationToken).ConfigureAwait(false);
            if (recorded is null || !string.Equals(recorded.HeadHash, anchor.HeadHash, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Engagement {anchor.EngagementId}: an anchor of {anchor.EntryCount} entries is recorded with another head; the timeline differs from what was anchored.", e);
            }
        }
    }

    public async Task<IReadOnlyList<TimelineAnchor>> ReadAsync(EngagementId engagementId, CancellationToken cancellationToken = default)
    {
        var found = new List<TimelineAnchor>();
        try
        {
            await foreach (var item in Container.GetBlobsAsync(new GetBlobsOptions { Prefix = engagementId.Value + "/" }, cancellationToken).ConfigureAwait(false))
            {
                if (await ReadAnchorAsync(Container.GetBlobClient(item.Name), cancellationToken).ConfigureAwait(false) is { } anchor && anchor.EngagementId == engagementId)
                {
                    found.Add(anchor);
                }
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // no anchor was ever written
        }

        return [.. found.OrderBy(a => a.EntryCount).ThenBy(a => a.AnchoredAt)];
    }

    private static async Task<TimelineAnchor?> ReadAnchorAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return AnchorLine.TryParse(content.Value.Content.ToString(), out var anchor) ? anchor : null;
    }

    /// <summary>Creates the container if it does not exist yet (once per instance; infra provisions it on Azure).</summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _ensured) == 1)
        {
            return;
        }

        await BlobServiceConnection.EnsureCreatedAsync([Container], cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _ensured, 1);
    }
}
