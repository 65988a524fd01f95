using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mets.Claims.Ingestion;

namespace Mets.Claims.Tests.Fuzzing;

/// <summary>
/// FsCheck properties of the real ingest on a real SQLite store. Each property runs from a fixed replay seed (the
/// <c>Replay</c> value: the same cases on every run); a failure prints FsCheck's own replay seed, which reproduces it
/// when put in <c>Replay</c>. The ingest is async; each case runs it on the thread pool and waits.
/// </summary>
public sealed class ClaimsPropertyTests : IDisposable
{
    private static readonly string[] Procedures = ["90837", "90834", "90832", "99213", "H0031", "90791"];
    private static readonly string[] Diagnoses = ["F32.1", "F33.2", "F41.1", "F20.0", "F10.20", "Z00.00", "F3181"];

    private readonly ClaimsTestHost _host = new();
    private readonly Dictionary<string, int> _originalApplied = new(StringComparer.Ordinal);
    private int _case;

    public void Dispose() => _host.Dispose();

    /// <summary>Any truncation of an X12 seed (a sample or a generated file) is processed or quarantined as the corpus
    /// requires, and never applies more claims than the whole file.</summary>
    [Property(MaxTest = 150, Replay = "(4021977113,296611163)")]
    public Property TruncatedX12_IsNeverAppliedWithMoreClaimsThanTheWholeFile()
    {
        var x12 = FuzzSeeds.All.Where(s => s.Format == SeedFormat.X12).ToList();
        var cases = from index in Gen.Choose(0, x12.Count - 1)
                    from cut in Gen.Choose(0, x12[index].Content.Length)
                    select (Seed: x12[index], Cut: cut);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            if (!_originalApplied.TryGetValue(c.Seed.Name, out var whole))
            {
                whole = Ingest(c.Seed.Name, c.Seed.Content).ClaimsApplied;
                _originalApplied[c.Seed.Name] = whole;
            }

            var truncated = Ingest(c.Seed.Name + ".cut", c.Seed.Content[..c.Cut]);
            return truncated.ClaimsApplied <= whole && ClaimsFuzzCorpus.Problems(truncated).Count == 0;
        });
    }

    /// <summary>A valid claims CSV (any members, dates, procedures, diagnoses and amounts the layout allows) is processed
    /// whole, without a reject, and what the store holds for each member is what the file said.</summary>
    [Property(MaxTest = 60, Replay = "(1158306561,296611167)")]
    public Property ValidClaimsCsv_RoundTripsThroughTheStore()
    {
        var visit = from member in Gen.Elements("M000001", "M000002", "PLAN-77", "A", new string('Z', 50))
                    from day in Gen.Choose(0, 364)
                    from procedure in Gen.Elements(Procedures)
                    from diagnosis in Gen.Elements(Diagnoses)
                    from cents in Gen.Choose(0, 999_999)
                    select (Member: member, Date: new DateOnly(2025, 1, 1).AddDays(day), Procedure: procedure, Diagnosis: diagnosis, Paid: cents / 100m);
        var files = from count in Gen.Choose(1, 12)
                    from visits in visit.ListOf(count)
                    select visits;
        return Prop.ForAll(files.ToArbitrary(), visits =>
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"P{Interlocked.Increment(ref _case)}-");
            var csv = new ClaimsCsvBuilder();
            for (var i = 0; i < visits.Count; i++)
            {
                var v = visits[i];
                csv.Visit(prefix + i, v.Member, v.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), v.Diagnosis, procedure: v.Procedure, paid: v.Paid);
            }

            var result = Ingest(prefix + "file.csv", System.Text.Encoding.UTF8.GetBytes(csv.ToString()));
            if (result.Outcome != ClaimsFileOutcome.Processed || result.ClaimsApplied != visits.Count || result.Rejects.Count != 0)
            {
                return false;
            }

            foreach (var member in visits.Select(v => v.Member).Distinct())
            {
                var stored = Run(() => _host.Store.GetMemberAsync(member, null, CancellationToken.None)).CurrentClaims
                    .Where(c => c.ClaimId.StartsWith(prefix, StringComparison.Ordinal))
                    .ToDictionary(c => c.ClaimId, StringComparer.Ordinal);
                for (var i = 0; i < visits.Count; i++)
                {
                    var v = visits[i];
                    if (v.Member != member)
                    {
                        continue;
                    }

                    if (!stored.TryGetValue(prefix + i, out var claim)
                        || claim.Lines.Count != 1
                        || claim.Lines[0].ServiceFrom != v.Date
                        || claim.Lines[0].ProcedureCode != v.Procedure
                        || claim.Lines[0].PaidAmount != v.Paid
                        || claim.PrincipalDiagnosis?.Code != v.Diagnosis.Replace(".", string.Empty, StringComparison.Ordinal))
                    {
                        return false;
                    }
                }
            }

            return true;
        });
    }

    private ClaimsFileResult Ingest(string name, byte[] content) =>
        Run(() => _host.Ingestor.IngestAsync(name, new MemoryStream(content), CancellationToken.None));

    private static T Run<T>(Func<Task<T>> action) => Task.Run(action).GetAwaiter().GetResult();
}
