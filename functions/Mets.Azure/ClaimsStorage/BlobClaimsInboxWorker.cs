using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Azure.ClaimsStorage;

/// <summary>
/// Runs <see cref="BlobClaimsInbox"/>: one pass at start, then one every <see cref="ClaimsStorageOptions.PollInterval"/>.
/// A failed pass (storage unreachable, ...) is logged and retried at the next tick. On shutdown the blob in
/// hand stays in the inbox for the next start.
/// </summary>
public sealed partial class BlobClaimsInboxWorker(
    BlobClaimsInbox inbox,
    IOptions<ClaimsStorageOptions> options,
    TimeProvider time,
    ILogger<BlobClaimsInboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        try
        {
            do
            {
                try
                {
                    await inbox.ProcessPendingAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A failed pass must not stop the inbox; the next tick retries.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogPassFailed(logger, e.GetType().FullName, (e as global::Azure.RequestFailedException)?.Status);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopping(logger);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Claims blob inbox pass failed ({ExceptionType}, HTTP {Status}); retrying at the next poll")]
    private static partial void LogPassFailed(ILogger logger, string? exceptionType, int? status);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Claims blob inbox stopped (a blob it was processing stays in the inbox for the next start)")]
    private static partial void LogStopping(ILogger logger);
}
