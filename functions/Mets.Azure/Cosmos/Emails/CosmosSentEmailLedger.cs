using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mets.Azure.Emails;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Cosmos.Emails;

/// <summary>
/// The SendGrid sent-key ledger in the <c>sent-emails</c> container: one item per accepted idempotency key,
/// id and partition key = the SHA-256 of the key (no address, no body, no key text). A point read answers
/// "was it sent"; recording is a create, and a 409 means another instance recorded it first.
/// </summary>
public sealed class CosmosSentEmailLedger(Container container) : ISentEmailLedger
{
    public async Task<bool> WasSentAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        var id = ItemId(idempotencyKey);
        try
        {
            await container.ReadItemAsync<SentEmail>(id, new PartitionKey(id), cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task RecordSentAsync(string idempotencyKey, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        var id = ItemId(idempotencyKey);
        try
        {
            await container.CreateItemAsync(new SentEmail(id, sentAt), new PartitionKey(id), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // recorded already (a retry, or another instance): one record per key
        }
    }

    /// <summary>The item id (and partition key) of an idempotency key: lowercase hex SHA-256.</summary>
    public static string ItemId(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));
    }

    /// <summary>What is stored: the hashed key and when SendGrid accepted the email.</summary>
    public sealed record SentEmail(string Id, DateTimeOffset SentAt);
}
