using Mets.Domain.Engagements;
using Mets.FunctionApp.Maintenance;
using Mets.FunctionApp.Tests.Durable;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Mets.FunctionApp.Tests.Maintenance;

/// <summary>
/// The anchor sweep timer through the app's composition (SQLite case store, the anchor file of its data folder, as Core
/// Tools runs it without AuditStorage): open engagements with unanchored entries are anchored once; nothing is written
/// again while their timelines stay as anchored.
/// </summary>
public sealed class AnchorSweepFunctionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private FunctionAppHost _app = null!;

    public async Task InitializeAsync() => _app = await FunctionAppHost.StartAsync(new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task OpenEngagements_AreAnchoredOnce_AtTheirHeads()
    {
        var client = new Mock<DurableTaskClient>("test").Object;
        var first = await MaintenanceTestData.SubmitAsync(_app, client, "REF-A1", "A0001", At);
        var second = await MaintenanceTestData.SubmitAsync(_app, client, "REF-A2", "A0002", At);
        var anchors = _app.Provider.GetRequiredService<IAuditAnchorStore>();

        await SweepAsync();
        await SweepAsync();

        foreach (var id in new[] { first, second })
        {
            var read = (await _app.Provider.GetRequiredService<ICaseStore>().GetAsync(id))!;
            var anchor = Assert.Single(await anchors.ReadAsync(id));
            Assert.Equal((read.Timeline.Count, TimelineChain.Head(id, read.Timeline)), (anchor.EntryCount, anchor.HeadHash));
        }
    }

    private async Task SweepAsync()
    {
        await using var invocation = _app.Invoke();
        await TimelineAnchorSweepFunction.RunAsync(new TimerInfo(), invocation.Context);
    }
}
