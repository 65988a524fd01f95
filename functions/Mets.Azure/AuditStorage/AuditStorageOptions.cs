using System.ComponentModel.DataAnnotations;
using Mets.Azure.Storage;

namespace Mets.Azure.AuditStorage;

/// <summary>
/// The blob container the timeline anchors are written to (docs/reliability.md, "Tamper-evident audit"), bound from
/// <see cref="SectionName"/>; used only when the section is present, and then exactly one of
/// <see cref="ConnectionString"/> (Azurite, shared key) and <see cref="ServiceUri"/> (managed identity through
/// DefaultAzureCredential) is required. On Azure the container is deployed under a time-based retention (WORM) policy
/// (infra/modules/storage.bicep): the app can add anchors, nobody can change or delete one until it expires.
/// </summary>
public sealed class AuditStorageOptions : IValidatableObject
{
    public const string SectionName = "AuditStorage";

    /// <summary>A storage connection string (a secret: never logged).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service address, e.g. https://account.blob.core.windows.net, used with DefaultAzureCredential.</summary>
    public string? ServiceUri { get; set; }

    /// <summary>The client id of the user-assigned managed identity to reach <see cref="ServiceUri"/> with. Empty: DefaultAzureCredential's own choice.</summary>
    public string? ClientId { get; set; }

    /// <summary>The anchors' container: one blob per anchor, <c>{engagement id}/{entry count, 8 digits}.anchor</c>.</summary>
    [Required(ErrorMessage = SectionName + ":Container is required.")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = SectionName + ":Container must be a valid container name (3-63 lower-case letters, digits and single hyphens).")]
    public string Container { get; set; } = "audit-anchors";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        BlobServiceConnection.Validate(SectionName, ConnectionString, ServiceUri);
}
