using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>
/// A durable runtime the lifecycle script runs on (the "driver"): Microsoft's in-process test host on real time,
/// or the embedded engine on fake time. The script only acts through <see cref="Service"/> and
/// <see cref="Client"/>, reads the clock with <see cref="Now"/> and lets time pass with <see cref="ReachAsync"/>.
/// </summary>
internal interface ILifecycleRuntime
{
    string Name { get; }

    /// <summary>The runtime's clock (the one the workflow's services use).</summary>
    DateTimeOffset Now { get; }

    DurableTaskClient Client { get; }

    IServiceProvider Services { get; }

    EngagementService Service { get; }

    ScenarioProbe Probe { get; }

    string Outbox { get; }

    FakeLogCollector Logs { get; }

    /// <summary>The engine's database files (every orchestration payload it stored), or none when it keeps them in memory.</summary>
    IReadOnlyList<string> EngineFiles { get; }

    /// <summary>
    /// Lets time pass until <paramref name="at"/> (fake time: moves the clock there, firing every timer due on the
    /// way; real time: nothing to do, the timers fire by themselves) and waits until <paramref name="condition"/>
    /// holds for the engagement. Returns what was seen then.
    /// </summary>
    Task<Observation> ReachAsync(EngagementId engagement, DateTimeOffset at, string what, Func<Observation, bool> condition);

    /// <summary>Waits until the instance has completed (bounded).</summary>
    Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId);
}

/// <summary>The configuration and services both runtimes compose the workflow with (real DI, real SQLite store, real outbox).</summary>
internal static class LifecycleComposition
{
    /// <summary>The policy in seconds (durations as <c>hh:mm:ss</c>); <see cref="LifecycleScript"/> reads its moments from it.</summary>
    public static IReadOnlyDictionary<string, string?> Policy { get; } = new Dictionary<string, string?>
    {
        ["Mets:Policy:AssessmentDue"] = "00:00:06",
        ["Mets:Policy:UrgentAssessmentDue"] = "00:00:06",
        ["Mets:Policy:ReminderLead"] = "00:00:03",
        ["Mets:Policy:SupervisorEscalationDelay"] = "00:00:00",
        ["Mets:Policy:ProviderReminderInterval"] = "00:00:05",
        ["Mets:Policy:ProviderReminderCount"] = "2",
        ["Mets:Policy:ProviderEscalationAfter"] = "00:00:22",
        ["Mets:Policy:PeerReviewWindow"] = "01:00:00",
        ["Mets:Policy:HighRiskReviewInterval"] = "00:00:15",
        ["Mets:Policy:ModerateRiskReviewInterval"] = "00:00:20",
        ["Mets:Policy:LowRiskReviewInterval"] = "00:00:25",
        ["Mets:Policy:MaximumDuration"] = "01:00:00",
    };

    public static IConfiguration Configuration(string folder) =>
        new ConfigurationBuilder().AddInMemoryCollection(WorkflowHarness.Settings(folder, Policy.ToDictionary())).Build();

    /// <summary>The schedule the configuration describes (Microsoft's registry needs it before the host's services exist).</summary>
    public static EngagementSchedule Schedule(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var policy = configuration.GetSection(EngagementPolicy.SectionName).Get<EngagementPolicy>()
            ?? throw new InvalidOperationException("The test configuration has no policy.");
        return new EngagementSchedule(policy);
    }

    /// <summary>
    /// The workflow's services as a host composes them (<see cref="WorkflowServiceCollectionExtensions.AddMetsWorkflowCore"/>),
    /// with the real SQLite case store and the real outbox mailer wrapped by <paramref name="probe"/>, and
    /// <paramref name="schedule"/> as the schedule (the one the orchestrators were given).
    /// </summary>
    public static IServiceCollection AddLifecycleWorkflow(this IServiceCollection services, IConfiguration configuration, ScenarioProbe probe, EngagementSchedule schedule)
    {
        var options = configuration.GetSection(WorkflowOptions.SectionName).Get<WorkflowOptions>()
            ?? throw new InvalidOperationException("The test configuration has no workflow options.");
        return services
            .AddSingleton(configuration)
            .AddSingleton(schedule)
            .AddSingleton(_ => probe.Wrap(new SqliteCaseStore(options.CaseDatabasePath)))
            .AddSingleton(_ => probe.Wrap(new OutboxEmailSender(options.OutboxFolder, options.MailFrom)))
            .AddMetsWorkflowCore();
    }
}

/// <summary>What a failing wait or test reports about the instances, and the clean-up after a test on a shared host.</summary>
internal static class RuntimeDiagnostics
{
    /// <summary>Every instance of <paramref name="engagement"/> (the engagement and its outreach): status and custom status.</summary>
    public static async Task<string> DescribeInstancesAsync(DurableTaskClient client, EngagementId engagement)
    {
        ArgumentNullException.ThrowIfNull(client);
        var lines = new List<string>();
        await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery(InstanceIdPrefix: engagement.Value, FetchInputsAndOutputs: true)))
        {
            lines.Add($"{instance.InstanceId}: {instance.RuntimeStatus}, custom status {instance.SerializedCustomStatus ?? "none"}, last updated {instance.LastUpdatedAt:HH:mm:ss.fff}");
        }

        return lines.Count == 0 ? "no instance" : string.Join("; ", lines);
    }

    /// <summary>
    /// After a test on a shared host: terminates every instance still running or pending (each by id: the in-process
    /// host ignores recursive termination) and closes every case left open, so the next test starts from the same
    /// state (new engagements go to the clinician with the fewest open ones).
    /// </summary>
    public static async Task CleanUpAsync(ILifecycleRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var running = new List<string>();
        await foreach (var instance in runtime.Client.GetAllInstancesAsync(new OrchestrationQuery(Statuses: [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending])))
        {
            running.Add(instance.InstanceId);
        }

        foreach (var id in running)
        {
            await runtime.Client.TerminateInstanceAsync(id, "test over");
        }

        var cases = runtime.Services.GetRequiredService<ICaseStore>();
        foreach (var open in await cases.ListOpenAsync())
        {
            var current = await cases.GetAsync(open.Id) ?? open;
            await cases.SaveAsync(current.Close(Mets.Domain.Closure.ClosureReason.MemberDeclined, Mets.Domain.Engagements.Actor.System, runtime.Now), $"test-cleanup:{open.Id}");
        }
    }
}
