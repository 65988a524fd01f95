using System.Text.Json;
using System.Text.Json.Serialization;
using Mets.Claims.Analytics;

namespace Mets.Claims.Storage.Sqlite;

/// <summary>JSON shapes of the small documents the SQLite store keeps (gaps, triggers). Claims use
/// <see cref="ClaimBinaryCodec"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CareGap))]
[JsonSerializable(typeof(ClaimsTrigger))]
[JsonSerializable(typeof(List<RejectEntry>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ClaimsJson : JsonSerializerContext;
