using System.Collections.Concurrent;
using Mets.Durable.Testing;
using Microsoft.Extensions.Logging;

namespace Mets.Durable.Tests.Engine;

/// <summary>
/// Timers further out than Task.Delay accepts (about 49.7 days): the engine's timer loop must sleep in
/// bounded steps instead of failing (a 180-day engagement limit is an ordinary METS timer).
/// </summary>
public class LongTimerTests
{
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CreateTimer_MonthsAhead_FiresWithoutTimerLoopErrors(string store)
    {
        var errors = new ConcurrentQueue<string>();
        using var loggerFactory = new ErrorCollector(errors);
        await using var host = await DurableTestHost.StartAsync(
            r => r.AddOrchestratorFunc<object?, DateTime>("LongWait", async (ctx, _) =>
            {
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddDays(180), CancellationToken.None);
                return ctx.CurrentUtcDateTime;
            }),
            StoreKinds.Create(store),
            loggerFactory: loggerFactory);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("LongWait");
        var start = host.UtcNow;
        for (var day = 0; day < 3; day++)
        {
            await host.AdvanceAsync(TimeSpan.FromDays(1));
        }

        Assert.Empty(errors);
        await host.AdvanceAsync(TimeSpan.FromDays(178));
        var done = await host.WaitForCompletionAsync(id);
        Assert.Equal(start.AddDays(180), done.ReadOutputAs<DateTime>());
        Assert.Empty(errors);
    }

    private sealed class ErrorCollector(ConcurrentQueue<string> errors) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new Logger(errors);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    errors.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
