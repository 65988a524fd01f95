using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Local.Audit;
using Mets.Workflow.Adapters.AnchorFile;
using Microsoft.Extensions.Configuration;

namespace Mets.Local.Tests.Audit;

/// <summary>The local host's audit commands: export the anchor file the host writes, then check the export against it.</summary>
public sealed class AuditAnchorCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mets-audit-command-").FullName;

    [Fact]
    public void Parse_TakesTheVerbAndFile_LeavesTheHostsOwnArgumentsAlone()
    {
        var command = AuditAnchorCommand.Parse(["audit-export", "copy.log", "--Mets:DataFolder=x"])!;

        Assert.Equal(("audit-export", "copy.log"), (command.Verb, command.File));
        Assert.Equal(["--Mets:DataFolder=x"], command.SettingsArgs);
        Assert.Null(AuditAnchorCommand.Parse(["--urls", "http://127.0.0.1:5080"]));
        Assert.Null(AuditAnchorCommand.Parse([]));
    }

    [Fact]
    public async Task ExportThenCheck_Matches_UntilAnExportedLineIsRemovedFromTheFile()
    {
        var configuration = Settings(("Mets:DataFolder", _folder));
        var anchorFile = AuditAnchorCommand.AnchorFile(configuration);
        Assert.Equal(Path.Combine(_folder, "audit", "timeline-anchors.log"), anchorFile);
        using (var store = new FileAuditAnchorStore(anchorFile))
        {
            for (var i = 1; i <= 3; i++)
            {
                await store.AppendAsync(new TimelineAnchor(EngagementId.New(Guid.NewGuid()), 10 * i, new string('a', 64), DateTimeOffset.UnixEpoch));
            }
        }

        var copy = Path.Combine(_folder, "auditor", "anchors-1.log");
        var (exported, exportOutput) = await RunAsync(configuration, "audit-export", copy);
        var (matching, matchOutput) = await RunAsync(configuration, "audit-check", copy);
        var lines = (await File.ReadAllLinesAsync(anchorFile)).ToList();
        lines.RemoveAt(0);
        await File.WriteAllLinesAsync(anchorFile, lines); // what someone who can write the file does
        var (tampered, tamperedOutput) = await RunAsync(configuration, "audit-check", copy);

        Assert.Equal(0, exported);
        Assert.Contains("Exported 3 anchor lines", exportOutput, StringComparison.Ordinal);
        Assert.Equal(0, matching);
        Assert.Contains("3 lines are unchanged, 0 added since", matchOutput, StringComparison.Ordinal);
        Assert.Equal(1, tampered);
        Assert.Contains("line 1 of the export was changed or removed", tamperedOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAFile_OrOverAnEarlierExport_ExitsWith2()
    {
        var configuration = Settings(("Mets:DataFolder", _folder), ("Mets:Workflow:DataFolder", Path.Combine(_folder, "workflow")));
        var copy = Path.Combine(_folder, "anchors.log");
        await File.WriteAllTextAsync(copy, "an earlier export\n");

        Assert.Equal(Path.Combine(_folder, "workflow", "audit", "timeline-anchors.log"), AuditAnchorCommand.AnchorFile(configuration));
        Assert.Equal(2, (await RunAsync(configuration, "audit-export")).ExitCode);
        Assert.Equal(2, (await RunAsync(configuration, "audit-export", copy)).ExitCode);
        Assert.Equal("an earlier export\n", await File.ReadAllTextAsync(copy));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static async Task<(int ExitCode, string Output)> RunAsync(IConfiguration configuration, params string[] args)
    {
        using var output = new StringWriter();
        var exit = await AuditAnchorCommand.Parse(args)!.RunAsync(configuration, output, output);
        return (exit, output.ToString());
    }
}
