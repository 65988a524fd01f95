using System.Diagnostics;
using System.Reflection;
using Mets.Durable.CrashWorker;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Xunit.Abstractions;

namespace Mets.Durable.Tests.Storage;

/// <summary>Process-starting tests: one non-parallel collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessGroup
{
    public const string Name = "durable child processes";
}

[Collection(ChildProcessGroup.Name)]
public class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Instances = 200;
    private const int Kills = 5;

    /// <param name="store">sqlite: the relational store; journal: <see cref="JournaledOrchestrationStore"/>, compacted every 256 KB so kills also land in and around compactions.</param>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("journal")]
    public async Task Engine_KilledAtRandomMomentsAndRestarted_EveryInstanceCompletesExactlyOnce(string store)
    {
        var seed = Environment.GetEnvironmentVariable("METS_CRASH_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"crash test seed: {seed} (repeat with METS_CRASH_SEED={seed})");
        var random = new Random(seed);
        var database = Path.Combine(Directory.CreateTempSubdirectory("mets-crash-").FullName, "durable.db");

        for (var kill = 1; kill <= Kills; kill++)
        {
            using var worker = StartWorker(database, store);
            await WaitForLineAsync(worker, "STARTED", TimeSpan.FromSeconds(60));
            var delay = TimeSpan.FromMilliseconds(random.Next(100, 1000));
            await Task.WhenAny(worker.WaitForExitAsync(), Task.Delay(delay)); // the kill moment: a deliberate random delay, not a wait for a condition
            var finished = worker.HasExited;
            if (!finished)
            {
                worker.Kill(entireProcessTree: true); // SIGKILL: no shutdown code runs
            }

            await worker.WaitForExitAsync();
            output.WriteLine($"kill {kill}: after {delay.TotalMilliseconds} ms (worker had {(finished ? "already finished" : "not finished")})");
            Assert.False(finished, "the workload finished before the kill; every kill must land mid-work");
        }

        using (var last = StartWorker(database, store))
        {
            await WaitForLineAsync(last, "DONE", TimeSpan.FromSeconds(120));
            await last.WaitForExitAsync();
            Assert.Equal(0, last.ExitCode);
        }

        await using IOrchestrationStore stored = store == "journal" ? new JournaledOrchestrationStore(database) : new SqliteOrchestrationStore(database);
        await stored.InitializeAsync(CancellationToken.None);
        var converter = Microsoft.DurableTask.Converters.JsonDataConverter.Default;
        for (var n = 0; n < Instances; n++)
        {
            var instance = await stored.GetInstanceAsync(CrashWorkload.InstanceId(n), CancellationToken.None);
            Assert.NotNull(instance);
            Assert.True(instance.Status == OrchestrationRuntimeStatus.Completed, $"{instance.InstanceId} is {instance.Status}: {instance.Failure}");
            Assert.Equal(CrashWorkload.Expected(n), converter.Deserialize<long>(instance.Output));
        }

        var counts = await stored.GetWorkCountsAsync(DateTime.MaxValue, CancellationToken.None);
        Assert.Equal(new StoreWorkCounts(0, 0, 0, 0), counts);
    }

    private static Process StartWorker(string database, string store)
    {
        var dll = LocateWorker();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(database);
        start.ArgumentList.Add(Instances.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(store);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash worker.");
    }

    private static async Task WaitForLineAsync(Process process, string expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line == expected)
            {
                return;
            }
        }

        var error = await process.StandardError.ReadToEndAsync(cts.Token);
        throw new InvalidOperationException($"The crash worker exited before printing {expected}. stderr: {error}");
    }

    private static string LocateWorker()
    {
        var configuration = typeof(CrashRecoveryTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            dir = dir.Parent;
        }

        var dll = Path.Combine(dir?.FullName ?? ".", "tests", "Mets.Durable.CrashWorker", "bin", configuration, "net10.0", "Mets.Durable.CrashWorker.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Mets.Durable.CrashWorker first.", dll);
    }
}
