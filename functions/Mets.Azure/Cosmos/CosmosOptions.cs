using System.ComponentModel.DataAnnotations;

namespace Mets.Azure.Cosmos;

/// <summary>
/// Where the Cosmos DB (NoSQL API) stores live (section <see cref="SectionName"/>). On Azure: the endpoint and
/// the user-assigned managed identity's client id (never a key). Tests and the local host against the test
/// server: a key, the test server's certificate accepted, containers created. See docs/cosmos.md.
/// </summary>
public sealed class CosmosOptions : IValidatableObject
{
    public const string SectionName = "Cosmos";

    /// <summary>The account endpoint, e.g. <c>https://mets-abc.documents.azure.com:443/</c>.</summary>
    [Required(ErrorMessage = "Cosmos:Endpoint is required (the account's https endpoint).")]
    public Uri? Endpoint { get; set; }

    [Required(ErrorMessage = "Cosmos:Database is required.")]
    [RegularExpression("^[A-Za-z0-9-]{1,64}$", ErrorMessage = "Cosmos:Database must be 1-64 letters, digits or '-'.")]
    public string Database { get; set; } = "mets";

    /// <summary>The client id of the user-assigned managed identity (DefaultAzureCredential otherwise picks the system one).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>An account key: for tests and the local host against the test server only (Azure disables keys).</summary>
    public string? Key { get; set; }

    /// <summary>
    /// The endpoint is the @vercel/cosmosdb-server test server (tests, the local host): accept its self-signed
    /// certificate and read its 500 for a missing item as the 404 Cosmos DB gives (<see cref="TestServerAnswers"/>).
    /// Never on Azure.
    /// </summary>
    public bool TestServer { get; set; }

    /// <summary>Create the database and containers when missing: tests and the local host only (data-plane roles cannot).</summary>
    public bool CreateIfNotExists { get; set; }

    /// <summary>How long the first call (start-up check) may take before start-up fails naming the endpoint.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Cosmos:StartupTimeout must be between 00:00:01 and 00:05:00.")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Writes in flight at once during claims ingest (429s are retried by the SDK).</summary>
    [Range(1, 64, ErrorMessage = "Cosmos:MaxConcurrentWrites must be between 1 and 64.")]
    public int MaxConcurrentWrites { get; set; } = 8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Cosmos:Endpoint must be an absolute https URI.", [nameof(Endpoint)]);
        }

        if (!string.IsNullOrWhiteSpace(Key) && !string.IsNullOrWhiteSpace(ManagedIdentityClientId))
        {
            yield return new ValidationResult("Set either Cosmos:Key (tests, local) or Cosmos:ManagedIdentityClientId (Azure), not both.", [nameof(Key)]);
        }
    }
}
