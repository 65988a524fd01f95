using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Mets.Api.Claims;
using Mets.Local.Data;

namespace Mets.Local.Claims;

/// <summary>
/// The claims inbox folder as a queue: files present at start, files dropped into the folder later,
/// and files uploaded through <c>POST /api/claims</c> (written into the folder under a temporary name
/// and renamed into place) are processed one at a time by <see cref="ClaimsInboxWorker"/>. A file is
/// removed from the inbox only after processing, so a crash leaves it for the next start.
/// </summary>
public sealed class ClaimsInbox(LocalDataFolder dataFolder) : IClaimsUploadInbox
{
    private const string TemporaryPrefix = ".upload-";
    private readonly Channel<string> _files = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _queuedPaths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _queuedUploads = new(StringComparer.Ordinal);

    internal ChannelReader<string> Reader => _files.Reader;

    /// <summary>Queues a file in the inbox folder unless it is queued already or is a temporary/hidden file.</summary>
    public void Offer(string path)
    {
        var name = Path.GetFileName(path);
        if (name.StartsWith('.') || !File.Exists(path) || !_queuedPaths.TryAdd(path, 0))
        {
            return;
        }

        _files.Writer.TryWrite(path);
    }

    internal void Done(string path, string? uploadId)
    {
        _queuedPaths.TryRemove(path, out _);
        if (uploadId is not null)
        {
            _queuedUploads.TryRemove(uploadId, out _);
        }
    }

    public bool IsQueued(string fileId) => _queuedUploads.ContainsKey(fileId);

    /// <summary>The upload id in an inbox file name written by <see cref="EnqueueAsync"/> (<c>upload-{sha256}-{name}</c>), or null.</summary>
    internal static string? UploadIdOf(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith("upload-", StringComparison.Ordinal) && name.Length > 7 + 64 && name[7 + 64] == '-'
            ? name.Substring(7, 64)
            : null;
    }

    /// <summary>The name a file is processed under: an upload's own name, or the inbox file's name.</summary>
    internal static string ProcessingNameOf(string path)
    {
        var name = Path.GetFileName(path);
        return UploadIdOf(path) is null ? name : name[(7 + 64 + 1)..];
    }

    public async Task<ClaimsUploadReceipt> EnqueueAsync(string fileName, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(dataFolder.ClaimsInbox);
        var temporary = Path.Combine(dataFolder.ClaimsInbox, TemporaryPrefix + Guid.NewGuid().ToString("N") + ".tmp");
        string id;
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var total = 0L;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        return new ClaimsUploadReceipt(null, TooLarge: true);
                    }

                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            id = Convert.ToHexStringLower(sha.GetHashAndReset());
            var target = Path.Combine(dataFolder.ClaimsInbox, $"upload-{id}-{SafeName(fileName)}");
            _queuedUploads.TryAdd(id, 0);
            if (File.Exists(target))
            {
                return new ClaimsUploadReceipt(id, false); // the same content is already waiting
            }

            File.Move(temporary, target, overwrite: false);
            Offer(target);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }

        return new ClaimsUploadReceipt(id, false);
    }

    /// <summary>A file name safe in the inbox: letters, digits, '.', '-' and '_' only, at most 100 characters.</summary>
    internal static string SafeName(string? fileName)
    {
        var name = Path.GetFileName(fileName ?? string.Empty);
        var safe = new StringBuilder(Math.Min(name.Length, 100));
        foreach (var c in name.Take(100))
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var text = safe.ToString().TrimStart('.');
        return text.Length == 0 ? "claims-file" : text;
    }
}
