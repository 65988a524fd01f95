using Mets.Workflow.Application;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Hosting;

/// <summary>
/// At start-up, schedules the orchestration of every open engagement whose instance is missing, failed or
/// terminated (a 202 always leads to an engagement). Backend-neutral: it only uses the DurableTaskClient.
/// </summary>
public sealed partial class EngagementRepairService(EngagementService engagements, ILogger<EngagementRepairService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var repaired = await engagements.RepairMissingInstancesAsync(cancellationToken);
        LogStarted(repaired);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "METS workflow started; {Repaired} engagement instance(s) repaired")]
    private partial void LogStarted(int repaired);
}
