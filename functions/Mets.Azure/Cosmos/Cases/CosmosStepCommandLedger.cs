using System.Net;
using Mets.Domain.Identifiers;
using Mets.Workflow.Cases;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Cosmos.Cases;

/// <summary>
/// The step-command ledger in the <c>cases</c> container, in the engagement's partition: one item per answered step,
/// id <c>step-command|{key}</c>. A claim is a create; a 409 means another answer got there first, and a point read
/// says which. Releasing deletes only the unraised claim it made (If-Match on the ETag it read).
/// </summary>
public sealed class CosmosStepCommandLedger(Container cases) : IStepCommandLedger
{
    internal const string Kind = "step-command";

    public async Task<StepCommandClaim> ClaimAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var partition = new PartitionKey(engagement.Value);
        for (var round = 0; round < 8; round++)
        {
            try
            {
                await cases.CreateItemAsync(StepCommandItem.Of(engagement, command), partition, new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
                return new StepCommandClaim(StepCommandClaimOutcome.Claimed, command);
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                var existing = await ReadAsync(engagement, command.Key, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    var recorded = existing.Value.Item.ToCommand();
                    return new StepCommandClaim(
                        recorded.Fingerprint == command.Fingerprint ? StepCommandClaimOutcome.SameCommand : StepCommandClaimOutcome.OtherCommand, recorded);
                }

                // released between the create and the read: the step is open again
            }
        }

        throw new InvalidOperationException($"The answer to step {command.Key} of engagement {engagement} kept changing; try again.");
    }

    public async Task MarkRaisedAsync(EngagementId engagement, string key, CancellationToken cancellationToken = default)
    {
        var existing = await ReadAsync(engagement, key, cancellationToken).ConfigureAwait(false);
        if (existing is { Item.Raised: false } found)
        {
            await cases.ReplaceItemAsync(found.Item with { Raised = true }, found.Item.Id, new PartitionKey(engagement.Value),
                new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ReleaseAsync(EngagementId engagement, StepCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var existing = await ReadAsync(engagement, command.Key, cancellationToken).ConfigureAwait(false);
        if (existing is not { Item.Raised: false } found || found.Item.Fingerprint != command.Fingerprint)
        {
            return;
        }

        try
        {
            await cases.DeleteItemAsync<StepCommandItem>(found.Item.Id, new PartitionKey(engagement.Value),
                new ItemRequestOptions { IfMatchEtag = found.ETag, EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            // gone already, or raised meanwhile by a repeat of the same command: nothing to release
        }
    }

    private async Task<(StepCommandItem Item, string ETag)?> ReadAsync(EngagementId engagement, string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await cases.ReadItemAsync<StepCommandItem>(StepCommandItem.IdOf(key), new PartitionKey(engagement.Value), cancellationToken: cancellationToken).ConfigureAwait(false);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary><c>cases/{engagementId}/step-command|{key}</c>: keys, fingerprint and the recorded code; no member data.</summary>
    internal sealed record StepCommandItem(string Id, string EngagementId, string Kind, string Key, string Fingerprint, string Recorded, bool Raised, DateTimeOffset ClaimedAt)
    {
        public static string IdOf(string key) => "step-command|" + key;

        public static StepCommandItem Of(EngagementId engagement, StepCommand command) =>
            new(IdOf(command.Key), engagement.Value, CosmosStepCommandLedger.Kind, command.Key, command.Fingerprint, command.Recorded, false, command.ClaimedAt);

        public StepCommand ToCommand() => new(Key, Fingerprint, Recorded, Raised, ClaimedAt);
    }
}
