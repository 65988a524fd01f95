using Mets.Workflow.Audit;
using Mets.Workflow.Maintenance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Hosting;

/// <summary>
/// Runs the anchor sweep (<see cref="TimelineAnchorSweep"/>) in a long-running host: once at start, then every
/// <see cref="AuditOptions.AnchorSweepInterval"/> on the host's <see cref="TimeProvider"/>. A sweep that fails is logged
/// and the next one runs on time. The function app runs the sweep from its timer function instead.
/// </summary>
public sealed partial class TimelineAnchorSweepService(IServiceProvider services, IOptions<AuditOptions> options, TimeProvider clock, ILogger<TimelineAnchorSweepService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = services.GetRequiredService<TimelineAnchorSweep>();
        using var timer = new PeriodicTimer(options.Value.AnchorSweepInterval, clock);
        do
        {
            try
            {
                await sweep.RunAsync(stoppingToken);
            }
#pragma warning disable CA1031 // a failed sweep must not stop the host; the next one runs on time.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogSweepFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The anchor sweep failed; it runs again at its next interval")]
    private partial void LogSweepFailed(Exception exception);
}
