using System.Diagnostics;
using System.Globalization;
using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Reading.Csv;
using Mets.Claims.Reading.X12;
using Mets.Claims.Storage.Sqlite;
using Microsoft.Extensions.Options;
using Sylvan.Data.Csv;

namespace Mets.Claims.Bench;

internal static class Measurements
{
    private static readonly DateOnly Today = new(2026, 3, 1); // same day as the ingest's FixedTime

    public static async Task CsvThroughputAsync(string work, int seed, long lines, int members, int runs, bool store, int storeRuns)
    {
        var path = Path.Combine(work, $"claims-{lines}-{members}-{seed}.csv");
        if (!File.Exists(path))
        {
            var (written, bytes) = new SyntheticClaimsGenerator(seed).WriteClaimsCsv(path, lines, members);
            Console.WriteLine($"generated {written} lines, {bytes / 1e6:0.0} MB, {members} members");
        }

        var size = new FileInfo(path).Length;
        // Warm-up (JIT, page cache).
        SylvanTypedBaseline(path);
        Pipeline(path);

        var baseline = new List<double>();
        var pipeline = new List<double>();
        var baselineCpu = new List<double>();
        var pipelineCpu = new List<double>();
        PipelineResult last = default;
        for (var run = 0; run < runs; run++)
        {
            var (rows, wall, cpu) = Timed(() => SylvanTypedBaseline(path));
            baseline.Add(wall);
            baselineCpu.Add(cpu);
            (last, wall, cpu) = Timed(() => Pipeline(path));
            pipeline.Add(wall);
            pipelineCpu.Add(cpu);
            Console.WriteLine(FormattableString.Invariant($"run {run + 1}: sylvan typed {baseline[^1]:0.000}s wall / {baselineCpu[^1]:0.000}s cpu ({rows} rows), pipeline {pipeline[^1]:0.000}s wall / {pipelineCpu[^1]:0.000}s cpu"));
        }

        var b = Median(baseline);
        var p = Median(pipeline);
        var bCpu = Median(baselineCpu);
        var pCpu = Median(pipelineCpu);
        Console.WriteLine(FormattableString.Invariant($"CSV {size / 1e6:0.0} MB, {last.Lines} lines, {last.Claims} claims ({last.Rejected} rejected), {last.Members} members, {last.MemberMonths} member-months, {last.Gaps} gaps, {last.Triggers} triggers"));
        Console.WriteLine(FormattableString.Invariant($"  baseline (Sylvan typed read, same columns): median {b:0.000}s wall = {size / 1e6 / b:0.0} MB/s; {bCpu:0.000}s cpu"));
        Console.WriteLine(FormattableString.Invariant($"  pipeline (parse+validate+classify+aggregate+gaps+triggers): median {p:0.000}s wall = {size / 1e6 / p:0.0} MB/s; {pCpu:0.000}s cpu"));
        Console.WriteLine(FormattableString.Invariant($"  pipeline / baseline throughput = {b / p:0.00} wall, {bCpu / pCpu:0.00} cpu (target >= 0.70)"));

        if (store)
        {
            await StoreThroughputAsync(work, path, size, storeRuns);
        }
    }

    /// <summary>
    /// Ingest with the SQLite store against two yardsticks measured in the same run, interleaved: the typed Sylvan
    /// read of the file (whole ingest as a ratio of it) and a raw bulk insert of the rows the ingest left, into the
    /// same schema (<see cref="RawBulkInsert"/>), against the time spent inside the store's calls.
    /// </summary>
    public static async Task StoreThroughputAsync(string work, string path, long size, int runs)
    {
        var typed = new List<double>();
        var ingest = new List<double>();
        var ingestCpu = new List<double>();
        var store = new List<double>();
        var storeCpu = new List<double>();
        var raw = new List<double>();
        var rawCpu = new List<double>();
        var storeRatio = new List<double>();
        var storeCpuRatio = new List<double>();
        var ingestRatio = new List<double>();
        RawBulkInsert.Rows? rows = null;
        await WarmUpStoreAsync(work, path);
        for (var run = 0; run < runs; run++)
        {
            var (_, typedWall, _) = Timed(() => SylvanTypedBaseline(path));
            typed.Add(typedWall);
            var folder = Path.Combine(work, "store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                var database = Path.Combine(folder, "claims.db");
                var timed = new TimedClaimsStore(new SqliteClaimsStore(database));
                var cpu = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                var result = await Ingest(path, timed, quiet: run > 0);
                ingest.Add(sw.Elapsed.TotalSeconds);
                ingestCpu.Add((Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
                store.Add(timed.Total.TotalSeconds);
                storeCpu.Add(timed.Cpu.TotalSeconds);
                var other = timed.Total - timed.Of(nameof(TimedClaimsStore.StageAsync), nameof(TimedClaimsStore.CommitAsync), nameof(TimedClaimsStore.ReadMembersAffectedByAsync), nameof(TimedClaimsStore.SaveMemberAnalysesAsync));
                var phases = FormattableString.Invariant(
                    $"stage {timed.Of(nameof(TimedClaimsStore.StageAsync)).TotalSeconds:0.00}s, commit {timed.Of(nameof(TimedClaimsStore.CommitAsync)).TotalSeconds:0.00}s, read members {timed.Of(nameof(TimedClaimsStore.ReadMembersAffectedByAsync)).TotalSeconds:0.00}s, save analyses {timed.Of(nameof(TimedClaimsStore.SaveMemberAnalysesAsync)).TotalSeconds:0.00}s, other {other.TotalSeconds:0.00}s");
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                rows = RawBulkInsert.Read(database);
                var (rawWall, rawCpuTime) = await RawBulkInsert.InsertAsync(rows, Path.Combine(folder, "raw.db"));
                raw.Add(rawWall.TotalSeconds);
                rawCpu.Add(rawCpuTime.TotalSeconds);
                storeRatio.Add(store[^1] / raw[^1]);
                storeCpuRatio.Add(storeCpu[^1] / rawCpu[^1]);
                ingestRatio.Add(typed[^1] / ingest[^1]);
                Console.WriteLine(FormattableString.Invariant(
                    $"store run {run + 1}: sylvan typed {typed[^1]:0.000}s; ingest {ingest[^1]:0.000}s wall / {ingestCpu[^1]:0.000}s cpu ({result.Outcome}, {result.Triggers.Count} triggers); inside the store {store[^1]:0.000}s wall / {storeCpu[^1]:0.000}s cpu ({phases}); raw bulk insert {raw[^1]:0.000}s wall / {rawCpu[^1]:0.000}s cpu"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        Console.WriteLine(FormattableString.Invariant($"  rows the ingest wrote: {rows!.Count:N0} ({rows.Describe()})"));
        Console.WriteLine(FormattableString.Invariant($"  raw bulk insert of those rows (same schema and indexes, prepared once, bound by position, one transaction): median {Median(raw):0.000}s wall = {rows.Count / Median(raw):N0} rows/s; {Median(rawCpu):0.000}s cpu"));
        Console.WriteLine(FormattableString.Invariant($"  inside the store during the ingest: median {Median(store):0.000}s wall, {Median(storeCpu):0.000}s cpu"));
        Console.WriteLine(FormattableString.Invariant($"  store / raw bulk insert = {Median(storeRatio):0.00} wall, {Median(storeCpuRatio):0.00} cpu (median of per-run ratios; target <= 2.0)"));
        Console.WriteLine(FormattableString.Invariant($"  end-to-end ingest: median {Median(ingest):0.000}s wall = {size / 1e6 / Median(ingest):0.0} MB/s, {Median(ingestCpu):0.000}s cpu; sylvan typed read median {Median(typed):0.000}s"));
        Console.WriteLine(FormattableString.Invariant($"  ingest / typed read throughput = {Median(ingestRatio):0.00} (median of per-run ratios)"));
    }

    /// <summary>Ingests the first 20,000 lines of the file and bulk-inserts its rows once, so that no measured run
    /// pays for JIT compilation.</summary>
    private static async Task WarmUpStoreAsync(string work, string path)
    {
        var folder = Path.Combine(work, "warmup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var prefix = Path.Combine(folder, "prefix.csv");
            await File.WriteAllLinesAsync(prefix, File.ReadLines(path).Take(20_001));
            await Ingest(prefix, new TimedClaimsStore(new SqliteClaimsStore(Path.Combine(folder, "claims.db"))), quiet: true);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await RawBulkInsert.InsertAsync(RawBulkInsert.Read(Path.Combine(folder, "claims.db")), Path.Combine(folder, "raw.db"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    public static void X12Throughput(string work, int seed, long bytes, int runs)
    {
        var path = Path.Combine(work, $"claims-{bytes}-{seed}.837");
        if (!File.Exists(path))
        {
            var (claims, written) = new SyntheticClaimsGenerator(seed).WriteX12(path, bytes, 20_000);
            Console.WriteLine($"generated X12 837P: {claims} claims, {written / 1e6:0.0} MB");
        }

        var size = new FileInfo(path).Length;
        RawRead(path);
        ReadX12(path);
        var raw = new List<double>();
        var x12 = new List<double>();
        long count = 0;
        for (var run = 0; run < runs; run++)
        {
            var sw = Stopwatch.StartNew();
            RawRead(path);
            raw.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            count = ReadX12(path);
            x12.Add(sw.Elapsed.TotalSeconds);
        }

        var r = Median(raw);
        var x = Median(x12);
        Console.WriteLine(FormattableString.Invariant($"X12 {size / 1e6:0.0} MB, {count} claims: reader median {x:0.000}s = {size / 1e6 / x:0.0} MB/s (target >= 50 MB/s); raw FileStream read {size / 1e6 / r:0.0} MB/s; reader / raw = {r / x:0.000}"));
    }

    public static void PeakRss(string work, int seed, string sizes, int membersAt1Gb, string modes, long ingestMaxMb, bool interleaved = false)
    {
        foreach (var mb in sizes.Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)))
        {
            var lines = mb * 1_000_000 / 125;
            var members = (int)Math.Max(100, membersAt1Gb * mb / 1000);
            var path = Path.Combine(work, $"rss-{mb}mb-{seed}{(interleaved ? "-interleaved" : string.Empty)}.csv");
            if (!File.Exists(path))
            {
                var (written, bytes) = new SyntheticClaimsGenerator(seed).WriteClaimsCsv(path, lines, members, interleaved);
                Console.WriteLine($"generated {written} lines, {bytes / 1e6:0.0} MB, {members} members{(interleaved ? ", members interleaved (unsorted)" : string.Empty)}");
            }

            foreach (var mode in modes.Split(','))
            {
                if (mode == "pipeline" && interleaved)
                {
                    Console.WriteLine($"  {mb} MB pipeline: skipped (the in-memory pipeline needs input sorted by member)");
                    continue;
                }

                if (mode == "ingest" && mb > ingestMaxMb)
                {
                    Console.WriteLine($"  {mb} MB ingest: skipped (--ingest-max-mb {ingestMaxMb})");
                    continue;
                }

                var start = new ProcessStartInfo(Environment.ProcessPath!, ["rss-child", "--file", path, "--mode", mode, "--work", work]) { RedirectStandardOutput = true };
                if (!Environment.ProcessPath!.EndsWith("Mets.Claims.Bench", StringComparison.Ordinal))
                {
                    start = new ProcessStartInfo(Environment.ProcessPath!, [typeof(Measurements).Assembly.Location, "rss-child", "--file", path, "--mode", mode, "--work", work]) { RedirectStandardOutput = true };
                }

                using var child = Process.Start(start)!;
                var output = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                var summary = output.Split('\n').LastOrDefault(l => l.StartsWith("rss ", StringComparison.Ordinal)) ?? output;
                Console.WriteLine($"  {mb} MB ({new FileInfo(path).Length / 1e6:0.0} MB, {members} members) {summary.Trim()}");
            }
        }
    }

    public static async Task RssChildAsync(string file, string mode, string work)
    {
        var sw = Stopwatch.StartNew();
        string detail;
        if (mode == "ingest")
        {
            var folder = Path.Combine(work, "rss-store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                var result = await Ingest(file, folder);
                detail = $"{result.Counts.LinesAccepted} lines, {result.Triggers.Count} triggers";
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }
        else
        {
            var result = Pipeline(file);
            detail = $"{result.Lines} lines, {result.Members} members, {result.Gaps} gaps";
        }

        var status = File.ReadAllLines("/proc/self/status");
        var hwm = status.First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Console.WriteLine(FormattableString.Invariant($"rss {mode}: peak RSS {long.Parse(hwm, CultureInfo.InvariantCulture) / 1024.0:0.0} MB, {sw.Elapsed.TotalSeconds:0.0}s, {detail}"));
    }

    /// <summary>Times the pipeline's stages separately (reader only; reader + classify) and counts reject reasons.</summary>
    internal static void Stages(string path)
    {
        var sw = Stopwatch.StartNew();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var stream = File.OpenRead(path))
        {
            foreach (var outcome in ClaimsCsvReader.Read(stream))
            {
                foreach (var reject in outcome.Rejects)
                {
                    var key = reject.Field + ": " + reject.Reason;
                    reasons[key] = reasons.GetValueOrDefault(key) + 1;
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant($"  reader only: {sw.Elapsed.TotalSeconds:0.000}s"));
        for (var pass = 0; pass < 2; pass++)
        {
            sw.Restart();
            using (var stream = File.OpenRead(path))
            {
                foreach (var outcome in ClaimsCsvReader.Read(stream))
                {
                }
            }

            Console.WriteLine(FormattableString.Invariant($"  reader only (warm): {sw.Elapsed.TotalSeconds:0.000}s"));
            sw.Restart();
            using (var text = new StreamReader(path))
            using (var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' }))
            {
                long sum = 0;
                while (csv.Read())
                {
                    for (var i = 0; i < csv.FieldCount; i++)
                    {
                        sum += csv.GetFieldSpan(i).Trim().Length;
                    }
                }
            }

            Console.WriteLine(FormattableString.Invariant($"  sylvan spans only: {sw.Elapsed.TotalSeconds:0.000}s"));
        }
        sw.Restart();
        var classifier = new ClaimClassifier(BhCodeSets.Default);
        using (var stream = File.OpenRead(path))
        {
            foreach (var outcome in ClaimsCsvReader.Read(stream))
            {
                if (outcome.Claim is { } claim)
                {
                    classifier.Classify(claim);
                }
            }
        }

        Console.WriteLine(FormattableString.Invariant($"  reader + classify: {sw.Elapsed.TotalSeconds:0.000}s"));
        for (var pass = 0; pass < 3; pass++)
        {
            var (_, _, readerCpu) = Timed(() =>
            {
                using var stream = File.OpenRead(path);
                return ClaimsCsvReader.Read(stream).Count();
            });
            var (_, _, classifyCpu) = Timed(() =>
            {
                using var stream = File.OpenRead(path);
                return ClaimsCsvReader.Read(stream).Where(o => o.IsAccepted).Select(o => classifier.Classify(o.Claim!)).Count();
            });
            var (_, _, pipelineCpu) = Timed(() => Pipeline(path));
            var (_, _, baselineCpu) = Timed(() => SylvanTypedBaseline(path));
            Console.WriteLine(FormattableString.Invariant($"  cpu: baseline {baselineCpu:0.000}s, reader {readerCpu:0.000}s, reader+classify {classifyCpu:0.000}s, full pipeline {pipelineCpu:0.000}s"));
        }

        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value).Take(5))
        {
            Console.WriteLine($"  reject: {count} x {reason}");
        }
    }

    /// <summary>Splits staging cost: reading, JSON serialization, SQLite inserts.</summary>
    internal static async Task StageProbeAsync(string path, string work)
    {
        var claims = new List<Claim>();
        var sw = Stopwatch.StartNew();
        using (var stream = File.OpenRead(path))
        {
            claims.AddRange(ClaimsCsvReader.Read(stream).Where(o => o.IsAccepted).Select(o => o.Claim!));
        }

        Console.WriteLine(FormattableString.Invariant($"  read {claims.Count} claims: {sw.Elapsed.TotalSeconds:0.000}s"));
        sw.Restart();
        long bytes = 0;
        foreach (var claim in claims)
        {
            bytes += Mets.Claims.Storage.Sqlite.ClaimBinaryCodec.Encode(claim).Length;
        }

        Console.WriteLine(FormattableString.Invariant($"  encode: {sw.Elapsed.TotalSeconds:0.000}s, {bytes / claims.Count} bytes/claim"));
        var folder = Path.Combine(work, "probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var store = new SqliteClaimsStore(Path.Combine(folder, "claims.db"));
            await store.BeginFileAsync("probe", "probe", Mets.Claims.Storage.ClaimsFileKind.ClaimsCsv, null, DateTimeOffset.UnixEpoch, CancellationToken.None);
            sw.Restart();
            foreach (var batch in claims.Chunk(2000))
            {
                await store.StageAsync("probe", batch, [], Mets.Claims.Storage.ClaimsFileProgress.None, DateTimeOffset.UnixEpoch, CancellationToken.None);
            }

            Console.WriteLine(FormattableString.Invariant($"  stage (encode + insert): {sw.Elapsed.TotalSeconds:0.000}s"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Typed read of the same columns with Sylvan's typed getters (empty fields checked first).</summary>
    internal static long SylvanTypedBaseline(string path)
    {
        using var text = new StreamReader(path);
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
        var o = Enumerable.Range(0, csv.FieldCount).ToDictionary(csv.GetName, i => i, StringComparer.Ordinal);
        long rows = 0;
        decimal paid = 0;
        while (csv.Read())
        {
            var row = new BaselineRow
            {
                ClaimId = csv.GetString(o["claim_id"]),
                Line = csv.GetInt32(o["line_number"]),
                Frequency = csv.GetString(o["claim_frequency"]),
                MemberId = csv.GetString(o["member_id"]),
                ClaimType = csv.GetString(o["claim_type"]),
                From = csv.GetDateTime(o["service_from"]),
                To = Empty(csv, o["service_to"]) ? null : csv.GetDateTime(o["service_to"]),
                Admission = Empty(csv, o["admission_date"]) ? null : csv.GetDateTime(o["admission_date"]),
                Discharge = Empty(csv, o["discharge_date"]) ? null : csv.GetDateTime(o["discharge_date"]),
                PlaceOfService = csv.GetString(o["place_of_service"]),
                BillType = csv.GetString(o["bill_type"]),
                Revenue = csv.GetString(o["revenue_code"]),
                Procedure = csv.GetString(o["procedure_code"]),
                Modifiers = csv.GetString(o["modifiers"]),
                Dx1 = csv.GetString(o["dx1"]),
                Dx2 = csv.GetString(o["dx2"]),
                Dx3 = csv.GetString(o["dx3"]),
                RenderingNpi = csv.GetString(o["rendering_npi"]),
                BillingNpi = csv.GetString(o["billing_npi"]),
                Taxonomy = csv.GetString(o["rendering_taxonomy"]),
                Ndc = csv.GetString(o["ndc"]),
                DaysSupply = Empty(csv, o["days_supply"]) ? null : csv.GetInt32(o["days_supply"]),
                Quantity = Empty(csv, o["quantity"]) ? null : csv.GetDecimal(o["quantity"]),
                Allowed = Empty(csv, o["allowed_amount"]) ? null : csv.GetDecimal(o["allowed_amount"]),
                Paid = csv.GetDecimal(o["paid_amount"]),
                Status = csv.GetString(o["status"]),
            };
            paid += row.Paid;
            rows++;
        }

        return rows + (paid < 0 ? 1 : 0);
    }

    /// <summary>Reader + validation + classification + per-member aggregation, care gaps and triggers,
    /// in memory. The input is sorted by member (as the generator writes it), so one member's claims are
    /// held at a time; unsorted input goes through the SQLite-backed ingestor instead.</summary>
    internal static PipelineResult Pipeline(string path)
    {
        var classifier = new ClaimClassifier(BhCodeSets.Default);
        var analyzer = new MemberAnalyzer(new ClaimsAnalyticsOptions());
        var claims = new List<ClassifiedClaim>();
        string? member = null;
        var result = default(PipelineResult);
        var noClaims = new HashSet<string>();
        void Flush()
        {
            if (member is null)
            {
                return;
            }

            var analysis = analyzer.Analyze(member, claims, [], [], new AnalysisContext("bench", Today, false, noClaims));
            result.Members++;
            result.Gaps += analysis.Gaps.Count;
            result.Triggers += analysis.Triggers.Count;
            result.MemberMonths += analysis.Months.Count;
            claims.Clear();
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        foreach (var outcome in ClaimsCsvReader.Read(stream))
        {
            result.Lines += outcome.LineCount;
            if (outcome.Claim is not { } claim)
            {
                result.Rejected++;
                continue;
            }

            result.Claims++;
            if (claim.MemberId != member)
            {
                Flush();
                member = claim.MemberId;
            }

            claims.Add(classifier.Classify(claim));
        }

        Flush();
        return result;
    }

    private static Task<ClaimsFileResult> Ingest(string path, string folder) =>
        Ingest(path, new SqliteClaimsStore(Path.Combine(folder, "claims.db")), quiet: false);

    private static async Task<ClaimsFileResult> Ingest(string path, Mets.Claims.Storage.IClaimsStore store, bool quiet)
    {
        var options = new ClaimsAnalyticsOptions();
        var ingestor = new ClaimsFileIngestor(store, new ClaimClassifier(BhCodeSets.Default), new MemberAnalyzer(options), new NoEngagedMembers(),
            Options.Create(new ClaimsIngestionOptions { MaxRejectedClaimShare = 1m, ProgressEveryRows = 1_000_000 }), new FixedTime(),
            quiet ? Microsoft.Extensions.Logging.Abstractions.NullLogger<ClaimsFileIngestor>.Instance : new ConsoleLogger());
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return await ingestor.IngestAsync(Path.GetFileName(path), stream, CancellationToken.None);
    }

    private static long ReadX12(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long claims = 0;
        foreach (var outcome in X12ClaimReader.Read(stream))
        {
            claims += outcome.IsAccepted ? 1 : 0;
        }

        return claims;
    }

    private static long RawRead(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>Runs an action and returns its wall time and the process CPU time it used (CPU time is
    /// steadier than wall time on a machine shared with other jobs).</summary>
    private static (T Result, double Wall, double Cpu) Timed<T>(Func<T> action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = action();
        var wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (result, wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static bool Empty(CsvDataReader csv, int ordinal) => csv.GetFieldSpan(ordinal).Length == 0;

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    internal struct PipelineResult
    {
        public long Lines;
        public long Claims;
        public long Rejected;
        public long Members;
        public long Gaps;
        public long Triggers;
        public long MemberMonths;
    }

    /// <summary>Prints the ingestor's phase log lines (they carry no PHI).</summary>
    private sealed class ConsoleLogger : Microsoft.Extensions.Logging.ILogger<ClaimsFileIngestor>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Console.WriteLine("    log: " + formatter(state, exception));
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    }

    private sealed class BaselineRow
    {
        public string ClaimId { get; set; } = string.Empty;
        public int Line { get; set; }
        public string Frequency { get; set; } = string.Empty;
        public string MemberId { get; set; } = string.Empty;
        public string ClaimType { get; set; } = string.Empty;
        public DateTime From { get; set; }
        public DateTime? To { get; set; }
        public DateTime? Admission { get; set; }
        public DateTime? Discharge { get; set; }
        public string PlaceOfService { get; set; } = string.Empty;
        public string BillType { get; set; } = string.Empty;
        public string Revenue { get; set; } = string.Empty;
        public string Procedure { get; set; } = string.Empty;
        public string Modifiers { get; set; } = string.Empty;
        public string Dx1 { get; set; } = string.Empty;
        public string Dx2 { get; set; } = string.Empty;
        public string Dx3 { get; set; } = string.Empty;
        public string RenderingNpi { get; set; } = string.Empty;
        public string BillingNpi { get; set; } = string.Empty;
        public string Taxonomy { get; set; } = string.Empty;
        public string Ndc { get; set; } = string.Empty;
        public int? DaysSupply { get; set; }
        public decimal? Quantity { get; set; }
        public decimal? Allowed { get; set; }
        public decimal Paid { get; set; }
        public string Status { get; set; } = string.Empty;
    }
}
