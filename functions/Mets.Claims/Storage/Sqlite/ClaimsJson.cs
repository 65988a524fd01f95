using System.Text.Json;
using System.Text.Json.Serialization;
using Mets.Claims.Analytics;

namespace Mets.Claims.Storage.Sqlite;

/// <summary>JSON shapes of the documents the SQLite store keeps (claims, gaps, triggers, reports).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General)]
[JsonSerializable(typeof(Claim))]
[JsonSerializable(typeof(CareGap))]
[JsonSerializable(typeof(ClaimsTrigger))]
[JsonSerializable(typeof(List<RejectEntry>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ClaimsJson : JsonSerializerContext;
