namespace Mets.Api.Claims;

/// <summary>What happened to an upload handed to <see cref="IClaimsUploadInbox"/>.</summary>
/// <param name="FileId">The file's id: the lower-case hex SHA-256 of its content (the claims store's key).</param>
/// <param name="TooLarge">The body was larger than the cap: nothing was kept.</param>
public sealed record ClaimsUploadReceipt(string? FileId, bool TooLarge);

/// <summary>
/// Where an uploaded claims file goes to be processed in the background (the local host: its claims
/// inbox folder). Only a host with such a queue maps <c>POST /api/claims</c>: on Azure claims files
/// arrive through blob storage.
/// </summary>
public interface IClaimsUploadInbox
{
    /// <summary>Keeps the body (at most <paramref name="maxBytes"/>) and queues it for processing; returns its id.</summary>
    Task<ClaimsUploadReceipt> EnqueueAsync(string fileName, Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>True while an upload with this id waits for (or is in) processing.</summary>
    bool IsQueued(string fileId);
}
