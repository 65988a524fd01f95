using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mets.Durable.Replay;

/// <summary>
/// An instance's history as a portable JSON document: export it from a running system, check it into
/// a test suite, and replay it against changed orchestrator code (see <see cref="OrchestrationReplayer"/>).
/// </summary>
public sealed record ExportedHistory(string InstanceId, string Name, IReadOnlyList<StoredEvent> Events)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public string? ParentInstanceId { get; init; }

    /// <summary>Exports an instance's stored history from the embedded engine behind <paramref name="client"/>.</summary>
    public static async Task<ExportedHistory> ExportAsync(DurableTaskClient client, string instanceId, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var hub = (client as Engine.EmbeddedDurableTaskClient)?.Hub
            ?? throw new NotSupportedException("History export reads the embedded engine's store: pass the client UseEmbeddedEngine() registered.");
        await hub.EnsureInitializedAsync(cancellation).ConfigureAwait(false);
        var instance = await hub.Store.GetInstanceAsync(instanceId, cancellation).ConfigureAwait(false)
            ?? throw new ArgumentException($"An orchestration with the instanceId {instanceId} was not found.", nameof(instanceId));
        var events = await hub.Store.GetHistoryAsync(instanceId, cancellation).ConfigureAwait(false);
        return new ExportedHistory(instanceId, instance.Name, events) { ParentInstanceId = instance.ParentInstanceId };
    }

    public static ExportedHistory FromJson(string json) =>
        JsonSerializer.Deserialize<ExportedHistory>(json, Json) ?? throw new InvalidDataException("The exported history is empty.");

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
