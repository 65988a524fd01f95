using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mets.Durable.Replay;

/// <summary>
/// An instance's history as a portable JSON document: export it from a running system, check it into
/// a test suite, and replay it against changed orchestrator code (see <see cref="OrchestrationReplayer"/>).
/// </summary>
public sealed record ExportedHistory(string InstanceId, string Name, IReadOnlyList<HistoryEvent> Events)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public string? ParentInstanceId { get; init; }

    public static async Task<ExportedHistory> ExportAsync(DurableTaskClient client, string instanceId, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var metadata = await client.GetInstanceAsync(instanceId, cancellation: cancellation).ConfigureAwait(false)
            ?? throw new OrchestrationNotFoundException(instanceId);
        var events = await client.GetOrchestrationHistoryAsync(instanceId, cancellation).ConfigureAwait(false);
        return new ExportedHistory(instanceId, metadata.Name, events);
    }

    public static ExportedHistory FromJson(string json) =>
        JsonSerializer.Deserialize<ExportedHistory>(json, Json) ?? throw new InvalidDataException("The exported history is empty.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
