using System.Diagnostics.Metrics;
using Mets.Domain.Identifiers;
using Mets.FunctionApp.Maintenance;
using Mets.FunctionApp.Tests.Durable;
using Mets.Workflow.Maintenance;
using Mets.Workflow.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;

namespace Mets.FunctionApp.Tests.Maintenance;

/// <summary>
/// The repair sweep timer through the app's composition (case store on SQLite; the backend a Moq DurableTaskClient, so
/// an instance can be missing or fail on every run): a missing instance is restarted; an instance that fails every time
/// is restarted MaxRepairAttempts times at one step, then given up once with an error log and the metric.
/// </summary>
public sealed class RepairSweepFunctionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly Mock<DurableTaskClient> _client = new("test");
    private readonly Dictionary<string, OrchestrationRuntimeStatus?> _instances = [];
    private FunctionAppHost _app = null!;

    public async Task InitializeAsync()
    {
        _app = await FunctionAppHost.StartAsync(new Dictionary<string, string?> { ["Mets:Workflow:MaxRepairAttempts"] = "3" });
        _client.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, bool _, CancellationToken _) => Instance(id));
        _client.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, CancellationToken _) => Instance(id));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private OrchestrationMetadata? Instance(string id) => _instances.TryGetValue(id, out var status) && status is { } s
        ? new OrchestrationMetadata(nameof(EngagementOrchestrator), id) { RuntimeStatus = s }
        : null;

    [Fact]
    public async Task MissingInstance_IsRestarted_HealthyOnesAreLeftAlone()
    {
        var missing = await MaintenanceTestData.SubmitAsync(_app, _client.Object, "REF-R1", "R0001", At);
        var healthy = await MaintenanceTestData.SubmitAsync(_app, _client.Object, "REF-R2", "R0002", At);
        _instances[healthy.Value] = OrchestrationRuntimeStatus.Running;
        _client.Invocations.Clear();

        await SweepAsync();

        Assert.Equal([missing.Value], Scheduled());
    }

    [Fact]
    public async Task InstanceFailingEveryTime_IsRestartedUpToTheCap_ThenGivenUpOnceWithErrorAndMetric()
    {
        var failing = await MaintenanceTestData.SubmitAsync(_app, _client.Object, "REF-R3", "R0003", At);
        _instances[failing.Value] = OrchestrationRuntimeStatus.Failed;
        _client.Invocations.Clear();
        using var gaveUp = new MetricCollector<long>(_app.Provider.GetRequiredService<IMeterFactory>(), WorkflowMetrics.MeterName, WorkflowMetrics.RepairGaveUpName);
        _app.Logs.Clear();

        for (var run = 1; run <= 6; run++)
        {
            await SweepAsync();
        }

        Assert.Equal(3, Scheduled().Count(id => id == failing.Value));
        Assert.Equal(1, gaveUp.GetMeasurementSnapshot().EvaluateAsCounter());
        var errors = _app.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        var error = Assert.Single(errors);
        Assert.Contains(failing.Value, error.Message, StringComparison.Ordinal);
        Assert.Contains("gives up", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("R0003", string.Join('\n', _app.Logs.GetSnapshot().Select(r => r.Message)), StringComparison.Ordinal); // no member id
    }

    private async Task SweepAsync()
    {
        await using var invocation = _app.Invoke();
        await invocation.Function<EngagementRepairSweepFunction>().RunAsync(new TimerInfo(), _client.Object, invocation.Context);
    }

    private List<string?> Scheduled() =>
    [
        .. _client.Invocations
            .Where(i => i.Method.Name == nameof(DurableTaskClient.ScheduleNewOrchestrationInstanceAsync))
            .Select(i => i.Arguments.OfType<StartOrchestrationOptions>().Single().InstanceId),
    ];
}
