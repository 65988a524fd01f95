using Mets.FunctionApp.Durable;
using Mets.Workflow.Maintenance;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Maintenance;

/// <summary>The app settings holding the maintenance timers' schedules (NCRONTAB, six fields), with the documented defaults.</summary>
public static class MaintenanceSchedules
{
    /// <summary>Setting of the repair sweep's schedule; suggested default <see cref="RepairSweepDefault"/>.</summary>
    public const string RepairSweepSetting = "Mets:Workflow:RepairSweepSchedule";

    /// <summary>Every 15 minutes.</summary>
    public const string RepairSweepDefault = "0 */15 * * * *";

    /// <summary>Setting of the history purge's schedule; suggested default <see cref="HistoryPurgeDefault"/>.</summary>
    public const string HistoryPurgeSetting = "Mets:Workflow:HistoryPurgeSchedule";

    /// <summary>Daily at 03:30 UTC.</summary>
    public const string HistoryPurgeDefault = "0 30 3 * * *";

    /// <summary>Setting of the anchor sweep's schedule; suggested default <see cref="AnchorSweepDefault"/>.</summary>
    public const string AnchorSweepSetting = "Mets:Audit:AnchorSweepSchedule";

    /// <summary>Daily at 02:45 UTC.</summary>
    public const string AnchorSweepDefault = "0 45 2 * * *";

    /// <summary>Setting of the provider feedback's schedule; suggested default <see cref="ProviderFeedbackDefault"/>.</summary>
    public const string ProviderFeedbackSetting = "Mets:ProviderFeedback:Schedule";

    /// <summary>Monthly, on the 1st at 06:00 UTC.</summary>
    public const string ProviderFeedbackDefault = "0 0 6 1 * *";
}

/// <summary>The periodic repair sweep (<see cref="EngagementRepairSweep"/>; only delegates).</summary>
public sealed class EngagementRepairSweepFunction(InvocationDurableClient invocationClient)
{
    public const string FunctionName = "EngagementRepairSweep";

    [Function(FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + MaintenanceSchedules.RepairSweepSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        invocationClient.Use(client);
        return context.InstanceServices.GetRequiredService<EngagementRepairSweep>().RunAsync(context.CancellationToken);
    }
}

/// <summary>The purge of long-closed engagements' orchestration history (<see cref="EngagementHistoryPurge"/>; only delegates).</summary>
public sealed class EngagementHistoryPurgeFunction(InvocationDurableClient invocationClient)
{
    public const string FunctionName = "EngagementHistoryPurge";

    [Function(FunctionName)]
    public Task RunAsync(
        [TimerTrigger("%" + MaintenanceSchedules.HistoryPurgeSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        invocationClient.Use(client);
        return context.InstanceServices.GetRequiredService<EngagementHistoryPurge>().RunAsync(context.CancellationToken);
    }
}

/// <summary>The anchor sweep (<see cref="TimelineAnchorSweep"/>; only delegates): anchors open engagements' unanchored timeline entries.</summary>
public static class TimelineAnchorSweepFunction
{
    public const string FunctionName = "TimelineAnchorSweep";

    [Function(FunctionName)]
    public static Task RunAsync(
        [TimerTrigger("%" + MaintenanceSchedules.AnchorSweepSetting + "%")] TimerInfo timer,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.InstanceServices.GetRequiredService<TimelineAnchorSweep>().RunAsync(context.CancellationToken);
    }
}

/// <summary>The monthly provider feedback emails (<see cref="Mets.Workflow.Reports.Feedback.ProviderFeedbackRun"/>; only delegates).</summary>
public static class ProviderFeedbackFunction
{
    public const string FunctionName = "ProviderFeedback";

    [Function(FunctionName)]
    public static Task RunAsync(
        [TimerTrigger("%" + MaintenanceSchedules.ProviderFeedbackSetting + "%")] TimerInfo timer,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.InstanceServices.GetRequiredService<Mets.Workflow.Reports.Feedback.ProviderFeedbackRun>().RunAsync(context.CancellationToken);
    }
}
