using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Maintenance;
using Mets.Workflow.Tests.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Workflow.Tests.Maintenance;

/// <summary>The anchor sweep over the real SQLite case store and anchor file.</summary>
public sealed class TimelineAnchorSweepTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-anchorsweep-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteCaseStore _cases;
    private readonly FileAuditAnchorStore _anchors;
    private readonly WorkflowMetrics _metrics = new();
    private readonly FakeLogCollector _logs = new();
    private readonly TimelineAnchoring _anchoring;

    public TimelineAnchorSweepTests()
    {
        _cases = new SqliteCaseStore(Path.Combine(_folder, "cases.db"));
        _anchors = new FileAuditAnchorStore(Path.Combine(_folder, "audit", "timeline-anchors.log"));
        _anchoring = new TimelineAnchoring(_anchors, Options.Create(new AuditOptions()), new FakeTimeProvider(T0.AddDays(30)), _metrics, new FakeLogger<TimelineAnchoring>(_logs));
    }

    [Fact]
    public async Task Sweep_AnchorsOpenTimelinesWithUnanchoredEntries_NotTamperedOnes_NorClosedOnes()
    {
        var behind = await CaseAsync("A", entries: 12, anchorAt: 10);
        var current = await CaseAsync("B", entries: 4, anchorAt: 4);
        var tampered = await CaseAsync("C", entries: 6, anchorAt: 5);
        await TimelineTampering.InSqliteAsync(Path.Combine(_folder, "cases.db"), tampered, t => TimelineTampering.EditAt(t, 3));
        var closed = await CaseAsync("D", entries: 3, anchorAt: null, close: true);

        var result = await Sweep().RunAsync();

        Assert.Equal(new AnchorSweepResult(3, 1, 1, 0), result);
        Assert.Equal([10, 12], (await _anchors.ReadAsync(behind)).Select(a => a.EntryCount));
        Assert.Single(await _anchors.ReadAsync(current));
        Assert.Single(await _anchors.ReadAsync(tampered));
        Assert.Empty(await _anchors.ReadAsync(closed));
        var audit = await new TimelineAudit(_cases, _anchors).VerifyAsync(behind);
        Assert.True(audit!.Intact);
        Assert.Equal(0, audit.UnanchoredEntries);
        var error = Assert.Single(_logs.GetSnapshot(), l => l.Level == LogLevel.Error);
        Assert.Contains(tampered.Value, error.Message, StringComparison.Ordinal);
        Assert.Contains("Edited at entry 3", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _cases.Dispose();
        _anchors.Dispose();
        _metrics.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private TimelineAnchorSweep Sweep() => new(_cases, _anchors, _anchoring, _metrics, new FakeLogger<TimelineAnchorSweep>(_logs));

    /// <summary>An open case of <paramref name="entries"/> entries saved through the store, anchored at <paramref name="anchorAt"/> entries.</summary>
    private async Task<EngagementId> CaseAsync(string member, int entries, int? anchorAt, bool close = false)
    {
        var referral = Sample.Referral("REF-" + member, memberNumber: "M" + member, at: T0);
        var id = EngagementId.New(Guid.NewGuid());
        await _cases.ReceiveReferralAsync(referral, EngagementCase.Receive(id, referral, T0));
        var c = (await _cases.GetAsync(id))!.Start(Sample.Clinician, T0.AddDays(7), T0.AddDays(180), T0);
        while (c.Timeline.Count < entries)
        {
            c = c.Note(T0.AddHours(c.Timeline.Count), Actor.System, TimelineEntryKind.ReminderSent, "step=assessment");
            if (c.Timeline.Count == anchorAt)
            {
                await _anchors.AppendAsync(new TimelineAnchor(id, c.Timeline.Count, c.Timeline[^1].Hash!, T0));
            }
        }

        if (close)
        {
            c = c with { Status = EngagementStatus.Closed };
        }

        Assert.Equal(CaseSaveOutcome.Saved, (await _cases.SaveAsync(c, "build-" + member)).Outcome);
        return id;
    }
}
