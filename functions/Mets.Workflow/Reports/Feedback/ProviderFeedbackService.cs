using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Reports.Feedback;

/// <summary>
/// Runs the provider feedback (<see cref="ProviderFeedbackRun"/>) in a long-running host every
/// <see cref="ProviderFeedbackOptions.Interval"/> on the host's <see cref="TimeProvider"/>, the first time one interval
/// after start (a host started for a test or a demo sends none at once). Each provider gets one email a month whatever
/// the interval. The function app runs it from its timer function instead.
/// </summary>
public sealed partial class ProviderFeedbackService(IServiceProvider services, IOptions<ProviderFeedbackOptions> options, TimeProvider clock, ILogger<ProviderFeedbackService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var run = services.GetRequiredService<ProviderFeedbackRun>();
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await run.RunAsync(stoppingToken);
            }
#pragma warning disable CA1031 // a failed run must not stop the host; the next one runs on time.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogRunFailed(exception);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The provider feedback run failed; it runs again at its next interval")]
    private partial void LogRunFailed(Exception exception);
}
