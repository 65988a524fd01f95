using System.ComponentModel.DataAnnotations;

namespace Mets.Azure.ClaimsStorage;

/// <summary>
/// The Blob Storage claims inbox, bound from <see cref="SectionName"/>. The inbox runs only when the
/// section is present; then exactly one of <see cref="ConnectionString"/> (Azurite, shared key) and
/// <see cref="ServiceUri"/> (managed identity through DefaultAzureCredential) is required.
/// </summary>
public sealed class ClaimsStorageOptions : IValidatableObject
{
    public const string SectionName = "ClaimsStorage";

    /// <summary>A storage connection string (a secret: never logged).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service address, e.g. https://account.blob.core.windows.net, used with DefaultAzureCredential.</summary>
    public string? ServiceUri { get; set; }

    /// <summary>The container: claims files are dropped at its root; handled ones move under processed/ or quarantine/.</summary>
    [Required(ErrorMessage = SectionName + ":Container is required.")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = SectionName + ":Container must be a valid container name (3-63 lower-case letters, digits and single hyphens).")]
    public string Container { get; set; } = "claims-inbox";

    /// <summary>How often the container is listed for new files.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = SectionName + ":PollInterval must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        var hasServiceUri = !string.IsNullOrWhiteSpace(ServiceUri);
        if (hasConnectionString == hasServiceUri)
        {
            yield return new ValidationResult(
                SectionName + ": set exactly one of ConnectionString (e.g. Azurite) and ServiceUri (managed identity).",
                [nameof(ConnectionString), nameof(ServiceUri)]);
        }
        else if (hasServiceUri && (!Uri.TryCreate(ServiceUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult(SectionName + ":ServiceUri must be an absolute http(s) address.", [nameof(ServiceUri)]);
        }
    }
}
