using System.Text;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.AnchorFile;
using Mets.Workflow.Audit;

namespace Mets.Workflow.Tests.Adapters.AnchorFile;

/// <summary>The local anchor file: one line per anchor, only ever appended to, read back per engagement.</summary>
public sealed class FileAuditAnchorStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-anchorfile-tests", Guid.NewGuid().ToString("N"));
    private readonly FileAuditAnchorStore _store;
    private readonly EngagementId _a = EngagementId.New(Guid.NewGuid());
    private readonly EngagementId _b = EngagementId.New(Guid.NewGuid());

    public FileAuditAnchorStoreTests() => _store = new FileAuditAnchorStore(Path.Combine(_folder, "audit", "timeline-anchors.log"));

    [Fact]
    public async Task Append_WritesTheDocumentedLine_ReadAnswersOneEngagementsAnchorsInOrder()
    {
        await _store.AppendAsync(Anchor(_a, 20));
        await _store.AppendAsync(Anchor(_b, 10));
        await _store.AppendAsync(Anchor(_a, 10));

        var lines = await File.ReadAllLinesAsync(_store.FilePath);
        Assert.Equal($"{_a.Value}\t20\t{Head(20)}\t2026-03-02T09:20:00.0000000Z", lines[0]);
        Assert.Equal([10, 20], (await _store.ReadAsync(_a)).Select(a => a.EntryCount));
        Assert.Equal(Anchor(_b, 10), Assert.Single(await _store.ReadAsync(_b)));
        Assert.Empty(await _store.ReadAsync(EngagementId.New(Guid.NewGuid())));
    }

    [Fact]
    public async Task Appends_NeverChangeWhatTheFileHeld()
    {
        await _store.AppendAsync(Anchor(_a, 10));
        await _store.AppendAsync(Anchor(_b, 10));
        var before = await File.ReadAllBytesAsync(_store.FilePath);

        await _store.AppendAsync(Anchor(_a, 20));
        await _store.AppendAsync(Anchor(_a, 20)); // the same anchor again: a second line, the first untouched

        var after = await File.ReadAllBytesAsync(_store.FilePath);
        Assert.True(after.AsSpan().StartsWith(before));
        Assert.Equal(4, (await File.ReadAllLinesAsync(_store.FilePath)).Length);
    }

    [Fact]
    public async Task ConcurrentAppends_EachGetALineOfItsOwn()
    {
        await Task.WhenAll(Enumerable.Range(1, 24).Select(i => Task.Run(() => _store.AppendAsync(Anchor(_a, i)))));

        Assert.Equal(Enumerable.Range(1, 24), (await _store.ReadAsync(_a)).Select(a => a.EntryCount));
    }

    [Fact]
    public async Task ALineTornByACrash_IsEnded_AndTextThatIsNoAnchorIsSkipped()
    {
        await _store.AppendAsync(Anchor(_a, 10));
        await File.AppendAllTextAsync(_store.FilePath, $"# a note someone added\n{_a.Value}\t20\t{Head(20)[..30]}", Encoding.UTF8); // torn mid-hash

        await _store.AppendAsync(Anchor(_a, 30));

        Assert.Equal([10, 30], (await _store.ReadAsync(_a)).Select(a => a.EntryCount));
        Assert.EndsWith(AnchorLine.Format(Anchor(_a, 30)), await File.ReadAllTextAsync(_store.FilePath), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _store.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static TimelineAnchor Anchor(EngagementId id, int count) => new(id, count, Head(count), T0.AddMinutes(count));

    private static string Head(int count) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(count)));
}
