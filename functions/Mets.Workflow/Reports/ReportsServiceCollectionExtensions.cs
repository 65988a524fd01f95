using Mets.Workflow.Cases;
using Mets.Workflow.Reports.Feedback;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mets.Workflow.Reports;

public static class ReportsServiceCollectionExtensions
{
    /// <summary>
    /// Outcome reports, provider scorecards and the provider feedback emails (docs/outcomes.md). Needs the workflow core
    /// and claims intake (<c>AddMetsClaimsIntake</c>) registered: reports read the case store (which must implement
    /// <see cref="IEngagementHistory"/>, as both case stores do) and the claims store. Settings: <c>Mets:Reports</c>, <c>Mets:ProviderFeedback</c>.
    /// </summary>
    public static IServiceCollection AddMetsReports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IEngagementHistory>(sp => sp.GetRequiredService<ICaseStore>() as IEngagementHistory
            ?? throw new InvalidOperationException("The case store does not list engagements for reports (IEngagementHistory)."));
        services.TryAddSingleton<MemberClaimsHistory>();
        services.TryAddSingleton<OutcomeReportService>();
        services.AddOptions<ProviderFeedbackOptions>().BindConfiguration(ProviderFeedbackOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ProviderScorecardService>();
        services.TryAddSingleton<ScorecardLinkSigner>();
        services.TryAddSingleton<ProviderFeedbackRun>();
        return services;
    }

    /// <summary>The local host's provider feedback cadence: <see cref="ProviderFeedbackService"/> (the function app uses a timer function).</summary>
    public static IServiceCollection AddMetsProviderFeedbackService(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<ProviderFeedbackService>();
        return services;
    }
}
