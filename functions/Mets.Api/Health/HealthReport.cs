namespace Mets.Api.Health;

/// <summary>What GET /health answers: the running version and which adapters back each port.</summary>
public sealed record HealthReport(string Status, string Version, string Host, IReadOnlyDictionary<string, string> Stores);
