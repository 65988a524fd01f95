using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Workflow.ClaimsIntake;
using Microsoft.Extensions.Logging;

namespace Mets.Azure.ClaimsStorage;

/// <summary>One claims blob handled by <see cref="BlobClaimsInbox"/>: where it went and the ingest outcome (null when processing failed).</summary>
public sealed class BlobClaimsFileHandledEventArgs(string blobName, string movedTo, ClaimsFileOutcome? outcome) : EventArgs
{
    public string BlobName { get; } = blobName;

    public string MovedTo { get; } = movedTo;

    public ClaimsFileOutcome? Outcome { get; } = outcome;
}

/// <summary>
/// A Blob Storage container as the claims inbox: each blob at the container's root is streamed into
/// <see cref="ClaimsFileProcessor"/>, then moved (copied, then deleted if unchanged) to
/// <c>processed/</c>, or to <c>quarantine/</c> with a <c>.report.json</c> beside it when the file was
/// refused whole or its processing failed. A blob is removed from the root only after processing, so
/// a crash leaves it for the next pass (ingest is idempotent by content hash); while it is processed
/// it is leased, so another instance polling the same container leaves it alone. A storage failure
/// leaves the blob in place for the next pass. Logs carry content hashes and outcomes, never blob
/// names, contents or connection strings.
/// </summary>
public sealed partial class BlobClaimsInbox(BlobContainerClient container, ClaimsFileProcessor processor, TimeProvider time, ILogger<BlobClaimsInbox> logger)
{
    public const string ProcessedPrefix = "processed/";
    public const string QuarantinePrefix = "quarantine/";

    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private bool _containerEnsured;

    /// <summary>Raised after each blob was handled (moved), whoever drove the pass.</summary>
    public event EventHandler<BlobClaimsFileHandledEventArgs>? FileHandled;

    /// <summary>The container client for <paramref name="options"/>: connection string, or service address with DefaultAzureCredential.</summary>
    public static BlobContainerClient CreateContainerClient(ClaimsStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var service = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(new Uri(options.ServiceUri!), new DefaultAzureCredential())
            : new BlobServiceClient(options.ConnectionString);
        return service.GetBlobContainerClient(options.Container);
    }

    /// <summary>One pass: handles every blob now at the container's root (name order) and returns what became of each.</summary>
    public async Task<IReadOnlyList<BlobClaimsFileHandledEventArgs>> ProcessPendingAsync(CancellationToken cancellationToken)
    {
        if (!_containerEnsured)
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 403)
            {
                // An identity allowed to read and write blobs but not to create containers: the container is provisioned.
            }

            _containerEnsured = true;
        }

        var pending = new List<(string Name, ETag ETag)>();
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix: null, cancellationToken))
        {
            if (item.IsBlob && item.Blob.Properties.ETag is { } etag)
            {
                pending.Add((item.Blob.Name, etag));
            }
        }

        var handled = new List<BlobClaimsFileHandledEventArgs>();
        foreach (var (name, etag) in pending.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var result = await HandleAsync(name, etag, cancellationToken);
            if (result is not null)
            {
                handled.Add(result);
                FileHandled?.Invoke(this, result);
            }
        }

        return handled;
    }

    /// <summary>
    /// Takes a lease on the blob first (renewed while it is processed), so two instances polling one
    /// container never handle the same blob together; a blob leased elsewhere, gone, or replaced since
    /// it was listed is left to a later pass.
    /// </summary>
    private async Task<BlobClaimsFileHandledEventArgs?> HandleAsync(string name, ETag listedETag, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(name);
        var lease = blob.GetBlobLeaseClient();
        BlobLease acquired;
        try
        {
            acquired = await lease.AcquireAsync(LeaseDuration, new RequestConditions { IfMatch = listedETag }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }

        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewAsync(lease, renewing.Token);
        try
        {
            return await HandleLeasedAsync(blob, acquired.ETag, lease.LeaseId, cancellationToken);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            try
            {
                await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException)
            {
                // deleted by the move (the usual case), or the lease lapsed: nothing to release
            }
        }
    }

    private async Task RenewAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseDuration / 3, time, cancellationToken);
                await lease.RenewAsync(cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // processing ended
        }
        catch (RequestFailedException e)
        {
            // The lease may lapse: the final delete then fails its lease condition and the blob waits for the next pass.
            LogStorageFailed(logger, e.Status, e.ErrorCode);
        }
    }

    private async Task<BlobClaimsFileHandledEventArgs?> HandleLeasedAsync(BlobClient blob, ETag etag, string leaseId, CancellationToken cancellationToken)
    {
        var name = blob.Name;
        ClaimsFileProcessingResult result;
        try
        {
            await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken);
            result = await processor.ProcessAsync(name, stream, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RequestFailedException e)
        {
            LogStorageFailed(logger, e.Status, e.ErrorCode);
            return null; // left in place for the next pass
        }
#pragma warning disable CA1031 // One bad file must not stop the inbox; it is quarantined with a report.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(logger, e.GetType().FullName);
            var failedTo = await MoveAsync(blob, etag, leaseId, QuarantinePrefix, new { error = "Processing failed (" + e.GetType().Name + "); see the host log." }, cancellationToken);
            return failedTo is null ? null : new BlobClaimsFileHandledEventArgs(name, failedTo, null);
        }

        var file = result.File;
        LogProcessed(logger, file.ContentHash[..12], file.Outcome, file.Counts.ClaimsAccepted, file.Counts.ClaimsRejected, result.Routing.ReferralsCreated, result.Routing.EventsRaised);
        var quarantined = file.Outcome == ClaimsFileOutcome.Quarantined || file.StoredStatus == ClaimsFileStatus.Quarantined;
        var movedTo = quarantined
            ? await MoveAsync(blob, etag, leaseId, QuarantinePrefix, new { id = file.ContentHash, reason = file.QuarantineReason, counts = file.Counts, rejects = file.Rejects, warnings = file.Warnings }, cancellationToken)
            : await MoveAsync(blob, etag, leaseId, ProcessedPrefix, report: null, cancellationToken);
        return movedTo is null ? null : new BlobClaimsFileHandledEventArgs(name, movedTo, file.Outcome);
    }

    /// <summary>
    /// Copies the blob under <paramref name="prefix"/> (a new name when the plain one is taken; the content is
    /// streamed through this process, which works the same with a connection string and with managed
    /// identity), writes the report beside it, then deletes the original unless it changed meanwhile.
    /// Returns the new name, or null when storage failed (the blob stays for the next pass).
    /// </summary>
    private async Task<string?> MoveAsync(BlobClient blob, ETag etag, string leaseId, string prefix, object? report, CancellationToken cancellationToken)
    {
        try
        {
            var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
            string? targetName = null;
            for (var n = 0; targetName is null; n++)
            {
                var candidate = n == 0 ? prefix + blob.Name : $"{prefix}{stamp}-{n}-{blob.Name}";
                try
                {
                    await using var source = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken);
                    await container.GetBlobClient(candidate).UploadAsync(source, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
                    targetName = candidate;
                }
                catch (RequestFailedException e) when (e.Status == 409 || (e.Status == 412 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists))
                {
                    // taken: try the next name
                }
            }

            if (report is not null)
            {
                await container.GetBlobClient(targetName + ".report.json").UploadAsync(BinaryData.FromObjectAsJson(report, ReportJson), overwrite: true, cancellationToken);
            }

            try
            {
                await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = etag, LeaseId = leaseId }, cancellationToken: cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // changed, or our lease lapsed and the blob was replaced: the blob waits for the next pass
            }

            return targetName;
        }
        catch (RequestFailedException e)
        {
            LogStorageFailed(logger, e.Status, e.ErrorCode);
            return null;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Claims blob {ShortHash}: {Outcome}; {Accepted} claims accepted, {Rejected} rejected; {ReferralsCreated} referrals created, {EventsRaised} engagement events")]
    private static partial void LogProcessed(ILogger logger, string shortHash, ClaimsFileOutcome outcome, int accepted, int rejected, int referralsCreated, int eventsRaised);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A claims blob could not be processed ({ExceptionType}); it was moved to quarantine/")]
    private static partial void LogFailed(ILogger logger, string? exceptionType);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Claims blob storage request failed (HTTP {Status}, {ErrorCode}); the blob stays in the inbox for the next pass")]
    private static partial void LogStorageFailed(ILogger logger, int status, string? errorCode);
}
