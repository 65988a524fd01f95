using System.Text.RegularExpressions;

namespace Mets.Workflow.Tests.OnMicrosoftRuntime;

/// <summary>
/// The PHI rule of <see cref="PhiScan"/> for either runtime: no sentinel value of <see cref="Sample"/> in any log line
/// the workflow wrote (message, structured state, exception), any outbox email (the raw .eml: subject and body), any
/// instance's custom status, input, output or failure, or the engine's database files; and no signed link token from an
/// email in a log line. (On Microsoft's runtime the history is in memory and not readable through the client, and the
/// sidecar logs to the console, out of reach.)
/// </summary>
internal static partial class LifecyclePhiScan
{
    public static async Task AssertNoSentinelsAsync(ILifecycleRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var places = new List<(string Where, string Text)>();
        foreach (var record in runtime.Logs.GetSnapshot())
        {
            var state = record.StructuredState is null ? string.Empty : string.Join(";", record.StructuredState.Select(kv => $"{kv.Key}={kv.Value}"));
            places.Add(($"log {record.Category}", $"{record.Message} {state} {record.Exception}"));
        }

        var emails = Directory.GetFiles(runtime.Outbox, "*.eml");
        foreach (var file in emails)
        {
            places.Add(($"email {Path.GetFileName(file)}", await File.ReadAllTextAsync(file)));
        }

        foreach (var file in runtime.EngineFiles)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            places.Add(($"engine database {Path.GetFileName(file)}", await reader.ReadToEndAsync()));
        }

        var instances = 0;
        await foreach (var instance in runtime.Client.GetAllInstancesAsync(new OrchestrationQuery(FetchInputsAndOutputs: true)))
        {
            instances++;
            places.Add(($"instance {instance.InstanceId}", $"{instance.SerializedCustomStatus} {instance.SerializedInput} {instance.SerializedOutput} {instance.FailureDetails}"));
        }

        Assert.True(instances > 0, $"{runtime.Name}: the scan found no orchestration instances");
        Assert.NotEmpty(emails);
        Assert.Contains(places, p => p.Where.StartsWith("log Mets.Workflow", StringComparison.Ordinal));

        var tokens = places.Where(p => p.Where.StartsWith("email", StringComparison.Ordinal))
            .SelectMany(p => LinkToken().Matches(p.Text).Select(m => m.Groups[1].Value))
            .ToList();
        var logs = places.Where(p => p.Where.StartsWith("log", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(tokens, t => logs.Any(p => p.Text.Contains(t, StringComparison.Ordinal)));
        Assert.Empty(places.SelectMany(p => Sample.Sentinels.Where(s => p.Text.Contains(s, StringComparison.OrdinalIgnoreCase)).Select(s => $"{runtime.Name}: {s} in {p.Where}")));
    }

    [GeneratedRegex(@"provider-responses/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkToken();
}
