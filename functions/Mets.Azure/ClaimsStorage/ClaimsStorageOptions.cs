using System.ComponentModel.DataAnnotations;
using Mets.Azure.Storage;

namespace Mets.Azure.ClaimsStorage;

/// <summary>
/// The Blob Storage claims inbox, bound from <see cref="SectionName"/>. The inbox runs only when the
/// section is present; then exactly one of <see cref="ConnectionString"/> (Azurite, shared key) and
/// <see cref="ServiceUri"/> (managed identity through DefaultAzureCredential) is required. Inbox, processed
/// and quarantine are three separate containers of one account, so moving a file or writing its report never
/// lands in the inbox (where a blob trigger would see it as a new file).
/// </summary>
public sealed class ClaimsStorageOptions : IValidatableObject
{
    public const string SectionName = "ClaimsStorage";

    /// <summary>A storage connection string (a secret: never logged).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service address, e.g. https://account.blob.core.windows.net, used with DefaultAzureCredential.</summary>
    public string? ServiceUri { get; set; }

    /// <summary>
    /// The client id of the user-assigned managed identity to reach <see cref="ServiceUri"/> with. The setting's name,
    /// <c>ClaimsStorage__clientId</c>, is also the one the Functions host reads for the blob trigger's identity-based
    /// connection <c>ClaimsStorage</c>, so one setting serves both. Empty: DefaultAzureCredential's own choice.
    /// </summary>
    public string? ClientId { get; set; }

    private const string ContainerName = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";

    /// <summary>The inbox container: every blob in it is a claims file to process.</summary>
    [Required(ErrorMessage = SectionName + ":Container is required.")]
    [RegularExpression(ContainerName, ErrorMessage = SectionName + ":Container must be a valid container name (3-63 lower-case letters, digits and single hyphens).")]
    public string Container { get; set; } = "claims-inbox";

    /// <summary>Where processed files (and duplicates) move, under their inbox name.</summary>
    [Required(ErrorMessage = SectionName + ":ProcessedContainer is required.")]
    [RegularExpression(ContainerName, ErrorMessage = SectionName + ":ProcessedContainer must be a valid container name (3-63 lower-case letters, digits and single hyphens).")]
    public string ProcessedContainer { get; set; } = "claims-processed";

    /// <summary>Where files refused whole (or whose processing failed) move, each with <c>{name}.report.json</c> beside it.</summary>
    [Required(ErrorMessage = SectionName + ":QuarantineContainer is required.")]
    [RegularExpression(ContainerName, ErrorMessage = SectionName + ":QuarantineContainer must be a valid container name (3-63 lower-case letters, digits and single hyphens).")]
    public string QuarantineContainer { get; set; } = "claims-quarantine";

    /// <summary>How often the container is listed for new files.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = SectionName + ":PollInterval must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.Equals(Container, ProcessedContainer, StringComparison.Ordinal)
            || string.Equals(Container, QuarantineContainer, StringComparison.Ordinal)
            || string.Equals(ProcessedContainer, QuarantineContainer, StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                SectionName + ": Container, ProcessedContainer and QuarantineContainer must be three different containers (a file moved into the inbox container would be taken in again).",
                [nameof(Container), nameof(ProcessedContainer), nameof(QuarantineContainer)]);
        }

        foreach (var problem in BlobServiceConnection.Validate(SectionName, ConnectionString, ServiceUri))
        {
            yield return problem;
        }
    }
}
