using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Audit;
using Mets.Workflow.Maintenance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Workflow.Tests.Audit;

public sealed class TimelineAnchoringTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-anchoring-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly FakeLogger<TimelineAnchoring> _log = new();
    private readonly WorkflowMetrics _metrics = new();

    [Theory]
    [InlineData(3, 4, false, 10, false)] // no multiple of 10 crossed
    [InlineData(9, 10, false, 10, true)] // reached 10
    [InlineData(8, 13, false, 10, true)] // crossed 10
    [InlineData(10, 12, false, 10, false)] // 10 was anchored by the save that reached it
    [InlineData(12, 13, true, 10, true)] // a save of a closed engagement
    [InlineData(13, 13, true, 10, false)] // an empty save adds nothing to anchor
    [InlineData(4, 5, false, 1, true)] // every save
    public void IsDue_AtEachMultiple_AndEverySaveOfAClosedCase(int before, int after, bool closed, int every, bool due)
    {
        var saved = CaseWith(after) with { Status = closed ? EngagementStatus.Closed : EngagementStatus.Open };

        Assert.Equal(due, TimelineAnchoring.IsDue(before, saved, every));
    }

    [Fact]
    public async Task AfterSave_WhenDue_AppendsTheHead_AtTheClocksTime()
    {
        var store = new FileAuditAnchorStore(Path.Combine(_folder, "anchors.log"));
        var saved = CaseWith(10);

        await Anchoring(store, every: 10).AfterSaveAsync(9, saved);
        await Anchoring(store, every: 10).AfterSaveAsync(3, CaseWith(4));

        var anchor = Assert.Single(await store.ReadAsync(saved.Id));
        Assert.Equal(new TimelineAnchor(saved.Id, 10, saved.Timeline[^1].Hash!, T0), anchor);
        store.Dispose();
    }

    [Fact]
    public async Task AfterSave_AnchorStoreFails_IsLoggedWithoutMemberData_AndTheSaveStands()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "not-a-file"));
        var broken = new FileAuditAnchorStore(Path.Combine(_folder, "not-a-file")); // a folder: every append fails
        var saved = CaseWith(10);

        await Anchoring(broken, every: 10).AfterSaveAsync(9, saved);

        var warning = Assert.Single(_log.Collector.GetSnapshot(), l => l.Level == LogLevel.Warning);
        Assert.Contains(saved.Id.Value, warning.Message, StringComparison.Ordinal);
        Assert.NotNull(warning.Exception);
        Assert.DoesNotContain(Sample.SentinelMemberNumber, warning.Message, StringComparison.Ordinal);
        broken.Dispose();
    }

    public void Dispose()
    {
        _metrics.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private TimelineAnchoring Anchoring(IAuditAnchorStore store, int every) =>
        new(store, Options.Create(new AuditOptions { AnchorEveryEntries = every }), _clock, _metrics, _log);

    private static EngagementCase CaseWith(int entries)
    {
        var c = EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), Sample.Referral(at: T0), T0);
        for (var i = 1; i < entries; i++)
        {
            c = c.Note(T0.AddHours(i), Actor.System, TimelineEntryKind.ReminderSent, $"n={i}");
        }

        return c;
    }
}
