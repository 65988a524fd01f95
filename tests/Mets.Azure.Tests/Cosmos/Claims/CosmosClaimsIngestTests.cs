using System.Diagnostics;
using System.Text;
using Mets.Azure.Cosmos;
using Mets.Azure.Cosmos.Claims;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Claims.Storage.Sqlite;
using Microsoft.Azure.Cosmos;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Mets.Azure.Tests.Cosmos.Claims.ClaimsTestData;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>
/// The real ingest (<see cref="ClaimsFileIngestor"/>: readers, staging, commit, analytics) over the Cosmos store on the
/// test server and over the SQLite store, on the same files and clock: the same outcomes, triggers, gaps and months.
/// </summary>
[Collection(CosmosServerGroup.Name)]
public sealed class CosmosClaimsIngestTests(CosmosServerFixture server, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Members = Enumerable.Range(0, 8).Select(i => $"M{i}").ToArray();
    private static readonly ClaimsIngestionOptions Ingestion = new() { StageBatchSize = 10, AnalysisBatchSize = 3 };
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-claims-ingest-").FullName;
    private readonly CosmosOptions _options = server.Options();
    private readonly RequestCounter _requests = new();
    private CosmosClient? _client;

    private static string Eligibility => "member_id,plan,coverage_start,coverage_end\n" +
        string.Concat(Members.Select(m => m == "M3" ? "M3,MEDICAID,2025-06-01,2026-02-28\n" : $"{m},MEDICAID,2025-06-01,\n"));

    private static string Claims => ClaimsCsvBuilder.Scenario(claims: 64, members: 8);

    /// <summary>Corrections: a stay moved to another member, a visit voided, an ED visit replaced, new stays and ED visits.</summary>
    private static string Corrections => new ClaimsCsvBuilder()
        .Inpatient("S0", "M5", "2026-02-01", "2026-02-02", "F33.1", frequency: "replacement")
        .Visit("V1", "M1", "2026-03-02", "F33.1", frequency: "void")
        .EmergencyVisit("E2", "M2", "2026-03-03", "F32.2", paid: 900m, frequency: "replacement")
        .Inpatient("X1", "M2", "2026-03-01", "2026-03-04", "F20.0")
        .Inpatient("X2", "M2", "2026-03-05", "2026-03-07", "F20.0")
        .EmergencyVisit("X3", "M6", "2026-03-08", "F20.0")
        .EmergencyVisit("X4", "M6", "2026-03-09", "F31.2")
        .EmergencyVisit("X5", "M6", "2026-03-09", "F31.2")
        .ToString();

    public async Task InitializeAsync()
    {
        _client = ClaimsCosmosClients.Counting(_options, _requests);
        await CosmosLayout.CreateIfNotExistsAsync(_client, _options.Database, CancellationToken.None);
    }

    [Fact]
    public async Task IngestAsync_SameFilesOnCosmosAndSqlite_GiveTheSameOutcomesTriggersGapsAndMonths()
    {
        var watch = Stopwatch.StartNew();
        var sqlite = await RunAsync(new SqliteClaimsStore(Path.Combine(_folder, "claims.db")));
        var sqliteMs = watch.ElapsedMilliseconds;
        watch.Restart();
        _requests.Reset();
        var cosmos = await RunAsync(CosmosStore());
        output.WriteLine($"SQLite {sqliteMs} ms; Cosmos test server {watch.ElapsedMilliseconds} ms, {_requests}");

        Assert.Equal(sqlite.Results, cosmos.Results);
        Assert.Equal(sqlite.Members, cosmos.Members);
        Assert.Equal(["Processed", "Processed", "Processed", "Duplicate"], sqlite.Results.Select(r => r.Split('|')[0]));
        var triggers = string.Join('\n', sqlite.Results);
        output.WriteLine(string.Join(", ", sqlite.Results.SelectMany(r => r.Split('\n').Skip(1)).GroupBy(t => t.Split("||")[2]).Select(g => $"{g.Key} {g.Count()}")));
        foreach (var kind in new[] { "EligibilityLost", "FollowUpAfterHospitalizationDue", "RepeatedBhInpatientStays", "FrequentBhEmergencyVisits", "BhDischarge", "CareGapOpened" })
        {
            Assert.Contains($"|{kind}|", triggers, StringComparison.Ordinal);
        }

        Assert.Contains("S0", sqlite.Members["M5"], StringComparison.Ordinal);
        Assert.DoesNotContain("S0", sqlite.Members["M0"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestAsync_CrashWhileStagingOnCosmosThenRetry_GivesTheResultOfOneCleanSqliteRun()
    {
        var clean = await RunAsync(new SqliteClaimsStore(Path.Combine(_folder, "claims.db")));

        var harness = new IngestHarness(CosmosStore(), Ingestion, new EngagedMembers("M1", "M2", "M3", "M5"));
        var results = new List<string> { Describe(await harness.IngestAsync("eligibility.csv", Eligibility)) };
        var bytes = Encoding.UTF8.GetBytes(Claims);
        await Assert.ThrowsAsync<IOException>(() => harness.Ingestor.IngestAsync("claims.csv", new FailingStream(bytes, failAfter: bytes.Length * 2 / 3), CancellationToken.None));
        var retry = new IngestHarness(CosmosStore(), Ingestion, new EngagedMembers("M1", "M2", "M3", "M5"));
        results.Add(Describe(await retry.IngestAsync("claims.csv", Claims)));
        results.Add(Describe(await retry.IngestAsync("corrections.csv", Corrections)));
        results.Add(Describe(await retry.IngestAsync("claims-again.csv", Claims)));

        Assert.Equal(clean.Results, results);
        Assert.Equal(clean.Members, await MembersAsync(CosmosStore()));
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private CosmosClaimsStore CosmosStore() => new(_client!.GetDatabase(_options.Database), _options);

    private static async Task<(List<string> Results, Dictionary<string, string> Members)> RunAsync(IClaimsStore store)
    {
        var harness = new IngestHarness(store, Ingestion, new EngagedMembers("M1", "M2", "M3", "M5"));
        var results = new List<string>
        {
            Describe(await harness.IngestAsync("eligibility.csv", Eligibility)),
            Describe(await harness.IngestAsync("claims.csv", Claims)),
            Describe(await harness.IngestAsync("corrections.csv", Corrections)),
            Describe(await harness.IngestAsync("claims-again.csv", Claims)),
        };
        return (results, await MembersAsync(store));
    }

    private static async Task<Dictionary<string, string>> MembersAsync(IClaimsStore store)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in Members)
        {
            var snapshot = await store.GetMemberAsync(member, null, CancellationToken.None);
            members[member] = string.Join('\n',
                string.Join(',', snapshot.CurrentClaims.Select(c => c.ClaimId).Order(StringComparer.Ordinal)),
                string.Join(',', snapshot.Eligibility.Select(e => $"{e.Plan}:{e.CoverageStart}:{e.CoverageEnd}")),
                string.Join('\n', (await store.GetCareGapsAsync(member, CancellationToken.None)).Select(Text)),
                string.Join('\n', (await store.GetMemberMonthsAsync(member, CancellationToken.None)).Select(Text)));
        }

        return members;
    }

    private static string Describe(ClaimsFileResult result) =>
        string.Join('|', result.Outcome, result.StoredStatus, result.Kind, result.Counts, result.Rejects.Count, result.Warnings.Count) + "\n" +
        string.Join('\n', result.Triggers.Select(t => "|" + Text(t).Replace("|", "||", StringComparison.Ordinal) + "|"));

    /// <summary>A stream that fails part-way through the second read (the first is the ingestor's content hash): a
    /// crash while the file is being staged (copied from Mets.Claims.Tests).</summary>
    private sealed class FailingStream(byte[] content, int failAfter) : MemoryStream(content)
    {
        private bool _armed;

        public override long Position
        {
            get => base.Position;
            set
            {
                _armed |= value == 0 && base.Position > 0;
                base.Position = value;
            }
        }

        public override long Seek(long offset, SeekOrigin loc)
        {
            _armed = true;
            return base.Seek(offset, loc);
        }

        public override int Read(byte[] buffer, int offset, int count) => Fail(base.Read(buffer, offset, Math.Min(count, 512)));

        public override int Read(Span<byte> buffer) => Fail(base.Read(buffer[..Math.Min(buffer.Length, 512)]));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        private int Fail(int read) => _armed && Position > failAfter ? throw new IOException("Simulated crash while reading.") : read;
    }
}
