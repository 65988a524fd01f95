using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Claims.Storage.Sqlite;
using Mets.Domain.Diagnoses;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Claims.Tests;

/// <summary>A real SQLite claims store in a temporary folder plus an ingestor wired to it, a fake
/// clock and a log collector.</summary>
internal sealed class ClaimsTestHost : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-claims-tests", Guid.NewGuid().ToString("N"));

    public ClaimsTestHost(DateTimeOffset? now = null, ClaimsIngestionOptions? ingestion = null, ClaimsAnalyticsOptions? analytics = null, IClaimsStore? store = null, IEngagedMemberDirectory? engaged = null, Icd10CmValidator? diagnoses = null)
    {
        Diagnoses = diagnoses ?? Icd10CmValidator.StructureOnly;
        Directory.CreateDirectory(_folder);
        Time = new FakeTimeProvider(now ?? new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        Sqlite = new SqliteClaimsStore(Path.Combine(_folder, "claims.db"));
        Store = store ?? Sqlite;
        Ingestion = ingestion ?? new ClaimsIngestionOptions();
        Analytics = analytics ?? new ClaimsAnalyticsOptions();
        Classifier = new ClaimClassifier(BhCodeSets.Default);
        Analyzer = new MemberAnalyzer(Analytics);
        Engaged = engaged ?? new NoEngagedMembers();
        Ingestor = CreateIngestor(Store);
        Query = new MemberClaimsQuery(Store, Classifier, Analyzer, Time);
    }

    public FakeTimeProvider Time { get; }

    public Icd10CmValidator Diagnoses { get; }

    public SqliteClaimsStore Sqlite { get; }

    public IClaimsStore Store { get; }

    public ClaimsIngestionOptions Ingestion { get; }

    public ClaimsAnalyticsOptions Analytics { get; }

    public ClaimClassifier Classifier { get; }

    public MemberAnalyzer Analyzer { get; }

    public IEngagedMemberDirectory Engaged { get; }

    public FakeLogCollector Logs { get; } = new();

    public ClaimsFileIngestor Ingestor { get; }

    public MemberClaimsQuery Query { get; }

    public string DatabasePath => Path.Combine(_folder, "claims.db");

    public ClaimsFileIngestor CreateIngestor(IClaimsStore store) =>
        new(store, Classifier, Analyzer, Engaged, Options.Create(Ingestion), Time, new FakeLogger<ClaimsFileIngestor>(Logs), Diagnoses);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
