using System.ComponentModel.DataAnnotations;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Mets.Azure.Storage;

/// <summary>
/// How an adapter reaches a blob service (the claims containers, the audit anchors' container): exactly one of a
/// connection string (Azurite, shared key) and a service address used with DefaultAzureCredential (on Azure, the
/// user-assigned identity named by its client id).
/// </summary>
internal static class BlobServiceConnection
{
    /// <summary>The client for the configured connection.</summary>
    public static BlobServiceClient Create(string? connectionString, string? serviceUri, string? clientId) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? new BlobServiceClient(new Uri(serviceUri!), new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
            }))
            : new BlobServiceClient(connectionString);

    /// <summary>The problems of the connection settings of <paramref name="section"/>, each naming its setting.</summary>
    public static IEnumerable<ValidationResult> Validate(string section, string? connectionString, string? serviceUri)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        var hasServiceUri = !string.IsNullOrWhiteSpace(serviceUri);
        if (hasConnectionString == hasServiceUri)
        {
            yield return new ValidationResult(
                section + ": set exactly one of ConnectionString (e.g. Azurite) and ServiceUri (managed identity).",
                ["ConnectionString", "ServiceUri"]);
        }
        else if (hasServiceUri && (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult(section + ":ServiceUri must be an absolute http(s) address.", ["ServiceUri"]);
        }
    }

    /// <summary>
    /// Creates the containers that do not exist yet (infra provisions them on Azure, where an identity allowed to read
    /// and write blobs but not to create containers gets 403: then they are taken as provisioned).
    /// </summary>
    public static async Task EnsureCreatedAsync(IEnumerable<BlobContainerClient> containers, CancellationToken cancellationToken)
    {
        foreach (var container in containers)
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 403)
            {
                // provisioned by infra; this identity may not create containers
            }
        }
    }
}
