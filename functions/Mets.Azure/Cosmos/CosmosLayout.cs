using System.Collections.ObjectModel;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Cosmos;

/// <summary>
/// One container of the METS database: name, partition key path and the paths its queries need indexed. Every
/// query also filters on the partition key path in its text (the test server ignores the PartitionKey request
/// option), so that path is indexed too wherever a container is queried.
/// </summary>
public sealed record CosmosContainerLayout(string Name, string PartitionKeyPath, IReadOnlyList<string> IndexedPaths)
{
    /// <summary>The container's properties: only the listed paths are indexed (writes stay cheap).</summary>
    public ContainerProperties ToProperties()
    {
        var properties = new ContainerProperties(Name, PartitionKeyPath)
        {
            IndexingPolicy = new IndexingPolicy { Automatic = true, IndexingMode = IndexingMode.Consistent },
        };
        properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = "/*" });
        foreach (var path in IndexedPaths)
        {
            properties.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = path });
        }

        return properties;
    }
}

/// <summary>
/// The containers of docs/cosmos.md, in one place: the adapters use the names, tests and the local host create
/// them when told to, and the infra tests compare the Bicep template with this list.
/// </summary>
public static class CosmosLayout
{
    public static CosmosContainerLayout Cases { get; } = new("cases", "/engagementId", ["/engagementId/?", "/kind/?"]);

    public static CosmosContainerLayout Referrals { get; } = new("referrals", "/referralId", []);

    public static CosmosContainerLayout Members { get; } = new("members", "/memberId", []);

    public static CosmosContainerLayout WorkQueue { get; } = new("work-queue", "/queue", ["/queue/?", "/assignedClinician/?"]);

    public static CosmosContainerLayout Claims { get; } = new("claims", "/memberId", ["/memberId/?", "/kind/?", "/fileHash/?"]);

    public static CosmosContainerLayout ClaimIndex { get; } = new("claim-index", "/claimId", []);

    public static CosmosContainerLayout ClaimsFiles { get; } = new("claims-files", "/contentHash", ["/contentHash/?", "/kind/?"]);

    public static CosmosContainerLayout SentEmails { get; } = new("sent-emails", "/id", []);

    public static ReadOnlyCollection<CosmosContainerLayout> All { get; } =
        new([Cases, Referrals, Members, WorkQueue, Claims, ClaimIndex, ClaimsFiles, SentEmails]);

    /// <summary>Creates the database and every container when missing (tests and the local host only).</summary>
    public static async Task<Database> CreateIfNotExistsAsync(CosmosClient client, string database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var created = (await client.CreateDatabaseIfNotExistsAsync(database, cancellationToken: cancellationToken).ConfigureAwait(false)).Database;
        foreach (var container in All)
        {
            await created.CreateContainerIfNotExistsAsync(container.ToProperties(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return created;
    }
}
