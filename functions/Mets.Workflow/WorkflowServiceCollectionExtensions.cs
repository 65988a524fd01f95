using Mets.Domain.Policy;
using Mets.Workflow.Activities;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Application;
using Mets.Workflow.Audit;
using Mets.Workflow.CarePlans;
using Mets.Workflow.CommunitySupports;
using Mets.Workflow.Consent;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Mets.Workflow.Hosting;
using Mets.Workflow.Links;
using Mets.Workflow.Maintenance;
using Mets.Workflow.Orchestration;
using Mets.Workflow.Roster;
using Mets.Workflow.Utilization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// Registers the METS orchestrators and activities in Microsoft's <paramref name="registry"/> under their type
    /// names. Microsoft's registry creates orchestrators without dependency injection, so they get the
    /// <paramref name="schedule"/> here; activities are created per call from the worker's services.
    /// </summary>
    public static DurableTaskRegistry AddMetsTasks(this DurableTaskRegistry registry, EngagementSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(schedule);
        return registry
            .AddOrchestrator(nameof(EngagementOrchestrator), () => new EngagementOrchestrator(schedule))
            .AddOrchestrator(nameof(ProviderOutreachOrchestrator), () => new ProviderOutreachOrchestrator(schedule))
            .AddActivity<StartEngagementActivity>()
            .AddActivity<UpdateCaseActivity>()
            .AddActivity<SendEmailActivity>()
            .AddActivity<SendClosureSummariesActivity>()
            .AddActivity<RunningOutreachActivity>()
            .AddActivity<StartProviderOutreachActivity>();
    }

    /// <summary>
    /// Adds the METS tasks to a Microsoft.DurableTask worker (any backend), with the policy's schedule from the
    /// host's services: <c>services.AddDurableTaskWorker(b =&gt; b.AddMetsTasks().UseEmbeddedEngine())</c>.
    /// </summary>
    public static IDurableTaskWorkerBuilder AddMetsTasks(this IDurableTaskWorkerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DurableTaskRegistry>(builder.Name)
            .Configure<EngagementSchedule>((registry, schedule) => registry.AddMetsTasks(schedule));
        return builder;
    }

    /// <summary>
    /// Everything the METS workflow needs except the durable backend and its <c>DurableTaskClient</c>: options
    /// (validated on start), schedule, link signer, application services, and the embedded adapters as defaults (SQLite case store,
    /// outbox mailer and audit anchor file under <see cref="WorkflowOptions.DataFolder"/>; in-memory utilization until the claims store
    /// is adapted). Hosts replace <see cref="ICaseStore"/>, <see cref="IEmailSender"/>, <see cref="IAuditAnchorStore"/> or
    /// <see cref="IMemberUtilization"/> by registering their own before calling this.
    /// </summary>
    public static IServiceCollection AddMetsWorkflowCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EngagementPolicy>().BindConfiguration(EngagementPolicy.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngagementPolicy>, EngagementPolicyValidation>());
        services.AddOptions<RosterOptions>().BindConfiguration(RosterOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProviderLinkOptions>().BindConfiguration(ProviderLinkOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CommunityResourceOptions>().BindConfiguration(CommunityResourceOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CommunityResourceOptions>, CommunityResourceOptionsValidation>());
        services.TryAddSingleton(sp => CommunityResourceDirectoryLoader.Load(
            sp.GetRequiredService<IOptions<CommunityResourceOptions>>().Value, sp.GetRequiredService<ILogger<CommunityResourceDirectory>>()));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EngagementSchedule(sp.GetRequiredService<IOptions<EngagementPolicy>>().Value));
        services.TryAddSingleton<ProviderLinkSigner>();
        services.TryAddSingleton<ICaseStore>(sp => new SqliteCaseStore(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.CaseDatabasePath));
        services.TryAddSingleton<IStepCommandLedger>(sp => new SqliteStepCommandLedger(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.CaseDatabasePath));
        services.TryAddSingleton<IEmailSender>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WorkflowOptions>>().Value;
            return new OutboxEmailSender(o.OutboxFolder, o.MailFrom);
        });
        services.TryAddSingleton<IAuditAnchorStore>(sp => new FileAuditAnchorStore(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.AuditAnchorFilePath));
        services.TryAddSingleton<IMemberUtilization, InMemoryMemberUtilization>();
        services.TryAddSingleton<EngagementService>();
        services.TryAddSingleton<CaseEditor>();
        services.TryAddSingleton<ConsentService>();
        services.TryAddSingleton<FollowUpNotifier>();
        services.TryAddSingleton<CarePlanService>();
        services.TryAddSingleton<ProviderCarePlanService>();
        services.TryAddSingleton<CareTeamService>();
        services.TryAddSingleton<WorkflowMetrics>();
        services.TryAddSingleton<EngagementRepairSweep>();
        services.TryAddSingleton<EngagementHistoryPurge>();
        services.TryAddSingleton<TimelineAnchoring>();
        services.TryAddSingleton<TimelineAudit>();
        services.TryAddSingleton<TimelineAnchorSweep>();
        return services;
    }

    /// <summary>
    /// The METS workflow for a host that runs a durable backend and registers its <c>DurableTaskClient</c>
    /// (Microsoft's <c>AddDurableTaskClient</c>): <see cref="AddMetsWorkflowCore"/> plus the start-up repair of
    /// missing engagement instances and the periodic anchor sweep. Configuration: <c>Mets:Workflow</c>, <c>Mets:Policy</c>,
    /// <c>Mets:Roster</c>, <c>Mets:ProviderLinks</c>, <c>Mets:Audit</c>, <c>Mets:CommunityResources</c>.
    /// </summary>
    public static IServiceCollection AddMetsWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(configuration);
        services.AddMetsWorkflowCore();
        services.AddHostedService<EngagementRepairService>();
        services.AddHostedService<TimelineAnchorSweepService>();
        return services;
    }
}

/// <summary>Reports every problem of the policy at once (<see cref="EngagementPolicy.Validate()"/>), each naming its setting.</summary>
internal sealed class EngagementPolicyValidation : IValidateOptions<EngagementPolicy>
{
    public ValidateOptionsResult Validate(string? name, EngagementPolicy options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
