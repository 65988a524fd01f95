using System.Security.Cryptography;

namespace Mets.Workflow.Adapters.AnchorFile;

/// <summary>What an export wrote: the anchor lines, the bytes and their SHA-256 (to note beside the copy).</summary>
public sealed record AnchorExport(int Lines, long Bytes, string Sha256);

/// <summary>
/// How an earlier export compares with the anchor file now: the file is append-only, so an export is always the start
/// of it. <paramref name="FirstDifferentLine"/> (1-based) is null when it is; else the first line of the export that the
/// file no longer has as it was (a line edited or removed, or the file replaced).
/// </summary>
public sealed record AnchorExportCheck(int ExportedLines, int LinesSince, int? FirstDifferentLine)
{
    public bool Matches => FirstDifferentLine is null;
}

/// <summary>
/// The auditor's defence for the local anchor file (docs/reliability.md, "Tamper-evident audit"): whoever can write the
/// file (the machine's administrator) could rewrite it together with the case database, so a copy is exported
/// regularly to a place they cannot reach (another machine, write-once media), and later checked against the file.
/// The local host's command line runs these (<c>dotnet run --project functions/Mets.Local -- audit-export FILE</c>,
/// <c>-- audit-check FILE</c>).
/// </summary>
public static class AnchorFileExport
{
    /// <summary>Copies the anchor file to <paramref name="destination"/> (a new file: an earlier export is never overwritten).</summary>
    public static async Task<AnchorExport> ExportAsync(string anchorFile, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var bytes = await ReadSharedAsync(anchorFile, cancellationToken);
        if (Path.GetDirectoryName(Path.GetFullPath(destination)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await using (var copy = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await copy.WriteAsync(bytes, cancellationToken);
            copy.Flush(flushToDisk: true);
        }

        return new AnchorExport(Lines(bytes).Count, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Whether the anchor file still begins with the export, line for line.</summary>
    public static async Task<AnchorExportCheck> CheckAsync(string exportedFile, string anchorFile, CancellationToken cancellationToken = default)
    {
        var exported = Lines(await File.ReadAllBytesAsync(exportedFile, cancellationToken));
        var current = Lines(await ReadSharedAsync(anchorFile, cancellationToken));
        for (var i = 0; i < exported.Count; i++)
        {
            // The export's last line may have been taken while it was being written: the file may have more of it now.
            var last = i == exported.Count - 1;
            if (i >= current.Count || !(exported[i].SequenceEqual(current[i]) || (last && current[i].AsSpan().StartsWith(exported[i]))))
            {
                return new AnchorExportCheck(exported.Count, 0, i + 1);
            }
        }

        return new AnchorExportCheck(exported.Count, current.Count - exported.Count, null);
    }

    private static async Task<byte[]> ReadSharedAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return [];
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>The file's lines as bytes, without their line feeds (a last line without one counts too).</summary>
    private static List<byte[]> Lines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        if (start < bytes.Length)
        {
            lines.Add(bytes[start..]);
        }

        return lines;
    }
}
