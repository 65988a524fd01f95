using Mets.Domain.Identifiers;
using Mets.FunctionApp.Maintenance;
using Mets.FunctionApp.Tests.Durable;
using Mets.Workflow.Cases;
using Mets.Workflow.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Mets.FunctionApp.Tests.Maintenance;

/// <summary>
/// The history purge timer through the app's composition ("now" from a FakeTimeProvider, retention 90 days, the backend
/// a Moq DurableTaskClient listing instances): only engagements whose instance ended and whose case closed more than 90
/// days ago are purged, with their outreach instances; the case documents stay.
/// </summary>
public sealed class HistoryPurgeFunctionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 3, 30, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now.AddDays(-200));
    private readonly Mock<DurableTaskClient> _client = new("test");
    private readonly List<OrchestrationMetadata> _instances = [];
    private readonly List<OrchestrationQuery> _queries = [];
    private FunctionAppHost _app = null!;

    public async Task InitializeAsync()
    {
        _app = await FunctionAppHost.StartAsync(
            new Dictionary<string, string?> { ["Mets:Workflow:HistoryRetention"] = "90.00:00:00" },
            before: services => services.AddSingleton<TimeProvider>(_time));
        _client.Setup(c => c.GetAllInstancesAsync(It.IsAny<OrchestrationQuery>()))
            .Returns((OrchestrationQuery? query) =>
            {
                _queries.Add(query!);
                var matching = _instances.Where(i => query!.Statuses!.Contains(i.RuntimeStatus) && i.CreatedAt <= query.CreatedTo).ToList();
                return Pageable.Create((string? _, int? _, CancellationToken _) => Task.FromResult(new Page<OrchestrationMetadata>(matching, null)));
            });
        _client.Setup(c => c.PurgeInstanceAsync(It.IsAny<string>(), It.IsAny<PurgeInstanceOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PurgeResult(1));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task PurgesOnlyEngagementsClosedLongerThanTheRetention_WithTheirOutreach()
    {
        var store = _app.Provider.GetRequiredService<ICaseStore>();
        var longClosed = await Engagement("REF-P1", "P0001", closedDaysAgo: 120, OrchestrationRuntimeStatus.Completed, withProvider: true);
        var recentlyClosed = await Engagement("REF-P2", "P0002", closedDaysAgo: 30, OrchestrationRuntimeStatus.Completed);
        var closedButInstanceRecent = await Engagement("REF-P3", "P0003", closedDaysAgo: 120, OrchestrationRuntimeStatus.Completed, instanceEndedDaysAgo: 10);
        var failedButOpen = await Engagement("REF-P4", "P0004", closedDaysAgo: null, OrchestrationRuntimeStatus.Failed, instanceEndedDaysAgo: 150);
        _time.SetUtcNow(Now);
        var outreach = OutreachId.For(longClosed, Npi.Parse("1234567893")).Value; // listed on the case document
        _instances.Add(Instance(nameof(ProviderOutreachOrchestrator), outreach, OrchestrationRuntimeStatus.Completed, 121));

        await using (var invocation = _app.Invoke())
        {
            await invocation.Function<EngagementHistoryPurgeFunction>().RunAsync(new TimerInfo(), _client.Object, invocation.Context);
        }

        Assert.Equal([outreach, longClosed.Value], Purged());
        Assert.Equal(Now.AddDays(-90), Assert.Single(_queries).CreatedTo);
        foreach (var id in new[] { longClosed, recentlyClosed, closedButInstanceRecent, failedButOpen })
        {
            Assert.NotNull(await store.GetAsync(id)); // the case documents stay
        }
    }

    private async Task<EngagementId> Engagement(string referralId, string member, int? closedDaysAgo, OrchestrationRuntimeStatus status, int? instanceEndedDaysAgo = null, bool withProvider = false)
    {
        var id = await MaintenanceTestData.SubmitAsync(_app, _client.Object, referralId, member, Now.AddDays(-200), withProvider);
        if (closedDaysAgo is { } days)
        {
            await MaintenanceTestData.CloseAsync(_app.Provider.GetRequiredService<ICaseStore>(), id, Now.AddDays(-days));
        }

        _instances.Add(Instance(nameof(EngagementOrchestrator), id.Value, status, instanceEndedDaysAgo ?? closedDaysAgo ?? 0));
        return id;
    }

    private static OrchestrationMetadata Instance(string name, string id, OrchestrationRuntimeStatus status, int endedDaysAgo) =>
        new(name, id) { RuntimeStatus = status, CreatedAt = Now.AddDays(-endedDaysAgo - 5), LastUpdatedAt = Now.AddDays(-endedDaysAgo) };

    private List<string?> Purged() =>
    [
        .. _client.Invocations
            .Where(i => i.Method.Name == nameof(DurableTaskClient.PurgeInstanceAsync))
            .Select(i => i.Arguments[0] as string),
    ];
}
