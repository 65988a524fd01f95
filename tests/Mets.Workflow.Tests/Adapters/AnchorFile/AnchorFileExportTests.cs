using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.AnchorFile;

namespace Mets.Workflow.Tests.Adapters.AnchorFile;

/// <summary>The auditor's export of the local anchor file, and the later check that the file still begins with it.</summary>
public sealed class AnchorFileExportTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mets-anchorexport-tests", Guid.NewGuid().ToString("N"));
    private readonly FileAuditAnchorStore _store;

    public AnchorFileExportTests() => _store = new FileAuditAnchorStore(Path.Combine(_folder, "timeline-anchors.log"));

    [Fact]
    public async Task Export_ThenMoreAnchors_TheCheckMatches_AndCountsTheNewLines()
    {
        await AppendAsync(3);
        var exported = await AnchorFileExport.ExportAsync(_store.FilePath, Path.Combine(_folder, "export", "anchors-1.log"));
        await AppendAsync(2);

        var check = await AnchorFileExport.CheckAsync(Path.Combine(_folder, "export", "anchors-1.log"), _store.FilePath);

        Assert.Equal(3, exported.Lines);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(_folder, "export", "anchors-1.log")))), exported.Sha256);
        Assert.True(check.Matches);
        Assert.Equal((3, 2), (check.ExportedLines, check.LinesSince));
    }

    [Theory]
    [InlineData("edit")]
    [InlineData("remove")]
    [InlineData("truncate")]
    public async Task AnExportedLineChangedOrRemovedInTheFile_IsFoundAtItsLine(string change)
    {
        await AppendAsync(4);
        var export = Path.Combine(_folder, "anchors-1.log");
        await AnchorFileExport.ExportAsync(_store.FilePath, export);
        var lines = (await File.ReadAllLinesAsync(_store.FilePath)).ToList();
        switch (change)
        {
            case "edit": lines[1] = lines[1].Replace("\t2\t", "\t3\t", StringComparison.Ordinal); break;
            case "remove": lines.RemoveAt(1); break;
            default: lines.RemoveRange(1, 3); break;
        }

        await File.WriteAllLinesAsync(_store.FilePath, lines); // what someone with write access to the file does

        var check = await AnchorFileExport.CheckAsync(export, _store.FilePath);
        Assert.False(check.Matches);
        Assert.Equal(2, check.FirstDifferentLine);
    }

    [Fact]
    public async Task Export_NeverOverwritesAnEarlierExport()
    {
        await AppendAsync(1);
        var export = Path.Combine(_folder, "anchors-1.log");
        await AnchorFileExport.ExportAsync(_store.FilePath, export);

        await Assert.ThrowsAsync<IOException>(() => AnchorFileExport.ExportAsync(_store.FilePath, export));
    }

    public void Dispose()
    {
        _store.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task AppendAsync(int count)
    {
        var existing = File.Exists(_store.FilePath) ? File.ReadAllLines(_store.FilePath).Length : 0;
        for (var i = existing + 1; i <= existing + count; i++)
        {
            await _store.AppendAsync(new TimelineAnchor(EngagementId.New(Guid.NewGuid()), i, new string('a', 64), T0.AddMinutes(i)));
        }
    }
}
