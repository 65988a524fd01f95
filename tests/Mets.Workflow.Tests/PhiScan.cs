using System.Text;
using System.Text.Json;

namespace Mets.Workflow.Tests;

/// <summary>
/// Scans everything a lifecycle test produced outside the case document for the sentinel PHI values:
/// every log line (message, structured state, exception), every outbox email (raw .eml), every
/// instance's custom status, input, output and failure details, every instance's history, and the
/// raw bytes of the engine's SQLite database files (all orchestration payloads ever stored).
/// </summary>
internal static class PhiScan
{
    /// <returns>How many signed link tokens the emails carried (each checked absent from the logs).</returns>
    public static async Task<int> AssertNoSentinelsAsync(WorkflowHarness h)
    {
        var places = new List<(string Where, string Text)>();
        foreach (var record in h.Logs.GetSnapshot())
        {
            var state = record.StructuredState is null ? string.Empty : string.Join(";", record.StructuredState.Select(kv => $"{kv.Key}={kv.Value}"));
            places.Add(($"log {record.Category}", $"{record.Message} {state} {record.Exception}"));
        }

        if (Directory.Exists(h.Outbox))
        {
            foreach (var file in Directory.GetFiles(h.Outbox))
            {
                places.Add(($"email {Path.GetFileName(file)}", await File.ReadAllTextAsync(file)));
            }
        }

        var instances = 0;
        await foreach (var instance in h.Host.Client.GetAllInstancesAsync(new OrchestrationQuery(FetchInputsAndOutputs: true)))
        {
            instances++;
            places.Add(($"instance {instance.InstanceId}", $"{instance.SerializedCustomStatus} {instance.SerializedInput} {instance.SerializedOutput} {instance.FailureDetails}"));
            var history = await h.Host.Client.GetOrchestrationHistoryAsync(instance.InstanceId);
            places.Add(($"history {instance.InstanceId}", JsonSerializer.Serialize(history)));
        }

        foreach (var file in Directory.GetFiles(h.Folder, "durable.db*").Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            places.Add(($"engine database {Path.GetFileName(file)}", await reader.ReadToEndAsync()));
        }

        Assert.True(instances > 0, "the scan found no orchestration instances");
        Assert.Contains(places, p => p.Where.StartsWith("log", StringComparison.Ordinal));
        // Signed link tokens are credentials: they may be in the provider's email, never in a log line.
        var tokens = places.Where(p => p.Where.StartsWith("email", StringComparison.Ordinal))
            .SelectMany(p => System.Text.RegularExpressions.Regex.Matches(p.Text, @"provider-responses/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)").Select(m => m.Groups[1].Value))
            .ToList();
        var tokenLeaks = tokens.Where(t => places.Any(p => p.Where.StartsWith("log", StringComparison.Ordinal) && p.Text.Contains(t, StringComparison.Ordinal))).ToList();
        Assert.Empty(tokenLeaks);

        var leaks = places
            .SelectMany(p => Sample.Sentinels.Where(s => p.Text.Contains(s, StringComparison.OrdinalIgnoreCase)).Select(s => $"{s} in {p.Where}"))
            .ToList();
        Assert.Empty(leaks);
        return tokens.Count;
    }

    /// <summary>
    /// What a page outside METS shows (a provider's request or care-plan view, as the page renders it): never the member's
    /// id, the referral narrative or a provider's name; the goals' own words may be there (that is what is shared).
    /// </summary>
    public static void AssertNoMemberIdentity(object view)
    {
        var json = JsonSerializer.Serialize(view, view.GetType());
        string[] identity = [Sample.SentinelMemberNumber, Sample.SentinelReasonText, "Xylophonia", Sample.SentinelProviderName, "Zebulon"];
        Assert.DoesNotContain(identity, s => json.Contains(s, StringComparison.OrdinalIgnoreCase));
    }
}
