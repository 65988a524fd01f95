using Mets.Domain.Policy;
using Mets.Durable;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Storage.Sqlite;
using Mets.Workflow.Activities;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Mets.Workflow.Hosting;
using Mets.Workflow.Links;
using Mets.Workflow.Orchestration;
using Mets.Workflow.Roster;
using Mets.Workflow.Utilization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>Registers the METS orchestrators and activities in <paramref name="registry"/> (under their type names).</summary>
    public static DurableTaskRegistry AddMetsTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .AddOrchestrator<EngagementOrchestrator>()
            .AddOrchestrator<ProviderOutreachOrchestrator>()
            .AddActivity<StartEngagementActivity>()
            .AddActivity<UpdateCaseActivity>()
            .AddActivity<SendEmailActivity>()
            .AddActivity<SendClosureSummariesActivity>();
    }

    /// <summary>
    /// Everything the METS workflow needs except the engine: options (validated on start), schedule, link
    /// signer, application service, and the embedded adapters as defaults (SQLite case store and outbox
    /// mailer under <see cref="WorkflowOptions.DataFolder"/>; in-memory utilization until the claims store
    /// is adapted). Hosts replace <see cref="ICaseStore"/>, <see cref="IEmailSender"/> or
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

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EngagementSchedule(sp.GetRequiredService<IOptions<EngagementPolicy>>().Value));
        services.TryAddSingleton<ProviderLinkSigner>();
        services.TryAddSingleton<ICaseStore>(sp => new SqliteCaseStore(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.CaseDatabasePath));
        services.TryAddSingleton<IEmailSender>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<WorkflowOptions>>().Value;
            return new OutboxEmailSender(o.OutboxFolder, o.MailFrom);
        });
        services.TryAddSingleton<IMemberUtilization, InMemoryMemberUtilization>();
        services.TryAddSingleton(_ => new DurableTaskRegistry().AddMetsTasks());
        services.TryAddSingleton<EngagementService>();
        return services;
    }

    /// <summary>
    /// The whole embedded METS workflow: <see cref="AddMetsWorkflowCore"/> plus the embedded durable engine on
    /// SQLite (<c>mets-durable.db</c> in the data folder), its <see cref="DurableTaskClient"/>, and a hosted
    /// service that starts the engine and repairs missing orchestration instances at start-up.
    /// Configuration: <c>Mets:Workflow</c>, <c>Mets:Policy</c>, <c>Mets:Roster</c>, <c>Mets:ProviderLinks</c>, <c>Mets:Durable</c>.
    /// </summary>
    public static IServiceCollection AddMetsWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(configuration);
        services.AddMetsWorkflowCore();
        services.AddOptions<DurableEngineOptions>().BindConfiguration(DurableEngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IOrchestrationStore>(sp =>
        {
            var workflow = sp.GetRequiredService<IOptions<WorkflowOptions>>().Value;
            Directory.CreateDirectory(workflow.DataFolder);
            return new SqliteOrchestrationStore(workflow.DurableDatabasePath);
        });
        services.TryAddSingleton(sp =>
        {
            return new DurableEngine(
                sp.GetRequiredService<IOrchestrationStore>(),
                sp.GetRequiredService<DurableTaskRegistry>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<DurableEngineOptions>>().Value,
                DataConverter.Default,
                sp.GetRequiredService<ILoggerFactory>(),
                sp);
        });
        services.TryAddSingleton<DurableTaskClient>(sp => sp.GetRequiredService<DurableEngine>().Client);
        services.AddHostedService<DurableEngineHostedService>();
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
