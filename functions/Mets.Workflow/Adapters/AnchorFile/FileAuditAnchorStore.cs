using System.Text;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Audit;

namespace Mets.Workflow.Adapters.AnchorFile;

/// <summary>
/// The local anchor store: one append-only text file (docs/reliability.md, "Tamper-evident audit"), by default
/// <c>audit/timeline-anchors.log</c> under the data folder. One line per anchor (<see cref="AnchorLine"/>: engagement
/// id, entry count, head hash, time, separated by tabs). The file is only ever opened with
/// <see cref="FileMode.Append"/> for writing, each line written in one write and flushed to the disk (fsync) before
/// <see cref="AppendAsync"/> returns; nothing in the application truncates or rewrites it. A line torn by a crash
/// mid-write is ended before the next anchor, and readers skip lines that are not anchors. The file is no defence
/// against someone who can write it (the machine's administrator): its export to a place they cannot reach is
/// (<see cref="AnchorFileExport"/>).
/// </summary>
public sealed class FileAuditAnchorStore : IAuditAnchorStore, IDisposable
{
    private readonly SemaphoreSlim _append = new(1, 1);

    public FileAuditAnchorStore(string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        FilePath = Path.GetFullPath(filePath);
    }

    public string FilePath { get; }

    public async Task AppendAsync(TimelineAnchor anchor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        var line = AnchorLine.Format(anchor);
        await _append.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var bytes = Encoding.UTF8.GetBytes(EndsTorn() ? "\n" + line : line);
            await using var file = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1, FileOptions.None);
            await file.WriteAsync(bytes, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        finally
        {
            _append.Release();
        }
    }

    public async Task<IReadOnlyList<TimelineAnchor>> ReadAsync(EngagementId engagementId, CancellationToken cancellationToken = default)
    {
        var found = new List<TimelineAnchor>();
        if (!File.Exists(FilePath))
        {
            return found;
        }

        var prefix = engagementId.Value + "\t";
        await using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024, useAsync: true);
        using var reader = new StreamReader(file, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal) && AnchorLine.TryParse(line, out var anchor))
            {
                found.Add(anchor);
            }
        }

        return [.. found.OrderBy(a => a.EntryCount).ThenBy(a => a.AnchoredAt)];
    }

    public void Dispose() => _append.Dispose();

    /// <summary>Whether the file's last line lacks its line feed (a write torn by a crash).</summary>
    private bool EndsTorn()
    {
        if (!File.Exists(FilePath))
        {
            return false;
        }

        using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length == 0)
        {
            return false;
        }

        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte() != '\n';
    }
}
