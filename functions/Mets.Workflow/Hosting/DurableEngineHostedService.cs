using Mets.Durable.Engine;
using Mets.Workflow.Application;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mets.Workflow.Hosting;

/// <summary>Starts the embedded durable engine with the host, repairs missing engagement instances, and stops the engine on shutdown.</summary>
public sealed partial class DurableEngineHostedService(DurableEngine engine, EngagementService engagements, ILogger<DurableEngineHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await engine.StartAsync(cancellationToken);
        var repaired = await engagements.RepairMissingInstancesAsync(cancellationToken);
        LogStarted(repaired);
    }

    public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "METS workflow engine started; {Repaired} engagement instance(s) repaired")]
    private partial void LogStarted(int repaired);
}
