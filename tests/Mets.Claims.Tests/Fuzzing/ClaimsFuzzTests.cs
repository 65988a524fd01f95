using System.Diagnostics;
using System.Globalization;
using Mets.Claims.Ingestion;
using Mets.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Mets.Claims.Tests.Fuzzing;

/// <summary>
/// At least 10,000 mutated claims files (<see cref="ClaimsFuzzCorpus"/>) through the real ingest (the entry point of
/// the folder inbox, the blob inbox and the upload route) on a real SQLite claims store: no exception escapes, and
/// every file ends applied with a reject report or quarantined with a reason, with no value of the file in any
/// report, reason, acknowledgment or log line. Settings for a longer soak (docs/reliability.md):
/// <c>METS_CLAIMS_FUZZ_FILES</c> (default 10,000) and <c>METS_CLAIMS_FUZZ_SEED</c> (a number, or <c>random</c>; default
/// <see cref="ClaimsFuzzCorpus.DefaultSeed"/>).
/// </summary>
public sealed class ClaimsFuzzTests(ITestOutputHelper output)
{
    private const int DefaultFiles = 10_000;
    private static readonly TimeSpan SlowFile = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Corpus_EveryMutatedFile_IsAppliedWithARejectReportOrQuarantinedWithAReason()
    {
        var seed = FuzzRandom.RunSeed("METS_CLAIMS_FUZZ_SEED", ClaimsFuzzCorpus.DefaultSeed);
        var files = FuzzRandom.Count("METS_CLAIMS_FUZZ_FILES", DefaultFiles);
        output.WriteLine($"claims fuzz: corpus seed {seed}, {files} files (rebuild one with ClaimsFuzzCorpus.File({seed}, index))");
        using var host = new ClaimsTestHost();
        var failures = new List<string>();
        var byKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byOutcome = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var slowest = (Index: -1, Time: TimeSpan.Zero);
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        for (var index = 0; index < files; index++)
        {
            var file = ClaimsFuzzCorpus.File(seed, index);
            bytes += file.Content.Length;
            foreach (var kind in file.Kinds)
            {
                byKind[kind.ToString()] = byKind.GetValueOrDefault(kind.ToString()) + 1;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await host.Ingestor.IngestAsync(string.Create(CultureInfo.InvariantCulture, $"fuzz-{index}.dat"), new MemoryStream(file.Content), CancellationToken.None);
                var key = $"{result.Kind}/{(result.Outcome == ClaimsFileOutcome.Duplicate ? "Duplicate" + result.StoredStatus : result.Outcome.ToString())}";
                byOutcome[key] = byOutcome.GetValueOrDefault(key) + 1;
                foreach (var problem in ClaimsFuzzCorpus.Problems(result))
                {
                    failures.Add($"{ClaimsFuzzCorpus.Describe(seed, index, file)}: {problem}");
                }
            }
#pragma warning disable CA1031 // Any exception is a finding, reported with the file that caused it.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failures.Add($"{ClaimsFuzzCorpus.Describe(seed, index, file)}: {exception.GetType().FullName} escaped the ingest\n{exception.StackTrace}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > slowest.Time)
            {
                slowest = (index, elapsed);
            }

            if (elapsed > SlowFile)
            {
                failures.Add($"{ClaimsFuzzCorpus.Describe(seed, index, file)}: took {elapsed.TotalSeconds:0.0} s");
            }

            foreach (var record in host.Logs.GetSnapshot(clear: true))
            {
                if (ClaimsFuzzCorpus.LeaksValue(record.Message) || ClaimsFuzzCorpus.LeaksValue(record.Exception?.Message))
                {
                    failures.Add($"{ClaimsFuzzCorpus.Describe(seed, index, file)}: a log line ({record.Category}, event {record.Id}) repeats a value from the file (sentinel found)");
                }
            }
        }

        clock.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files} files, {bytes / 1024.0 / 1024.0:0.0} MB, in {clock.Elapsed.TotalSeconds:0.0} s; slowest file {slowest.Index} ({slowest.Time.TotalMilliseconds:0} ms)"));
        output.WriteLine("mutations: " + string.Join(", ", byKind.Select(k => $"{k.Key} {k.Value}")));
        output.WriteLine("outcomes:  " + string.Join(", ", byOutcome.Select(k => $"{k.Key} {k.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} finding(s) with corpus seed {seed}:\n" + string.Join("\n", failures.Take(30)));
    }
}
