using Mets.Claims.Ingestion;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>What happened to an uploaded claims file: the ingest result and what its triggers became.</summary>
public sealed record ClaimsFileProcessingResult(ClaimsFileResult File, ClaimsRoutingSummary Routing);

/// <summary>
/// The one entry point for a claims file, whoever received it (HTTP upload, inbox folder, blob
/// trigger): ingest it (idempotent by content hash; quarantined whole when broken), then route its
/// triggers into referrals and engagement events (idempotent by trigger id).
/// </summary>
public sealed class ClaimsFileProcessor(ClaimsFileIngestor ingestor, ClaimsTriggerRouter router)
{
    public async Task<ClaimsFileProcessingResult> ProcessAsync(string fileName, Stream content, CancellationToken cancellationToken)
    {
        var file = await ingestor.IngestAsync(fileName, content, cancellationToken);
        var routing = file.Outcome == ClaimsFileOutcome.Quarantined
            ? new ClaimsRoutingSummary(0, 0, 0, 0, 0)
            : await router.RouteAsync(file.Triggers, cancellationToken);
        return new ClaimsFileProcessingResult(file, routing);
    }
}
