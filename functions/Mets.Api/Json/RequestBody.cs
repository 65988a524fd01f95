using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.Api.Json;

/// <summary>
/// Reads request bodies strictly. A handler does:
/// <code>
/// var body = await RequestBody.ReadJsonAsync&lt;SubmitReferral&gt;(request, cancellationToken);
/// if (!body.IsValid) return body.Problem;
/// </code>
/// Answers 415 for a body that is not JSON, 413 above the size cap (<c>Mets:Api:MaxJsonBodyBytes</c>
/// unless the caller passes its own), 400 with field-level errors for malformed JSON, unknown fields,
/// missing required fields, nulls and wrong types. No answer repeats a submitted value.
/// </summary>
public static class RequestBody
{
    /// <summary>The error of a body whose bytes are not UTF-8 (JSON text is UTF-8, RFC 8259).</summary>
    public const string InvalidUtf8 = "The body is not valid UTF-8 text (JSON must be UTF-8).";

    /// <summary>The error of a body with a field name that is no Unicode text (an unpaired surrogate escape).</summary>
    public const string UnreadableFieldName = "The body holds a field name that is not valid Unicode text (an unpaired surrogate escape).";

    public static async Task<JsonBody<T>> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken, long? maxBytes = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsJson(request.ContentType))
        {
            return JsonBody<T>.Invalid(Problem.Of(
                StatusCodes.Status415UnsupportedMediaType,
                "The body must be JSON.",
                "Send Content-Type: application/json."));
        }

        var limit = maxBytes ?? request.HttpContext.RequestServices.GetService<IOptions<ApiLimitsOptions>>()?.Value.MaxJsonBodyBytes
            ?? ApiLimitsOptions.DefaultMaxJsonBodyBytes;
        var bytes = await ReadCappedAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return JsonBody<T>.Invalid(TooLarge(limit));
        }

        if (bytes.Length == 0)
        {
            return JsonBody<T>.Invalid(new FieldErrors().Add("$", "A JSON body is required.").ToProblem());
        }

        return Parse<T>(bytes);
    }

    /// <summary>Parses and checks bytes already read (also used for bodies read some other way).</summary>
    public static JsonBody<T> Parse<T>(ReadOnlyMemory<byte> bytes)
    {
        if (!Utf8.IsValid(bytes.Span))
        {
            return JsonBody<T>.Invalid(new FieldErrors().Add("$", InvalidUtf8).ToProblem("The body is not valid JSON."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                MaxDepth = StrictJson.MaxDepth,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException exception)
        {
            var where = exception.LineNumber is { } line
                ? $" (line {line + 1}, byte {exception.BytePositionInLine + 1})"
                : string.Empty;
            return JsonBody<T>.Invalid(new FieldErrors().Add("$", $"The body is not valid JSON{where}.").ToProblem("The body is not valid JSON."));
        }
        catch (InvalidOperationException)
        {
            // Checking for duplicate fields decodes every field name; an escaped lone surrogate ("\ud800") is valid
            // JSON syntax but no text, and the parser reports it with this exception rather than a JsonException.
            return JsonBody<T>.Invalid(new FieldErrors().Add("$", UnreadableFieldName).ToProblem("The body is not valid JSON."));
        }

        using (document)
        {
            var errors = new FieldErrors();
            JsonShapeCheck.Check(document.RootElement, StrictJson.Options.GetTypeInfo(typeof(T)), "$", errors);
            if (!errors.IsEmpty)
            {
                return JsonBody<T>.Invalid(errors.ToProblem());
            }

            try
            {
                var value = document.RootElement.Deserialize<T>(StrictJson.Options);
                return value is null
                    ? JsonBody<T>.Invalid(errors.Add("$", "must be a JSON value, not null.").ToProblem())
                    : JsonBody<T>.Valid(value);
            }
            catch (JsonException exception)
            {
                // The exception's message can quote the value; only its path is used.
                return JsonBody<T>.Invalid(errors.Add(exception.Path ?? "$", "has a value that is not valid for this field.").ToProblem());
            }
        }
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger.</summary>
    public static async Task<byte[]?> ReadCappedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TooLarge(long limit) => Problem.Of(
        StatusCodes.Status413PayloadTooLarge,
        "The request body is too large.",
        $"The body may be at most {limit} bytes.");
}
