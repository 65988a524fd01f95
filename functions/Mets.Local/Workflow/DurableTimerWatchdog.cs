using Mets.Durable.Engine;

namespace Mets.Local.Workflow;

/// <summary>
/// Workaround for a lost wake-up in the embedded engine's timer loop (Mets.Durable
/// <c>DurableEngine.FireTimersAsync</c>): when the next timer is already due, the loop <c>continue</c>s
/// without cancelling the wake-up wait it just started; that orphaned wait later swallows the signal
/// of a newly created timer, and the loop can sleep past it (with no other timer, for good). Once a
/// second this asks the engine whether work is due (<see cref="DurableEngine.WaitForIdleAsync"/>
/// re-signals its loops while anything is due), so a due timer fires within about a second. Remove
/// when the engine cancels that wait before continuing.
/// </summary>
public sealed partial class DurableTimerWatchdog(DurableEngine engine, TimeProvider time, ILogger<DurableTimerWatchdog> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await engine.WaitForIdleAsync(bounded.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Long-running work: look again at the next tick.
            }
            catch (ObjectDisposedException)
            {
                return; // the engine is shutting down
            }
#pragma warning disable CA1031 // A failed look (e.g. the store busy) must not stop the watchdog; the next tick tries again.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogFailed(logger, exception.GetType().FullName);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Durable timer watchdog: looking for due work failed ({ExceptionType})")]
    private static partial void LogFailed(ILogger logger, string? exceptionType);
}
