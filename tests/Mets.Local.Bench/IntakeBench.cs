using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Mets.Local.Testing;
using Microsoft.Data.Sqlite;

namespace Mets.Local.Bench;

/// <summary>What one intake run does (the command's options).</summary>
public sealed record IntakeOptions
{
    /// <summary>Referrals measured (each a new member, so each a new engagement).</summary>
    public int Referrals { get; init; } = 10_000;

    /// <summary>Requests in flight at once (closed loop: each connection sends its next request when the last is answered).</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Referrals sent first and drained, not measured (JIT, connection pools, SQLite caches).</summary>
    public int Warmup { get; init; } = 500;

    /// <summary>How long <c>GET /health</c> is driven at the same concurrency, as the same-run reference figure.</summary>
    public int HealthSeconds { get; init; } = 5;

    /// <summary>Another build of Mets.Local.dll (the baseline); this repository's Release build when null.</summary>
    public string? HostDll { get; init; }

    public string Label { get; init; } = "host";

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Host settings as environment variables (e.g. <c>Mets__Durable__MaxConcurrentActivities=1</c>), for experiments.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>A file to write the host's process id into (for a profiler to attach to).</summary>
    public string? PidFile { get; init; }
}

/// <summary>The figures of one run.</summary>
public sealed record IntakeResult(bool Passed, double ReferralsPerSecond, double P50Ms, double P99Ms, double HealthPerSecond, TimeSpan? Drain);

/// <summary>
/// Starts the built host on a new data folder, warms it up, drives <c>GET /health</c> and then
/// <c>POST /api/referrals</c> (unique JSON referrals) at a fixed concurrency, and times the drain: from the last 202
/// until every engagement is at its assessment step (its case is Open, no longer Received) and the engine has nothing
/// left to do (no inbox message, no pending activity). The drain is read from the host's SQLite files (read-only, a
/// cheap count every 100 ms) so that watching it does not load the host; at the end the engagement list over HTTP must
/// show every engagement open at the assessment step.
/// </summary>
public static class IntakeBench
{
    public static async Task<IntakeResult> RunAsync(IntakeOptions options, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var dataFolder = Directory.CreateTempSubdirectory("mets-intake-bench-").FullName;
        log($"{options.Label}: {options.HostDll ?? "this repository's build"}; data folder {dataFolder}");
        log($"{options.Label}: load average at start {LoadAverage()}");
        var host = await LocalHostProcess.StartAsync(dataFolder, new Dictionary<string, string>(options.Settings), hostDll: options.HostDll);
        try
        {
            if (options.PidFile is not null)
            {
                await File.WriteAllTextAsync(options.PidFile, host.ProcessId.ToString(CultureInfo.InvariantCulture));
            }

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = host.BaseAddress,
                Timeout = TimeSpan.FromSeconds(60),
            };
            var apiKey = host.ApiKey;
            var run = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

            // Warm-up: referrals (drained) and health checks, not measured.
            var warm = await ReferralsAsync(http, apiKey, run, 0, options.Warmup, options.Concurrency);
            await WaitForDrainAsync(host, options.Warmup, options.DrainTimeout);
            await HealthAsync(http, options.Concurrency, TimeSpan.FromSeconds(1));

            var health = await HealthAsync(http, options.Concurrency, TimeSpan.FromSeconds(options.HealthSeconds));
            log($"{options.Label}: GET /health {health:N0} req/s (concurrency {options.Concurrency}, {options.HealthSeconds} s)");

            var cpuBefore = HostCpu(host.ProcessId);
            var intake = await ReferralsAsync(http, apiKey, run, options.Warmup, options.Referrals, options.Concurrency);
            var cpuIntake = HostCpu(host.ProcessId) - cpuBefore;
            var rate = options.Referrals / intake.Elapsed.TotalSeconds;
            log($"{options.Label}: POST /api/referrals {options.Referrals:N0} in {intake.Elapsed.TotalSeconds:N1} s: {rate:N0} referrals/s " +
                $"(concurrency {options.Concurrency}); latency p50 {intake.Percentile(0.50):N1} ms, p90 {intake.Percentile(0.90):N1} ms, " +
                $"p99 {intake.Percentile(0.99):N1} ms, max {intake.Percentile(1.0):N1} ms; answers {intake.Describe()}");
            log($"{options.Label}: host CPU during intake {cpuIntake.TotalSeconds:N1} s ({cpuIntake.TotalMilliseconds / options.Referrals:N2} ms per referral, " +
                $"{cpuIntake.TotalSeconds / intake.Elapsed.TotalSeconds:N2} cores)");

            var total = options.Warmup + options.Referrals;
            var drainClock = Stopwatch.StartNew();
            var drained = await WaitForDrainAsync(host, total, options.DrainTimeout);
            drainClock.Stop();
            var cpuDrain = HostCpu(host.ProcessId) - cpuBefore - cpuIntake;
            TimeSpan? drain = drained ? drainClock.Elapsed : null;
            log(drained
                ? $"{options.Label}: drain {drain!.Value.TotalSeconds:N1} s after the last 202 until every engagement was at its assessment step " +
                  $"({(intake.Elapsed + drain.Value).TotalSeconds:N1} s from the first referral; host CPU in the drain {cpuDrain.TotalSeconds:N1} s)"
                : $"{options.Label}: the backlog did not drain within {options.DrainTimeout}");

            var listed = drained ? await OpenAtAssessmentAsync(http, apiKey) : 0;
            var passed = drained && intake.AllAccepted && warm.AllAccepted && listed == total;
            if (drained)
            {
                log($"{options.Label}: GET /api/engagements lists {listed:N0} of {total:N0} engagements open at the assessment step");
            }

            log($"{options.Label}: load average at end {LoadAverage()}");
            return new IntakeResult(passed, rate, intake.Percentile(0.50), intake.Percentile(0.99), health, drain);
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(60));
            await host.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    /// <summary>A unique referral: a new member each, one treating provider, as a referring system sends it.</summary>
    public static string ReferralJson(string run, int index) => $$"""
        {
          "referralId": "BENCH-{{run}}-{{index:D7}}", "memberId": "PLAN:B{{run}}{{index:D7}}", "source": "treatingProvider", "reason": "clinicalConcern",
          "diagnoses": ["F33.1"], "treatingProviders": [ { "name": "Bench Provider {{index % 97}}", "npi": "1234567893", "email": "provider{{index % 97}}@example.test", "role": "psychiatry" } ]
        }
        """;

    /// <summary>Posts referrals <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 with <paramref name="concurrency"/> in flight.</summary>
    public static async Task<LoadRecord> ReferralsAsync(HttpClient http, string apiKey, string run, int first, int count, int concurrency)
    {
        ArgumentNullException.ThrowIfNull(http);
        var record = new LoadRecord(count);
        var next = first - 1;
        var last = first + count - 1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) <= last)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/referrals")
                {
                    Content = new StringContent(ReferralJson(run, index), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("x-functions-key", apiKey);
                var started = Stopwatch.GetTimestamp();
                HttpStatusCode status;
                try
                {
                    using var response = await http.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    status = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }

                record.Add(Stopwatch.GetElapsedTime(started), status);
            }
        }));
        record.Elapsed = clock.Elapsed;
        return record;
    }

    private static async Task<double> HealthAsync(HttpClient http, int concurrency, TimeSpan duration)
    {
        long done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative));
                await response.Content.LoadIntoBufferAsync();
                Interlocked.Increment(ref done);
            }
        }));
        return done / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Waits until <paramref name="engagements"/> cases exist and none is still Received (each has its clinician and
    /// assessment due date), read from the case database. (Until 2026-12-03 it also waited for the engine's relational
    /// tables to hold no inbox message and no pending activity; the engine's journal, which the host now uses, cannot be
    /// queried so, and one definition serves both builds of a side-by-side run.)
    /// </summary>
    private static async Task<bool> WaitForDrainAsync(LocalHostProcess host, int engagements, TimeSpan timeout)
    {
        var cases = ReadOnly(Path.Combine(host.DataFolder, "mets-cases.db"));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (Count(cases, "SELECT COUNT(*) FROM cases WHERE status <> 'Received'") >= engagements)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static async Task<int> OpenAtAssessmentAsync(HttpClient http, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/engagements?status=open");
        request.Headers.Add("x-functions-key", apiKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return list.RootElement.EnumerateArray().Count(e => string.Equals(e.GetProperty("step").GetString(), "assessment", StringComparison.OrdinalIgnoreCase));
    }

    private static string ReadOnly(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();

    private static long Count(string connectionString, string sql)
    {
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return -1; // not created yet, or busy for a moment: look again
        }
    }

    /// <summary>User plus system CPU time of a process (Linux /proc), zero elsewhere.</summary>
    public static TimeSpan HostCpu(int processId)
    {
        var stat = $"/proc/{processId}/stat";
        if (!File.Exists(stat))
        {
            return TimeSpan.Zero;
        }

        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

/// <summary>Latencies and answers of a load run.</summary>
public sealed class LoadRecord(int capacity)
{
    private readonly List<double> _latencies = new(capacity);
    private readonly Dictionary<HttpStatusCode, int> _answers = [];

    public TimeSpan Elapsed { get; set; }

    public bool AllAccepted
    {
        get
        {
            lock (_latencies)
            {
                return _answers.Keys.All(s => s == HttpStatusCode.Accepted);
            }
        }
    }

    public void Add(TimeSpan latency, HttpStatusCode status)
    {
        lock (_latencies)
        {
            _latencies.Add(latency.TotalMilliseconds);
            _answers[status] = _answers.GetValueOrDefault(status) + 1;
        }
    }

    public double Percentile(double p)
    {
        lock (_latencies)
        {
            if (_latencies.Count == 0)
            {
                return double.NaN;
            }

            _latencies.Sort();
            return _latencies[Math.Clamp((int)Math.Ceiling(p * _latencies.Count) - 1, 0, _latencies.Count - 1)];
        }
    }

    public string Describe()
    {
        lock (_latencies)
        {
            return string.Join(", ", _answers.OrderBy(a => a.Key).Select(a => $"{a.Value:N0} x {(a.Key == 0 ? "no answer" : ((int)a.Key).ToString(CultureInfo.InvariantCulture))}"));
        }
    }
}
