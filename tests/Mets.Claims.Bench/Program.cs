using System.Diagnostics;
using System.Globalization;
using Mets.Claims.Bench;

// Claims benchmarks. Figures are ratios against a baseline measured in the same run (see docs/claims.md).
var command = args.Length > 0 ? args[0] : "all";
var options = BenchOptions.Parse(args.Skip(1).ToArray());
var work = options.Get("work", Path.Combine(Path.GetTempPath(), "mets-claims-bench"));
Directory.CreateDirectory(work);
var seed = int.Parse(options.Get("seed", "20261123"), CultureInfo.InvariantCulture);
Console.WriteLine($"seed={seed} work={work} cores={Environment.ProcessorCount} runtime={Environment.Version}");

switch (command)
{
    case "generate":
    {
        var generator = new SyntheticClaimsGenerator(seed);
        var members = options.Int("members", 50_000);
        var (lines, bytes) = generator.WriteClaimsCsv(options.Get("out", Path.Combine(work, "claims.csv")), options.Long("lines", 1_000_000), members, options.Flag("interleaved"));
        Console.WriteLine($"wrote {lines} lines, {bytes} bytes");
        if (options.Get("eligibility", string.Empty) is { Length: > 0 } eligibilityPath)
        {
            generator.WriteEligibilityCsv(eligibilityPath, members);
            Console.WriteLine($"wrote eligibility for {members} members");
        }

        if (options.Get("x12", string.Empty) is { Length: > 0 } x12Path)
        {
            var (claims, x12Bytes) = generator.WriteX12(x12Path, options.Long("x12-mb", 10) * 1024 * 1024, members);
            Console.WriteLine($"wrote X12 837P: {claims} claims, {x12Bytes} bytes");
        }

        break;
    }

    case "csv":
        await Measurements.CsvThroughputAsync(work, seed, options.Long("lines", 1_000_000), options.Int("members", 50_000), options.Int("runs", 3), options.Flag("store"), options.Int("store-runs", options.Int("runs", 3)));
        break;
    case "ingest":
    {
        var file = options.Get("file", string.Empty);
        await Measurements.StoreThroughputAsync(work, file, new FileInfo(file).Length, options.Int("runs", 1));
        break;
    }

    case "stage-probe":
        await Measurements.StageProbeAsync(options.Get("file", string.Empty), work);
        break;
    case "stages":
        Measurements.Stages(options.Get("file", string.Empty));
        break;
    case "x12":
        Measurements.X12Throughput(work, seed, options.Long("mb", 200) * 1024 * 1024, options.Int("runs", 3));
        break;
    case "rss":
        Measurements.PeakRss(work, seed, options.Get("sizes", "10,100,1000"), options.Int("members-1gb", 200_000), options.Get("modes", "pipeline,ingest"), options.Long("ingest-max-mb", 100), options.Flag("interleaved"));
        break;
    case "rss-child":
        await Measurements.RssChildAsync(options.Get("file", string.Empty), options.Get("mode", "pipeline"), work);
        break;
    case "all":
        await Measurements.CsvThroughputAsync(work, seed, 1_000_000, 50_000, 3, store: true, storeRuns: 3);
        Measurements.X12Throughput(work, seed, 200L * 1024 * 1024, 3);
        Measurements.PeakRss(work, seed, "10,100,1000", 200_000, "pipeline,ingest", 100);
        break;
    default:
        Console.Error.WriteLine("commands: generate | csv | ingest | x12 | rss | all (options: --lines --members --runs --store --store-runs --mb --sizes --modes --seed --work; generate: --out --eligibility --x12 --x12-mb)");
        return 2;
}

return 0;

internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            var name = args[i][2..];
            var value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
            options._values[name] = value;
        }

        return options;
    }

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public long Long(string name, long fallback) => long.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public bool Flag(string name) => _values.ContainsKey(name);
}
