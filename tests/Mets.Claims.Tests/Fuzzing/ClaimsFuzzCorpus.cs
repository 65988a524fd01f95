using System.Globalization;
using System.Text.RegularExpressions;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Testing.Fuzzing;

namespace Mets.Claims.Tests.Fuzzing;

/// <summary>
/// The mutated corpus: file <c>i</c> of a corpus is a function of the corpus seed and <c>i</c> only (its own
/// <see cref="Random"/>, seeded from both with a fixed mix), so any failing file is rebuilt from the two numbers
/// printed with the failure (<see cref="File"/>), whatever ran before it.
/// </summary>
public static partial class ClaimsFuzzCorpus
{
    /// <summary>The corpus seed the test suite uses (fixed: every run checks the same files).</summary>
    public const int DefaultSeed = 20261207;

    /// <summary>File <paramref name="index"/> of the corpus: a seed file (X12 55%, claims CSV 30%, eligibility CSV 15%)
    /// mutated once, or two or three times.</summary>
    public static MutatedFile File(int corpusSeed, int index)
    {
        var random = FuzzRandom.For(corpusSeed, index);
        var roll = random.Next(100);
        var format = roll < 55 ? SeedFormat.X12 : roll < 85 ? SeedFormat.ClaimsCsv : SeedFormat.EligibilityCsv;
        var seeds = FuzzSeeds.All.Where(s => s.Format == format).ToList();
        return ClaimsMutator.Mutate(seeds[random.Next(seeds.Count)], random);
    }

    /// <summary>
    /// What must hold for every file, whatever was done to it: applied (processed, with a reject entry for each
    /// rejected claim's problem: location "row N" / "segment N", field, reason) or quarantined with a reason and
    /// nothing applied; counts that add up; no sentinel value (member id, diagnosis, huge-field marker) in any
    /// reject, warning or quarantine reason. Returns the problems found (empty when the file passes).
    /// </summary>
    public static List<string> Problems(ClaimsFileResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<string>();
        var status = result.Outcome == ClaimsFileOutcome.Duplicate ? result.StoredStatus : result.Outcome switch
        {
            ClaimsFileOutcome.Processed => ClaimsFileStatus.Processed,
            _ => ClaimsFileStatus.Quarantined,
        };
        if (result.StoredStatus != status)
        {
            problems.Add($"outcome {result.Outcome} but stored status {result.StoredStatus}");
        }

        var counts = result.Counts;
        if (counts.ClaimsRead != counts.ClaimsAccepted + counts.ClaimsRejected)
        {
            problems.Add($"counts do not add up: read {counts.ClaimsRead}, accepted {counts.ClaimsAccepted}, rejected {counts.ClaimsRejected}");
        }

        switch (status)
        {
            case ClaimsFileStatus.Quarantined:
                if (string.IsNullOrWhiteSpace(result.QuarantineReason))
                {
                    problems.Add("quarantined without a reason");
                }

                if (result.ClaimsApplied != 0)
                {
                    problems.Add($"quarantined but {result.ClaimsApplied} claims applied");
                }

                break;
            case ClaimsFileStatus.Processed:
                if (result.QuarantineReason is not null)
                {
                    problems.Add("processed with a quarantine reason");
                }

                if (counts.ClaimsRejected > 0 && result.Rejects.Count == 0)
                {
                    problems.Add($"{counts.ClaimsRejected} claims rejected but the reject report is empty");
                }

                break;
            default:
                problems.Add($"ended in status {status} (neither processed nor quarantined)");
                break;
        }

        foreach (var entry in result.Rejects.Concat(result.Warnings))
        {
            if (!LocationPattern().IsMatch(entry.Location) || string.IsNullOrWhiteSpace(entry.Field) || string.IsNullOrWhiteSpace(entry.Reason))
            {
                problems.Add("a report entry without a location (row N / segment N), a field or a reason");
            }
        }

        var texts = result.Rejects.Concat(result.Warnings).SelectMany(e => new[] { e.Location, e.Field, e.Reason }).Append(result.QuarantineReason ?? string.Empty);
        foreach (var text in texts)
        {
            if (LeaksValue(text))
            {
                problems.Add("a report text repeats a value from the file (sentinel found)");
                break;
            }
        }

        // The 999 and TA1 echo envelope identifiers by design (AK2 echoes ST01-03, CTX the claim id CLM01, each cut to
        // its X12 length), so a huge field written into one of those shows there; member data never may.
        if (result.Acknowledgment is { } acknowledgment && LeaksMemberData(acknowledgment.Content))
        {
            problems.Add("the acknowledgment repeats member data from the file (sentinel found)");
        }

        return problems;
    }

    /// <summary>True when <paramref name="text"/> holds a sentinel value of the seeds (member data or a huge field).</summary>
    public static bool LeaksValue(string? text) =>
        LeaksMemberData(text)
        || (text is not null && (text.Contains(ClaimsMutator.HugeMarker, StringComparison.Ordinal) || text.Contains(ClaimsMutator.JunkMarker, StringComparison.Ordinal)));

    /// <summary>True when <paramref name="text"/> holds the sentinel member id, diagnosis or birth date (compared as written: the
    /// diagnosis is made of hex digits, and content hashes in log lines are lower case).</summary>
    public static bool LeaksMemberData(string? text) =>
        text is not null
        && (text.Contains(TestFiles.Sentinel.MemberId, StringComparison.Ordinal)
            || text.Contains(TestFiles.Sentinel.Diagnosis, StringComparison.Ordinal)
            || text.Contains("F31.81", StringComparison.Ordinal)
            || text.Contains(FuzzSeeds.BirthDate, StringComparison.Ordinal)
            || text.Contains(FuzzSeeds.BirthDateCsv, StringComparison.Ordinal));

    public static string Describe(int corpusSeed, int index, MutatedFile file) =>
        string.Create(CultureInfo.InvariantCulture, $"corpus seed {corpusSeed}, file {index} (seed file {file.Seed}; {string.Join(" + ", file.Kinds)}: {file.Description}; {file.Content.Length} bytes)");

    [GeneratedRegex(@"^(row|segment) [1-9][0-9]*$")]
    private static partial Regex LocationPattern();
}
