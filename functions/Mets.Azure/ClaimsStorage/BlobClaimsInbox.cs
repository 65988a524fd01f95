using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Ingestion;
using Mets.Workflow.ClaimsIntake;
using Microsoft.Extensions.Logging;

namespace Mets.Azure.ClaimsStorage;

/// <summary>One claims blob handled by <see cref="BlobClaimsInbox"/>: where it went (<c>{container}/{name}</c>), the ingest
/// outcome (null when processing failed) and where its acknowledgment is (<c>{container}/{name}.999</c> or <c>.ta1</c>;
/// null when the file has none: not X12, or its first ISA could not be found).</summary>
public sealed class BlobClaimsFileHandledEventArgs(string blobName, string movedTo, ClaimsFileOutcome? outcome, string? acknowledgmentAt = null) : EventArgs
{
    public string BlobName { get; } = blobName;

    public string MovedTo { get; } = movedTo;

    public ClaimsFileOutcome? Outcome { get; } = outcome;

    public string? AcknowledgmentAt { get; } = acknowledgmentAt;
}

/// <summary>What <see cref="BlobClaimsInbox.ProcessBlobAsync"/> did with one inbox blob.</summary>
public enum BlobClaimsFileStatus
{
    /// <summary>Processed and moved (with its report when quarantined): see <see cref="BlobClaimsFileResult.Handled"/>.</summary>
    Handled,

    /// <summary>The blob is not in the inbox (any more): handled by an earlier delivery, or never there. Nothing to do.</summary>
    NotInInbox,

    /// <summary>Another invocation or instance holds the blob's lease and is processing it; try again later.</summary>
    LeasedElsewhere,

    /// <summary>The blob was replaced while it was being picked up; try again.</summary>
    Changed,

    /// <summary>A storage request failed; the blob stays in the inbox for a later try.</summary>
    StorageFailed,
}

/// <summary>The status of one blob and, when <see cref="BlobClaimsFileStatus.Handled"/>, where it went.</summary>
public sealed record BlobClaimsFileResult(BlobClaimsFileStatus Status, BlobClaimsFileHandledEventArgs? Handled)
{
    /// <summary>True when nothing is left to do for the blob (handled now, or before).</summary>
    public bool IsDone => Status is BlobClaimsFileStatus.Handled or BlobClaimsFileStatus.NotInInbox;
}

/// <summary>
/// The claims inbox on Blob Storage: the one implementation of "process one blob, then move it with its report", shared
/// by the polling <see cref="BlobClaimsInboxWorker"/> (<see cref="ProcessPendingAsync"/>, local host) and the function
/// app's Event Grid blob trigger (<see cref="ProcessBlobAsync"/>). A blob is streamed into
/// <see cref="ClaimsFileProcessor"/>, then moved (copied, then deleted if unchanged) to the processed container, or
/// to the quarantine container with a <c>{name}.report.json</c> beside it when the file was refused whole or its
/// processing failed; an X12 file's acknowledgment (TA1 or 999) is written beside the moved file as
/// <c>{name}.ta1</c> or <c>{name}.999</c>. Nothing is ever written to the inbox container, so nothing written here is
/// taken for a claims file. Exactly once, whoever delivers the blob and however often:
/// <list type="bullet">
/// <item>the blob is leased while it is processed (renewed), so two deliveries or instances never handle it together:
/// the second gets <see cref="BlobClaimsFileStatus.LeasedElsewhere"/>;</item>
/// <item>a delivery after the move finds no blob (<see cref="BlobClaimsFileStatus.NotInInbox"/>);</item>
/// <item>a delivery after a crash between copy and delete processes the file again, which ingest answers as a
/// duplicate (idempotent by content hash), and finds its own earlier copy (marked with the inbox blob's ETag), so the
/// processed container still holds one copy; the acknowledgment is the one the store kept from the first run, written
/// only if it is not there yet.</item>
/// </list>
/// A storage failure leaves the blob in the inbox. Logs carry content hashes and outcomes, never blob names, contents or
/// connection strings.
/// </summary>
public sealed partial class BlobClaimsInbox(BlobClaimsContainers containers, ClaimsFileProcessor processor, TimeProvider time, ILogger<BlobClaimsInbox> logger)
{
    /// <summary>Metadata on a moved copy: the ETag of the inbox blob it was copied from (finds a copy an earlier, interrupted delivery made).</summary>
    public const string SourceETagMetadata = "metssourceetag";

    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>Raised after each blob was handled (moved), whoever drove it.</summary>
    public event EventHandler<BlobClaimsFileHandledEventArgs>? FileHandled;

    /// <summary>The containers this inbox reads and moves between.</summary>
    public BlobClaimsContainers Containers => containers;

    /// <summary>One pass: handles every blob now in the inbox container (name order) and returns what became of each handled one.</summary>
    public async Task<IReadOnlyList<BlobClaimsFileHandledEventArgs>> ProcessPendingAsync(CancellationToken cancellationToken)
    {
        await containers.EnsureCreatedAsync(cancellationToken);
        var pending = new List<(string Name, ETag ETag)>();
        await foreach (var item in containers.Inbox.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (item.Properties.ETag is { } etag)
            {
                pending.Add((item.Name, etag));
            }
        }

        var handled = new List<BlobClaimsFileHandledEventArgs>();
        foreach (var (name, etag) in pending.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if ((await HandleAsync(name, etag, cancellationToken)).Handled is { } result)
            {
                handled.Add(result);
            }
        }

        return handled;
    }

    /// <summary>
    /// Handles the inbox blob <paramref name="blobName"/> (a blob trigger's delivery): processes and moves it unless it is
    /// gone (handled before), leased by another delivery, or storage fails. See <see cref="BlobClaimsFileStatus"/>.
    /// </summary>
    public async Task<BlobClaimsFileResult> ProcessBlobAsync(string blobName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        await containers.EnsureCreatedAsync(cancellationToken);
        ETag etag;
        try
        {
            etag = (await containers.Inbox.GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            LogNotInInbox(logger);
            return new BlobClaimsFileResult(BlobClaimsFileStatus.NotInInbox, null);
        }
        catch (RequestFailedException e)
        {
            LogStorageFailed(logger, e.Status, e.ErrorCode);
            return new BlobClaimsFileResult(BlobClaimsFileStatus.StorageFailed, null);
        }

        return await HandleAsync(blobName, etag, cancellationToken);
    }

    /// <summary>
    /// Takes a lease on the blob first (renewed while it is processed), so two deliveries or instances never handle the
    /// same blob together; a blob leased elsewhere, gone, or replaced since it was seen is left alone.
    /// </summary>
    private async Task<BlobClaimsFileResult> HandleAsync(string name, ETag seenETag, CancellationToken cancellationToken)
    {
        var blob = containers.Inbox.GetBlobClient(name);
        var lease = blob.GetBlobLeaseClient();
        BlobLease acquired;
        try
        {
            acquired = await lease.AcquireAsync(LeaseDuration, new RequestConditions { IfMatch = seenETag }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            LogNotInInbox(logger);
            return new BlobClaimsFileResult(BlobClaimsFileStatus.NotInInbox, null);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            LogLeasedElsewhere(logger);
            return new BlobClaimsFileResult(BlobClaimsFileStatus.LeasedElsewhere, null);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return new BlobClaimsFileResult(BlobClaimsFileStatus.Changed, null);
        }
        catch (RequestFailedException e)
        {
            LogStorageFailed(logger, e.Status, e.ErrorCode);
            return new BlobClaimsFileResult(BlobClaimsFileStatus.StorageFailed, null);
        }

        BlobClaimsFileHandledEventArgs? handled;
        using (var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var renewal = RenewAsync(lease, renewing.Token);
            try
            {
                handled = await HandleLeasedAsync(blob, acquired.ETag, lease.LeaseId, cancellationToken);
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

        if (handled is null)
        {
            return new BlobClaimsFileResult(BlobClaimsFileStatus.StorageFailed, null);
        }

        FileHandled?.Invoke(this, handled);
        return new BlobClaimsFileResult(BlobClaimsFileStatus.Handled, handled);
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
            // The lease may lapse: the final delete then fails its lease condition and the blob stays for a later try.
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
            return null; // left in place for a later try
        }
#pragma warning disable CA1031 // One bad file must not stop the inbox; it is quarantined with a report.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(logger, e.GetType().FullName);
            var failedTo = await MoveAsync(blob, etag, leaseId, containers.Quarantine, ClaimsFileReports.Failed(e), acknowledgment: null, cancellationToken);
            return failedTo is null ? null : new BlobClaimsFileHandledEventArgs(name, failedTo.MovedTo, null);
        }

        var file = result.File;
        LogProcessed(logger, file.ContentHash[..12], file.Outcome, file.Counts.ClaimsAccepted, file.Counts.ClaimsRejected, result.Routing.ReferralsCreated, result.Routing.EventsRaised);
        var moved = ClaimsFileReports.IsQuarantined(file)
            ? await MoveAsync(blob, etag, leaseId, containers.Quarantine, ClaimsFileReports.Quarantined(file), file.Acknowledgment, cancellationToken)
            : await MoveAsync(blob, etag, leaseId, containers.Processed, report: null, file.Acknowledgment, cancellationToken);
        if (moved is { AcknowledgmentAt: not null } && file.Acknowledgment is { } acknowledgment)
        {
            LogAcknowledgmentWritten(logger, file.ContentHash[..12], acknowledgment.KindName, acknowledgment.CodeLetter);
        }

        return moved is null ? null : new BlobClaimsFileHandledEventArgs(name, moved.MovedTo, file.Outcome, moved.AcknowledgmentAt);
    }

    /// <summary>
    /// Copies the blob into <paramref name="target"/> under its inbox name (a new name when the plain one is taken by
    /// another file; a copy this blob already left there, marked with its ETag, is reused), writes the report and the
    /// acknowledgment (<c>{name}{FileExtension}</c>, created only if absent: a repeated delivery finds the one an earlier
    /// delivery wrote) beside it, then deletes the original unless it changed meanwhile. The content is streamed through
    /// this process, which works the same with a connection string and with managed identity. Returns
    /// <c>{container}/{name}</c> and <c>{container}/{name}{FileExtension}</c>, or null when storage failed (the blob stays in
    /// the inbox, and the next delivery writes what is missing).
    /// </summary>
    private async Task<MovedBlob?> MoveAsync(BlobClient blob, ETag etag, string leaseId, BlobContainerClient target, object? report, ClaimsAcknowledgment? acknowledgment, CancellationToken cancellationToken)
    {
        try
        {
            var source = etag.ToString().Trim('"');
            var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
            string? targetName = null;
            for (var n = 0; targetName is null; n++)
            {
                var candidate = n == 0 ? blob.Name : $"{stamp}-{n}-{blob.Name}";
                var copy = target.GetBlobClient(candidate);
                try
                {
                    await using var content = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken);
                    await copy.UploadAsync(content, new BlobUploadOptions
                    {
                        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                        Metadata = new Dictionary<string, string> { [SourceETagMetadata] = source },
                    }, cancellationToken);
                    targetName = candidate;
                }
                catch (RequestFailedException e) when (e.Status == 409 || (e.Status == 412 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists))
                {
                    var existing = await copy.GetPropertiesAsync(cancellationToken: cancellationToken);
                    if (existing.Value.Metadata.TryGetValue(SourceETagMetadata, out var from) && from == source)
                    {
                        targetName = candidate; // this blob's own copy, from a delivery that stopped before the delete
                    }

                    // otherwise taken by another file: try the next name
                }
            }

            if (report is not null)
            {
                await target.GetBlobClient(targetName + ".report.json").UploadAsync(BinaryData.FromObjectAsJson(report, ClaimsFileReports.Json), overwrite: true, cancellationToken);
            }

            string? acknowledgmentName = null;
            if (acknowledgment is not null)
            {
                acknowledgmentName = targetName + acknowledgment.FileExtension;
                await WriteOnceAsync(target.GetBlobClient(acknowledgmentName), BinaryData.FromString(acknowledgment.Content), cancellationToken);
            }

            try
            {
                await blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = etag, LeaseId = leaseId }, cancellationToken: cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // changed, or our lease lapsed and the blob was replaced: the blob waits for a later try
            }

            return new MovedBlob(target.Name + "/" + targetName, acknowledgmentName is null ? null : target.Name + "/" + acknowledgmentName);
        }
        catch (RequestFailedException e)
        {
            LogStorageFailed(logger, e.Status, e.ErrorCode);
            return null;
        }
    }

    /// <summary>Creates the blob unless it exists (then it is left as it is: the same text, written by an earlier delivery).</summary>
    private static async Task WriteOnceAsync(BlobClient blob, BinaryData content, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(content, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409 || (e.Status == 412 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists))
        {
            // written by an earlier delivery of this blob
        }
    }

    /// <summary>Where a moved blob went, and its acknowledgment when it has one.</summary>
    private sealed record MovedBlob(string MovedTo, string? AcknowledgmentAt);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Claims blob {ShortHash}: {Outcome}; {Accepted} claims accepted, {Rejected} rejected; {ReferralsCreated} referrals created, {EventsRaised} engagement events")]
    private static partial void LogProcessed(ILogger logger, string shortHash, ClaimsFileOutcome outcome, int accepted, int rejected, int referralsCreated, int eventsRaised);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A claims blob could not be processed ({ExceptionType}); it was moved to the quarantine container")]
    private static partial void LogFailed(ILogger logger, string? exceptionType);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Claims blob storage request failed (HTTP {Status}, {ErrorCode}); the blob stays in the inbox for a later try")]
    private static partial void LogStorageFailed(ILogger logger, int status, string? errorCode);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "A claims blob delivered again is no longer in the inbox (handled before); nothing to do")]
    private static partial void LogNotInInbox(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "A claims blob is leased by another delivery or instance; left to it")]
    private static partial void LogLeasedElsewhere(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Claims blob {ShortHash}: acknowledgment {Kind} {Code} written beside it")]
    private static partial void LogAcknowledgmentWritten(ILogger logger, string shortHash, string kind, string code);
}
