using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Claims.Tests;

public class ClaimsServiceCollectionExtensionsTests
{
    [Fact]
    public void AddMetsClaims_EmptyConfiguration_FailsNamingTheMissingSetting()
    {
        using var provider = Build(new Dictionary<string, string?>());

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ClaimsFileIngestor>());

        Assert.Contains("DatabasePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMetsClaims_RealContainerAndSqlite_IngestsAndAnswersMemberQueries()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-claims-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var provider = Build(new Dictionary<string, string?>
            {
                ["Claims:Store:DatabasePath"] = Path.Combine(folder, "claims.db"),
                ["Claims:Analytics:RepeatedInpatientStays"] = "2",
            });
            var ingestor = provider.GetRequiredService<ClaimsFileIngestor>();
            var query = provider.GetRequiredService<MemberClaimsQuery>();
            var csv = new ClaimsCsvBuilder()
                .Inpatient("S1", "M1", "2025-12-01", "2025-12-04", "F20.9")
                .Inpatient("S2", "M1", "2026-03-01", "2026-03-05", "F20.9")
                .EmergencyVisit("E1", "M1", "2026-02-10", "F20.9");

            var result = await ingestor.IngestAsync("claims.csv", csv.ToStream(), CancellationToken.None);

            Assert.Equal(ClaimsFileOutcome.Processed, result.Outcome);
            Assert.Contains(result.Triggers, t => t.Kind == ClaimsTriggerKind.RepeatedBhInpatientStays);
            var utilization = await query.GetRecentBhUtilizationAsync("M1", CancellationToken.None);
            Assert.Equal((2, 1), (utilization.BhInpatientStays, utilization.BhEmergencyVisits));
            var open = await query.GetOpenCareGapsAsync("M1", CancellationToken.None);
            Assert.Contains(open, g => g.Measure == CareGapMeasure.FollowUpAfterHospitalization7 && g.IsActionable(new DateOnly(2026, 3, 10)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddMetsClaims_CodeSetFilesConfigured_ChecksDiagnosesByDateOfService()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-claims-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var provider = Build(new Dictionary<string, string?>
            {
                ["Claims:Store:DatabasePath"] = Path.Combine(folder, "claims.db"),
                ["Claims:Diagnosis:CodeSetFiles:0:Path"] = TestFiles.DataPath("icd10cm", "icd10cm_order_sample_2026.txt"),
                ["Claims:Diagnosis:CodeSetFiles:0:EffectiveFrom"] = "2025-10-01",
                ["Claims:Diagnosis:CodeSetFiles:1:Path"] = TestFiles.DataPath("icd10cm", "icd10cm_codes_sample_2025.txt"),
                ["Claims:Diagnosis:CodeSetFiles:1:EffectiveFrom"] = "2024-10-01",
            });
            var ingestor = provider.GetRequiredService<ClaimsFileIngestor>();
            var csv = new ClaimsCsvBuilder()
                .Visit("V1", "M1", "2026-01-05", "F32.A")     // in the FY2026 release
                .Visit("V2", "M1", "2025-09-05", "F32.A")     // not yet in the FY2025 release
                .Visit("V3", "M1", "2026-01-05", "F33.1");

            var result = await ingestor.IngestAsync("claims.csv", csv.ToStream(), CancellationToken.None);

            Assert.Equal((3, 2, 1), (result.Counts.ClaimsRead, result.Counts.ClaimsAccepted, result.Counts.ClaimsRejected));
            Assert.Equal(("row 3", "dx1"), (result.Rejects[0].Location, result.Rejects[0].Field));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("missing.txt", "2025-10-01", "Claims:Diagnosis:CodeSetFiles:0:Path names a file that does not exist.")]
    [InlineData("icd10cm_order_sample_2026.txt", null, "Claims:Diagnosis:CodeSetFiles:0:EffectiveFrom is required")]
    [InlineData("README.md", "2025-10-01", "Claims:Diagnosis:CodeSetFiles:0:Path is not a readable ICD-10-CM order or code file: Line 1 ")]
    public void AddMetsClaims_BadCodeSetSetting_FailsAtStartNamingTheSetting(string file, string? effectiveFrom, string message)
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Claims:Store:DatabasePath"] = Path.Combine(Path.GetTempPath(), "unused-claims.db"),
            ["Claims:Diagnosis:CodeSetFiles:0:Path"] = TestFiles.DataPath("icd10cm", file),
            ["Claims:Diagnosis:CodeSetFiles:0:EffectiveFrom"] = effectiveFrom,
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Mets.Claims.Reading.DiagnosisOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero)));
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddMetsClaims(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
