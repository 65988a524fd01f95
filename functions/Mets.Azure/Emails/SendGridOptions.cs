using System.ComponentModel.DataAnnotations;

namespace Mets.Azure.Emails;

/// <summary>
/// SendGrid mailer settings, bound from <see cref="SectionName"/>. The mailer is used only when the
/// section is present; then <see cref="ApiKey"/> is required (validated on start).
/// </summary>
public sealed class SendGridOptions : IValidatableObject
{
    public const string SectionName = "SendGrid";

    /// <summary>The SendGrid API key (a secret: never logged, never in exception messages).</summary>
    [Required(ErrorMessage = SectionName + ":ApiKey is required when the SendGrid section is configured.")]
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The sender address; when empty, Mets:Workflow:MailFrom is used.</summary>
    [EmailAddress(ErrorMessage = SectionName + ":FromAddress must be an email address.")]
    public string? FromAddress { get; set; }

    /// <summary>The API's base address; empty means SendGrid's own. Set for tests and emulators.</summary>
    public string? Host { get; set; }

    /// <summary>The SQLite database recording sent idempotency keys; empty means <c>sendgrid-sent.db</c> in Mets:Workflow:DataFolder.</summary>
    public string? SentDatabasePath { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Host)
            && (!Uri.TryCreate(Host, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult(SectionName + ":Host must be an absolute http(s) address.", [nameof(Host)]);
        }
    }
}
