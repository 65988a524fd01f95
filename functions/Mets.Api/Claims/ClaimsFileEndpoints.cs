using System.Text;
using Mets.Api.Problems;
using Mets.Claims;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.Api.Claims;

/// <summary>The 202 body of an upload: the file id and where to follow its processing.</summary>
public sealed record ClaimsUploadAccepted(string Id, string StatusUri);

/// <summary>
/// A claims file's status (<c>GET /api/claims/files/{id}</c>, id = SHA-256 of the content):
/// <c>queued</c> until the background worker takes it, then the claims store's record (staging,
/// committed, processed, quarantined) with progress, counts and the reject report. <see cref="ClaimsApplied"/> is
/// what reached the store (0 for a quarantined file, whose counts only say how many claims passed their own edits);
/// <see cref="Acknowledgment"/> is the TA1/999 answering an X12 file, null when the file has none (yet).
/// </summary>
public sealed record ClaimsFileStatusView(
    string Id,
    string Status,
    string? FileName,
    ClaimsFileKind? Kind,
    DateTimeOffset? ReceivedAt,
    DateTimeOffset? UpdatedAt,
    ClaimsFileProgressView? Progress,
    ClaimsFileCounts? Counts,
    string? QuarantineReason,
    IReadOnlyList<RejectEntry> Rejects,
    IReadOnlyList<RejectEntry> Warnings,
    int? ClaimsApplied = null,
    ClaimsFileAcknowledgmentView? Acknowledgment = null);

public sealed record ClaimsFileProgressView(long Rows, long Bytes, long? TotalBytes, decimal? Percent);

/// <summary>A claims file's acknowledgment as its status shows it: <see cref="Kind"/> <c>999</c> or <c>TA1</c>,
/// <see cref="Code"/> A, E, P or R, the first interchange's control number, and where to fetch the X12 text.</summary>
public sealed record ClaimsFileAcknowledgmentView(string Kind, string Code, string ControlNumber, DateTimeOffset CreatedAt, string Uri);

/// <summary><c>POST /api/claims</c> (only where an <see cref="IClaimsUploadInbox"/> is registered: the local host),
/// <c>GET /api/claims/files/{id}</c> and <c>GET /api/claims/files/{id}/acknowledgment</c>.</summary>
public static class ClaimsFileEndpoints
{
    public static RouteGroupBuilder MapClaimsFiles(this RouteGroupBuilder api, bool acceptUploads)
    {
        ArgumentNullException.ThrowIfNull(api);
        var claims = api.MapGroup("/claims").WithTags("Claims files");
        if (acceptUploads)
        {
            claims.MapPost("/", Upload)
                .WithName("UploadClaimsFile")
                .WithSummary("Upload a claims file (METS claims CSV, eligibility CSV or X12 837) as the raw body; processed in the background.")
                .Accepts<byte[]>("text/csv", "application/octet-stream", "application/edi-x12")
                .Produces<ClaimsUploadAccepted>(StatusCodes.Status202Accepted)
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        }

        claims.MapGet("/files/{id:regex(^[0-9a-f]{{64}}$)}", GetStatus)
            .WithName("GetClaimsFileStatus")
            .WithSummary("A claims file's status, progress, counts and reject report.")
            .Produces<ClaimsFileStatusView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithMetadata(new Logging.LoggedRouteValuesMetadata(["id"]));
        claims.MapGet("/files/{id:regex(^[0-9a-f]{{64}}$)}/acknowledgment", GetAcknowledgment)
            .WithName("GetClaimsFileAcknowledgment")
            .WithSummary("The TA1 or 999 acknowledgment answering an X12 claims file, as an X12 attachment.")
            .Produces<string>(StatusCodes.Status200OK, ClaimsAcknowledgment.MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithMetadata(new Logging.LoggedRouteValuesMetadata(["id"]));
        return api;
    }

    public static string StatusUri(string id) => $"/api/claims/files/{id}";

    public static string AcknowledgmentUri(string id) => $"/api/claims/files/{id}/acknowledgment";

    internal static async Task<IResult> Upload(
        HttpRequest request,
        string? fileName,
        [FromServices] IClaimsUploadInbox inbox,
        [FromServices] IOptions<ApiLimitsOptions> limits,
        CancellationToken cancellationToken)
    {
        var cap = limits.Value.MaxClaimsUploadBytes;
        if (request.ContentLength > cap)
        {
            return TooLarge(cap);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = cap + 1; // the cap is enforced below; the server's default (30 MB) must not cut in first
        }

        if (request.ContentLength == 0)
        {
            return new FieldErrors().Add("$", "A claims file is required as the request body.").ToProblem();
        }

        if (fileName is not null && (fileName.Length > 200 || fileName.Any(char.IsControl)))
        {
            return new FieldErrors().Add("fileName", "must be at most 200 characters without control characters.").ToProblem("The query is not valid.");
        }

        var receipt = await inbox.EnqueueAsync(fileName ?? "upload", request.Body, cap, cancellationToken);
        if (receipt.TooLarge || receipt.FileId is null)
        {
            return TooLarge(cap);
        }

        var uri = StatusUri(receipt.FileId);
        return TypedResults.Accepted(uri, new ClaimsUploadAccepted(receipt.FileId, uri));
    }

    internal static async Task<IResult> GetStatus(string id, HttpContext context, [FromServices] IClaimsStore store, CancellationToken cancellationToken)
    {
        if (!IsFileId(id))
        {
            return NotAFileId();
        }

        var record = await store.GetFileAsync(id, cancellationToken);
        if (record is null)
        {
            return context.RequestServices.GetService<IClaimsUploadInbox>()?.IsQueued(id) == true
                ? TypedResults.Ok(new ClaimsFileStatusView(id, "queued", null, null, null, null, null, null, null, [], []))
                : Problem.NotFound("No claims file has this id.");
        }

        var status = record.Status switch
        {
            ClaimsFileStatus.Staging => "staging",
            ClaimsFileStatus.Committed => "committed",
            ClaimsFileStatus.Processed => "processed",
            _ => "quarantined",
        };
        var progress = record.Progress;
        var acknowledgment = record.Acknowledgment is { } ack
            ? new ClaimsFileAcknowledgmentView(ack.KindName, ack.CodeLetter, ack.ControlNumber, ack.CreatedAt, AcknowledgmentUri(record.ContentHash))
            : null;
        return TypedResults.Ok(new ClaimsFileStatusView(record.ContentHash, status, record.FileName, record.Kind, record.ReceivedAt, record.UpdatedAt,
            new ClaimsFileProgressView(progress.Rows, progress.Bytes, progress.TotalBytes, progress.Percent), record.Counts, record.QuarantineReason,
            record.Rejects, record.Warnings, record.ClaimsApplied, acknowledgment));
    }

    /// <summary>The acknowledgment's X12 text as <c>application/edi-x12</c>, an attachment named after the file
    /// (<c>{fileName}.999</c> or <c>.ta1</c>, as the inboxes write it beside the file); 404 problem details when the file
    /// is unknown or has no acknowledgment (not X12, not read yet, or its first ISA could not be found).</summary>
    internal static async Task<IResult> GetAcknowledgment(string id, [FromServices] IClaimsStore store, CancellationToken cancellationToken)
    {
        if (!IsFileId(id))
        {
            return NotAFileId();
        }

        var record = await store.GetFileAsync(id, cancellationToken);
        if (record is null)
        {
            return Problem.NotFound("No claims file has this id.");
        }

        if (record.Acknowledgment is not { } acknowledgment)
        {
            return Problem.NotFound("This claims file has no acknowledgment.", "Only X12 files are acknowledged (a TA1 or a 999), once they have been read.");
        }

        var name = record.FileName[(record.FileName.LastIndexOfAny(['/', '\\']) + 1)..];
        return TypedResults.File(Encoding.UTF8.GetBytes(acknowledgment.Content), ClaimsAcknowledgment.MediaType, (name.Length > 0 ? name : id[..12]) + acknowledgment.FileExtension);
    }

    private static bool IsFileId(string id) => id.Length == 64 && id.All(char.IsAsciiHexDigitLower);

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotAFileId() =>
        Problem.NotFound("No claims file has this id.", "A claims file id is the 64 lower-case hex digits of its SHA-256.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge(long cap) =>
        Problem.Of(StatusCodes.Status413PayloadTooLarge, "The claims file is too large.", $"A claims file may be at most {cap} bytes (Mets:Api:MaxClaimsUploadBytes).");
}
