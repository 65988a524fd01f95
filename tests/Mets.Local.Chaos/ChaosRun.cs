using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mets.Local.Testing;
using Microsoft.Data.Sqlite;

namespace Mets.Local.Chaos;

/// <summary>What to run: how many engagements, how many kills, the seed of everything random.</summary>
/// <param name="ReferralsPerSecond">The arrival rate of the scripts' first referrals.</param>
public sealed record ChaosOptions(int Engagements, int Kills, int Seed)
{
    public double ReferralsPerSecond { get; init; } = 2.5;

    /// <summary>Claims files dropped into the inbox during the run (default: one per 100 engagements, at least 2).</summary>
    public int? ClaimsFiles { get; init; }

    /// <summary>Where the data folder and the host logs go (default: a new temporary folder).</summary>
    public string? RunFolder { get; init; }

    public Action<string> Log { get; init; } = Console.WriteLine;
}

/// <summary>
/// One chaos run: starts the built local host with <see cref="ChaosPolicy"/> on a new data folder, plays every
/// <see cref="EngagementScript"/> concurrently (referrals arriving at a steady rate), drops claims files into the inbox,
/// SIGKILLs the host at <see cref="ChaosOptions.Kills"/> random moments (each a random count of commands into the run
/// plus a random fraction of a second) and restarts it on the same data folder and port, waits until every engagement
/// has closed and no orchestration instance is left running, stops the host, and checks everything
/// (<see cref="EngagementChecks"/>, <see cref="ClaimsDrops"/>, SQLite integrity, no member data in the host's output).
/// </summary>
public static partial class ChaosRun
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(5);

    public static async Task<ChaosReport> RunAsync(ChaosOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = options.Log;
        var runFolder = options.RunFolder ?? Directory.CreateTempSubdirectory($"mets-chaos-{options.Seed}-").FullName;
        Directory.CreateDirectory(runFolder);
        var report = new ChaosReport { Seed = options.Seed, RunFolder = runFolder, Engagements = options.Engagements, KillsRequested = options.Kills };
        log($"chaos seed {options.Seed} (repeat with --seed {options.Seed}); {options.Engagements} engagements, {options.Kills} kills; run folder {runFolder}");

        var scripts = EngagementScript.CreateAll(options.Engagements, options.Seed);
        report.Scripts = scripts.GroupBy(s => s.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        var random = new Random(options.Seed ^ 0x5ca1ab1e);
        var drops = ClaimsDrops.Create(options.ClaimsFiles ?? Math.Max(2, options.Engagements / 100));
        report.ClaimsFiles = drops.Count;
        var arrivals = TimeSpan.FromSeconds(options.Engagements / options.ReferralsPerSecond);

        var watch = Stopwatch.StartNew();
        await using var host = new ChaosHost(runFolder, ChaosPolicy.HostSettings, log);
        await host.StartAsync();
        using var client = new ChaosClient(host);
        using var stopKilling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var killer = KillAsync(host, client.Progress, KillMoments(random, options.Kills, scripts.Sum(s => s.Commands)), random, log, stopKilling.Token);
        var dropping = Task.WhenAll(drops.Select(d => DropAtAsync(host, d, arrivals * random.NextDouble(), cancellationToken)));

        var driver = new EngagementDriver(client, host, cancellationToken);
        var records = scripts.Select(s => new EngagementRecord(s)).ToList();
        await Task.WhenAll(records.Select((r, i) => StartAtAsync(driver, r, TimeSpan.FromSeconds(i / options.ReferralsPerSecond), cancellationToken)));
        log($"{watch.Elapsed:mm\\:ss} every script played; waiting for the engine to finish");
        await stopKilling.CancelAsync();
        await killer;
        await dropping;

        // Engagements whose script failed: read them once more, so their emails and timers are still checked.
        foreach (var record in records.Where(r => r.Final is null && r.EngagementId is not null))
        {
            var read = await client.GetAsync($"/api/engagements/{record.EngagementId}", cancellationToken);
            record.Final = read.Status == HttpStatusCode.OK ? read.Json : null;
        }

        await WaitForQuietAsync(host, client, drops, report, cancellationToken);
        await ClaimsDrops.CheckAsync(drops, host, client, report, cancellationToken);
        await CheckNothingOpenAsync(host, client, report, cancellationToken);
        await CheckAuditAsync(records, client, report, cancellationToken);
        report.Requests = client.Requests;
        report.Retries = client.Retries;
        report.Held = client.Held;
        report.Commands = client.Commands;
        report.Kills = host.Kills;
        foreach (var error in client.ServerErrors)
        {
            report.Fail($"server error: {error}");
        }

        report.FinalExitCode = await host.StopAsync();
        if (report.FinalExitCode != 0)
        {
            report.Fail($"the host stopped (SIGTERM) with exit code {report.FinalExitCode}, expected 0");
        }

        report.Duration = watch.Elapsed;
        CheckEngagements(records, host, report);
        CheckDatabases(host.DataFolder, report);
        CheckOutputs(host, report);
        return report;
    }

    /// <summary>The kill moments: distinct command counts spread over the whole run.</summary>
    private static List<long> KillMoments(Random random, int kills, int commands)
    {
        var moments = new SortedSet<long>();
        while (moments.Count < Math.Min(kills, Math.Max(0, commands - 1)))
        {
            moments.Add(1 + random.NextInt64(commands - 1));
        }

        return [.. moments];
    }

    private static async Task KillAsync(ChaosHost host, CommandCounter progress, List<long> moments, Random random, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var moment in moments)
            {
                await progress.WhenAtLeast(moment).WaitAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000)), cancellationToken);
                var kill = await host.KillAndRestartAsync();
                log($"kill {kill.Number}: SIGKILL host process {kill.ProcessId} after {progress.Count} commands; answering again after {kill.Downtime.TotalSeconds:F1} s");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Every script is done: the remaining moments never came (a script failed early).
        }
    }

    private static async Task StartAtAsync(EngagementDriver driver, EngagementRecord record, TimeSpan after, CancellationToken cancellationToken)
    {
        await Task.Delay(after, cancellationToken);
        await driver.RunAsync(record);
    }

    private static async Task DropAtAsync(ChaosHost host, ClaimsDrop drop, TimeSpan after, CancellationToken cancellationToken)
    {
        await Task.Delay(after, cancellationToken);
        await ClaimsDrops.DropAsync(host.DataFolder, drop);
    }

    /// <summary>Waits until no orchestration instance is pending or running and every claims file has its final status.</summary>
    private static async Task WaitForQuietAsync(ChaosHost host, ChaosClient client, IReadOnlyList<ClaimsDrop> drops, ChaosReport report, CancellationToken cancellationToken)
    {
        try
        {
            await Eventually.WaitForAsync(async () =>
            {
                var running = await client.GetAsync("/runtime/webhooks/durabletask/instances?runtimeStatus=Pending,Running&top=20", host.AdminKey, cancellationToken);
                return running.Status == HttpStatusCode.OK && running.Json.GetArrayLength() == 0 ? "quiet" : null;
            }, SettleTimeout, "every orchestration instance to finish", pause: TimeSpan.FromSeconds(1));
            foreach (var drop in drops)
            {
                await Eventually.WaitForAsync(async () =>
                {
                    var status = await client.GetAsync($"/api/claims/files/{drop.Id}", cancellationToken);
                    return EngagementDriver.Text(status.Json, "status") is "processed" or "quarantined" ? "done" : null;
                }, SettleTimeout, $"claims file {drop.FileName} to be processed", pause: TimeSpan.FromSeconds(1));
            }
        }
        catch (TimeoutException exception)
        {
            report.Fail(exception.Message);
        }
    }

    /// <summary>No instance is stuck: none pending, running, suspended, failed or terminated; no engagement left open.</summary>
    private static async Task CheckNothingOpenAsync(ChaosHost host, ChaosClient client, ChaosReport report, CancellationToken cancellationToken)
    {
        var left = await client.GetAsync("/runtime/webhooks/durabletask/instances?runtimeStatus=Pending,Running,Suspended,Failed,Terminated&top=50", host.AdminKey, cancellationToken);
        foreach (var instance in left.Json.ValueKind == JsonValueKind.Array ? left.Json.EnumerateArray() : Enumerable.Empty<JsonElement>())
        {
            report.Fail($"instance {EngagementDriver.Text(instance, "instanceId")} is {EngagementDriver.Text(instance, "runtimeStatus")}, expected completed");
        }

        var open = await client.GetAsync("/api/engagements?status=open", cancellationToken);
        foreach (var engagement in open.Json.ValueKind == JsonValueKind.Array ? open.Json.EnumerateArray() : Enumerable.Empty<JsonElement>())
        {
            report.Fail($"engagement {EngagementDriver.Text(engagement, "id")} is still open at {EngagementDriver.Text(engagement, "step")} (no script leaves one open)");
        }
    }

    /// <summary>Every engagement's timeline still verifies against its hash chain and anchors (<c>GET /api/engagements/{id}/audit</c>).</summary>
    private static async Task CheckAuditAsync(List<EngagementRecord> records, ChaosClient client, ChaosReport report, CancellationToken cancellationToken)
    {
        foreach (var id in records.Select(r => r.EngagementId).OfType<string>())
        {
            var audit = await client.GetAsync($"/api/engagements/{id}/audit", cancellationToken);
            if (audit.Status != HttpStatusCode.OK || !audit.Json.TryGetProperty("intact", out var intact))
            {
                report.Fail($"engagement {id}: the audit answered {audit.Describe()}, expected 200");
                continue;
            }

            report.AuditsChecked++;
            if (!intact.GetBoolean())
            {
                var finding = audit.Json.GetProperty("finding");
                report.Fail($"engagement {id}: its timeline no longer verifies ({EngagementDriver.Text(finding, "kind")} at entry {finding.GetProperty("position").GetInt32()}: {EngagementDriver.Text(finding, "reason")})");
            }
            else if (audit.Json.GetProperty("unanchoredEntries").GetInt32() > 0)
            {
                report.UnanchoredClosedTimelines++;
            }
        }
    }

    private static void CheckEngagements(List<EngagementRecord> records, ChaosHost host, ChaosReport report)
    {
        var outbox = Path.Combine(host.DataFolder, "outbox");
        var emails = Directory.GetFiles(outbox, "*.eml").Select(Path.GetFileName).Cast<string>().ToList();
        report.Emails = emails.Count;
        var byEngagement = emails.GroupBy(e => e.Length >= 32 ? e[..32] : e).ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var known = records.Select(r => r.EngagementId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var (engagement, stray) in byEngagement.Where(e => !known.Contains(e.Key)))
        {
            report.Fail($"{stray.Count} email(s) for engagement {engagement}, which no script made (e.g. {stray.First()})");
        }

        var leftovers = Directory.GetFiles(outbox, ".*").Length;
        if (leftovers > 0)
        {
            report.Note($"{leftovers} temporary file(s) left in the outbox by emails being written when the host was killed (never sent; the retried send wrote the email)");
        }

        var checks = new EngagementChecks(report, host.UpWindows);
        foreach (var record in records)
        {
            report.LostToDeadlines += record.Tolerated.Count;
            foreach (var tolerated in record.Tolerated)
            {
                report.Note(tolerated);
            }

            report.ReferralsAccepted += record.ReferralsAccepted.Count;
            checks.Check(record, byEngagement.GetValueOrDefault(record.EngagementId ?? string.Empty) ?? new HashSet<string>());
            foreach (var failure in record.Failures)
            {
                report.Fail(failure);
            }
        }

        File.WriteAllLines(Path.Combine(report.RunFolder, "timers.csv"), checks.Timers);
    }

    /// <summary>Every SQLite database in the data folder passes <c>PRAGMA integrity_check</c>.</summary>
    private static void CheckDatabases(string dataFolder, ChaosReport report)
    {
        foreach (var path in Directory.GetFiles(dataFolder, "*.db"))
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            var result = command.ExecuteScalar() as string;
            report.Databases++;
            if (result != "ok")
            {
                report.Fail($"{Path.GetFileName(path)}: integrity_check answered {result}, expected ok");
            }
        }

        if (report.Databases == 0)
        {
            report.Fail("no SQLite database found in the data folder");
        }
    }

    /// <summary>The host's output (every process's log) never shows a member id or a provider's name.</summary>
    private static void CheckOutputs(ChaosHost host, ChaosReport report)
    {
        foreach (var path in host.OutputLogs)
        {
            var text = File.ReadAllText(path);
            if (PhiPattern().Match(text) is { Success: true } match)
            {
                report.Fail($"{Path.GetFileName(path)} shows member or provider data ({match.Value[..4]}...)");
            }
        }
    }

    [GeneratedRegex($"{EngagementScript.MemberMarker}\\d+|{EngagementScript.ProviderMarker}|CLAIMS-\\d+")]
    private static partial Regex PhiPattern();
}
