using Mets.Durable.Engine;

namespace Mets.Durable.Tests.Engine;

/// <summary>
/// The engine's loops sleep on a <see cref="WakeSignal"/> and abandon the wait whenever a timer wins.
/// The earlier signal (a SemaphoreSlim(0, 1) waited with a cancellation token) handed a Set that came right
/// after such an abandoned wait to the abandoned waiter, whose cancellation was still being processed: the
/// wake-up was lost and the timer loop slept while instances waited on due timers (seen in retry-with-backoff
/// and ContinueAsNew scenarios). These tests drive that exact sequence without any race.
/// </summary>
public class WakeSignalTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Set_RightAfterAnAbandonedWait_WakesTheNextWait()
    {
        for (var i = 0; i < 1000; i++)
        {
            var signal = new WakeSignal();
            using var abandon = new CancellationTokenSource();
            var abandoned = signal.WaitAsync(abandon.Token); // the loop's wait, beaten by a timer...
            await abandon.CancelAsync();                     // ...is abandoned, as the timer loop does,
            signal.Set();                                    // and new work is committed at once

            await signal.WaitAsync(CancellationToken.None).WaitAsync(Generous);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }
    }

    [Fact]
    public async Task Set_BeforeTheWait_IsKeptUntilReset()
    {
        var signal = new WakeSignal();
        signal.Set();

        await signal.WaitAsync(CancellationToken.None).WaitAsync(Generous);
        await signal.WaitAsync(CancellationToken.None).WaitAsync(Generous); // still set: only Reset consumes it
        signal.Reset();

        Assert.False(signal.IsSet);
        Assert.False(signal.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Set_BetweenResetAndWait_IsNotLost()
    {
        var signal = new WakeSignal();
        signal.Set();
        signal.Reset(); // the loop consumes the old wake-up, then looks for work...
        signal.Set();   // ...while new work is committed

        await signal.WaitAsync(CancellationToken.None).WaitAsync(Generous);
    }
}
