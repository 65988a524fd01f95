using Microsoft.DurableTask;

namespace Mets.Durable.CrashWorker;

/// <summary>
/// The crash test's workload: every instance fans out activities, waits on durable timers, calls a
/// sub-orchestration, sends itself an event and continues as new once, so a kill can land in the
/// middle of any kind of step. Activities are pure, so at-least-once execution cannot change results.
/// </summary>
public static class CrashWorkload
{
    public const string Orchestrator = "CrashWorkload";

    public static string InstanceId(int n) => $"crash-{n:D4}";

    /// <summary>The one correct output of instance <paramref name="n"/>.</summary>
    public static long Expected(int n) => Generation(n, 0) + Generation(n, 1);

    public static void Register(DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry
            .AddActivityFunc<long, long>("Square", (_, x) => Task.FromResult(x * x))
            .AddActivityFunc<long, long>("Double", (_, x) => Task.FromResult(2 * x))
            .AddOrchestratorFunc<long, long>("AddOne", async (ctx, x) =>
            {
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMilliseconds(500), CancellationToken.None);
                return x + 1;
            })
            .AddOrchestratorFunc<WorkloadInput, long>(Orchestrator, async (ctx, input) =>
            {
                long n = input.N;
                var squares = await Task.WhenAll(
                    ctx.CallActivityAsync<long>("Square", n + input.Generation),
                    ctx.CallActivityAsync<long>("Square", n + 1),
                    ctx.CallActivityAsync<long>("Double", n));
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMilliseconds(2500 + (input.N % 7 * 200)), CancellationToken.None);
                var plus = await ctx.CallSubOrchestratorAsync<long>("AddOne", squares.Sum(), new SubOrchestrationOptions(instanceId: $"{ctx.InstanceId}:g{input.Generation}"));
                ctx.SendEvent(ctx.InstanceId, "self", plus);
                var echoed = await ctx.WaitForExternalEvent<long>("self");
                var total = input.Carried + echoed;
                if (input.Generation == 0)
                {
                    ctx.ContinueAsNew(input with { Generation = 1, Carried = total });
                    return 0;
                }

                return total;
            });
    }

    private static long Generation(int n, int generation) => ((long)(n + generation) * (n + generation)) + ((long)(n + 1) * (n + 1)) + (2L * n) + 1;

    public sealed record WorkloadInput(int N, int Generation = 0, long Carried = 0);
}
