using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Reading;
using Mets.Claims.Storage;
using Mets.Claims.Storage.Sqlite;
using Mets.Domain.Diagnoses;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mets.Claims;

public static class ClaimsServiceCollectionExtensions
{
    /// <summary>
    /// Registers claims ingest (<see cref="ClaimsFileIngestor"/>), the member query
    /// (<see cref="MemberClaimsQuery"/>), the analytics and the SQLite claims store. Settings:
    /// "Claims:Store:DatabasePath" (required), "Claims:Ingestion:*", "Claims:Analytics:*" (including an
    /// optional CodeSetPath and NdcListPath), "Claims:Diagnosis:CodeSetFiles" (optional ICD-10-CM releases by
    /// effective date). Register your own <see cref="IEngagedMemberDirectory"/> or
    /// <see cref="IClaimsStore"/> to replace the defaults. The host provides logging (ILogger&lt;T&gt;).
    /// </summary>
    public static IServiceCollection AddMetsClaims(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ClaimsStoreOptions>().BindConfiguration(ClaimsStoreOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClaimsIngestionOptions>().BindConfiguration(ClaimsIngestionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClaimsAnalyticsOptions>().BindConfiguration(ClaimsAnalyticsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DiagnosisOptions>().BindConfiguration(DiagnosisOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DiagnosisOptions>, DiagnosisOptions.Validator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<DiagnosisOptions>>().Value.CreateValidator());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var analytics = sp.GetRequiredService<IOptions<ClaimsAnalyticsOptions>>().Value;
            return string.IsNullOrWhiteSpace(analytics.CodeSetPath) && string.IsNullOrWhiteSpace(analytics.NdcListPath)
                ? BhCodeSets.Default
                : BhCodeSets.LoadFile(analytics.CodeSetPath, analytics.NdcListPath);
        });
        services.TryAddSingleton(sp => new ClaimClassifier(sp.GetRequiredService<BhCodeSets>()));
        services.TryAddSingleton(sp => new MemberAnalyzer(sp.GetRequiredService<IOptions<ClaimsAnalyticsOptions>>().Value));
        services.TryAddSingleton<IClaimsStore>(sp => new SqliteClaimsStore(sp.GetRequiredService<IOptions<ClaimsStoreOptions>>().Value.DatabasePath));
        services.TryAddSingleton<IEngagedMemberDirectory, NoEngagedMembers>();
        services.TryAddSingleton<ClaimsFileIngestor>();
        services.TryAddSingleton<MemberClaimsQuery>();
        return services;
    }
}
