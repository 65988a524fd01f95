using System.Text.Json;
using Mets.Claims.Ingestion;
using Mets.Local.Data;
using Mets.Workflow.ClaimsIntake;

namespace Mets.Local.Claims;

/// <summary>
/// Processes the claims inbox one file at a time: the files present at start (oldest name first), then
/// each file dropped or uploaded later. A processed file moves to <c>claims/processed/</c>; a file
/// refused whole (or one whose processing failed) moves to <c>claims/quarantine/</c> with a report
/// beside it (<c>{name}.report.json</c>). An X12 file's acknowledgment is written beside it too
/// (<c>{name}.999</c> or <c>{name}.ta1</c>, in processed/ or quarantine/): the watcher looks only at the
/// inbox folder itself, so an acknowledgment never comes back as a new claims file. On shutdown the file in
/// hand stays in the inbox: the next start processes it again (ingest is idempotent by content hash and
/// resumes a crashed file).
/// </summary>
public sealed partial class ClaimsInboxWorker(
    ClaimsInbox inbox,
    LocalDataFolder dataFolder,
    ClaimsFileProcessor processor,
    TimeProvider time,
    ILogger<ClaimsInboxWorker> logger) : BackgroundService
{
    private FileSystemWatcher? _watcher;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        dataFolder.EnsureCreated();
        _watcher = new FileSystemWatcher(dataFolder.ClaimsInbox) { IncludeSubdirectories = false };
        _watcher.Created += (_, e) => inbox.Offer(e.FullPath);
        _watcher.Renamed += (_, e) => inbox.Offer(e.FullPath);
        _watcher.EnableRaisingEvents = true;
        foreach (var path in Directory.GetFiles(dataFolder.ClaimsInbox).Order(StringComparer.Ordinal))
        {
            inbox.Offer(path);
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _watcher?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var path in inbox.Reader.ReadAllAsync(stoppingToken))
        {
            var uploadId = ClaimsInbox.UploadIdOf(path);
            try
            {
                if (File.Exists(path))
                {
                    await WaitUntilWrittenAsync(path, stoppingToken);
                    await ProcessAsync(path, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                LogLeftForNextStart(logger);
                return;
            }
#pragma warning disable CA1031 // One bad file must not stop the inbox; it is quarantined with a report.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogFailed(logger, exception.GetType().FullName);
                Move(path, dataFolder.ClaimsQuarantine, ClaimsFileReports.Failed(exception));
            }
            finally
            {
                inbox.Done(path, uploadId);
            }
        }
    }

    private async Task ProcessAsync(string path, CancellationToken cancellationToken)
    {
        ClaimsFileProcessingResult result;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
        {
            result = await processor.ProcessAsync(ClaimsInbox.ProcessingNameOf(path), stream, cancellationToken);
        }

        var file = result.File;
        LogProcessed(logger, file.ContentHash[..12], file.Outcome, file.Counts.ClaimsAccepted, file.Counts.ClaimsRejected,
            result.Routing.ReferralsCreated, result.Routing.EventsRaised);
        var target = ClaimsFileReports.IsQuarantined(file)
            ? Move(path, dataFolder.ClaimsQuarantine, ClaimsFileReports.Quarantined(file))
            : Move(path, dataFolder.ClaimsProcessed, report: null);

        if (target is not null && file.Acknowledgment is { } acknowledgment)
        {
            // Beside the moved file, outside the watched inbox folder: never picked up as a claims file.
            await File.WriteAllTextAsync(target + acknowledgment.FileExtension, acknowledgment.Content, CancellationToken.None);
            LogAcknowledgmentWritten(logger, file.ContentHash[..12], acknowledgment.KindName, acknowledgment.CodeLetter);
        }
    }

    /// <summary>A file copied into the folder may still be growing when it is announced: wait until its size holds still.</summary>
    private async Task WaitUntilWrittenAsync(string path, CancellationToken cancellationToken)
    {
        var size = new FileInfo(path).Length;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            var now = new FileInfo(path).Length;
            if (now == size)
            {
                return;
            }

            size = now;
        }
    }

    /// <summary>Moves the file into the folder (a time-stamped name when the name is taken) and writes the report
    /// beside it; returns the new path, or null when the file is gone.</summary>
    private string? Move(string path, string folder, object? report)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        Directory.CreateDirectory(folder);
        var name = ClaimsInbox.ProcessingNameOf(path);
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var target = Path.Combine(folder, name);
        for (var n = 1; File.Exists(target); n++)
        {
            target = Path.Combine(folder, $"{stamp}-{n}-{name}");
        }

        File.Move(path, target);
        if (report is not null)
        {
            File.WriteAllText(target + ".report.json", JsonSerializer.Serialize(report, ClaimsFileReports.Json));
        }

        return target;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Claims file {ShortHash}: {Outcome}; {Accepted} claims accepted, {Rejected} rejected; {ReferralsCreated} referrals created, {EventsRaised} engagement events")]
    private static partial void LogProcessed(ILogger logger, string shortHash, ClaimsFileOutcome outcome, int accepted, int rejected, int referralsCreated, int eventsRaised);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A claims file could not be processed ({ExceptionType}); it was moved to the quarantine folder")]
    private static partial void LogFailed(ILogger logger, string? exceptionType);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Claims file {ShortHash}: acknowledgment {Kind} {Code} written beside it")]
    private static partial void LogAcknowledgmentWritten(ILogger logger, string shortHash, string kind, string code);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Stopping: the claims file being processed stays in the inbox for the next start")]
    private static partial void LogLeftForNextStart(ILogger logger);
}
