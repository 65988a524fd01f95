using Mets.Workflow;
using Mets.Workflow.Adapters.AnchorFile;

namespace Mets.Local.Audit;

/// <summary>
/// The local host's audit commands (docs/reliability.md, "Tamper-evident audit"), run instead of the host:
/// <code>
/// dotnet run --project functions/Mets.Local -- audit-export FILE   copy the anchor file to FILE (a new file)
/// dotnet run --project functions/Mets.Local -- audit-check FILE    does the anchor file still begin with that export?
/// </code>
/// The anchor file is the one the host writes: <c>audit/timeline-anchors.log</c> in the workflow's data folder
/// (<c>Mets:Workflow:DataFolder</c>, by default <c>Mets:DataFolder</c>); settings after FILE (<c>--Mets:DataFolder=...</c>)
/// and the launch profile's apply as for the host. Exit codes: 0 done / matches, 1 the file no longer begins with the
/// export, 2 usage or I/O problem.
/// </summary>
public sealed class AuditAnchorCommand
{
    public const string Export = "audit-export";
    public const string Check = "audit-check";

    private AuditAnchorCommand(string verb, string file, string[] settingsArgs)
    {
        Verb = verb;
        File = file;
        SettingsArgs = settingsArgs;
    }

    public string Verb { get; }

    /// <summary>The export's path.</summary>
    public string File { get; }

    /// <summary>The arguments after the file: settings, as the host would read them.</summary>
    public IReadOnlyList<string> SettingsArgs { get; }

    /// <summary>The command <paramref name="args"/> ask for, or null when they are the host's own arguments.</summary>
    public static AuditAnchorCommand? Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args is [Export or Check, var file, ..] && !file.StartsWith("--", StringComparison.Ordinal)
            ? new AuditAnchorCommand(args[0], file, args[2..])
            : args is [Export or Check, ..] ? new AuditAnchorCommand(args[0], string.Empty, args[1..]) : null;
    }

    /// <summary>The anchor file the host writes with <paramref name="configuration"/>.</summary>
    public static string AnchorFile(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var local = Path.GetFullPath(configuration[$"{LocalHostOptions.SectionName}:{nameof(LocalHostOptions.DataFolder)}"] is { Length: > 0 } folder ? folder : "data");
        var workflow = configuration[$"{WorkflowOptions.SectionName}:{nameof(WorkflowOptions.DataFolder)}"];
        return new WorkflowOptions { DataFolder = string.IsNullOrWhiteSpace(workflow) ? local : Path.GetFullPath(workflow) }.AuditAnchorFilePath;
    }

    public async Task<int> RunAsync(IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (File.Length == 0)
        {
            await error.WriteLineAsync($"Usage: {Verb} FILE [--setting=value ...]").ConfigureAwait(false);
            return 2;
        }

        var anchors = AnchorFile(configuration);
        try
        {
            if (Verb == Export)
            {
                var export = await AnchorFileExport.ExportAsync(anchors, File, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Exported {export.Lines} anchor lines ({export.Bytes} bytes) of {anchors} to {Path.GetFullPath(File)}.").ConfigureAwait(false);
                await output.WriteLineAsync($"SHA-256 {export.Sha256}: note it with the copy, and keep the copy where this machine's administrators cannot change it.").ConfigureAwait(false);
                return 0;
            }

            var check = await AnchorFileExport.CheckAsync(File, anchors, cancellationToken).ConfigureAwait(false);
            if (check.Matches)
            {
                await output.WriteLineAsync($"{anchors} still begins with the export: its {check.ExportedLines} lines are unchanged, {check.LinesSince} added since.").ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync($"{anchors} no longer begins with the export: line {check.FirstDifferentLine} of the export was changed or removed. Treat the anchors, and the timelines they cover, as tampered with.").ConfigureAwait(false);
            return 1;
        }
        catch (IOException exception)
        {
            await error.WriteLineAsync($"{Verb} failed: {exception.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (UnauthorizedAccessException exception)
        {
            await error.WriteLineAsync($"{Verb} failed: {exception.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
