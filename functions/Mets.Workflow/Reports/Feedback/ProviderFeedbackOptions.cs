using System.ComponentModel.DataAnnotations;

namespace Mets.Workflow.Reports.Feedback;

/// <summary>The provider feedback emails and their scorecard links (section <see cref="SectionName"/>; docs/outcomes.md).</summary>
public sealed class ProviderFeedbackOptions : IValidatableObject
{
    public const string SectionName = "Mets:ProviderFeedback";

    /// <summary>Whether the feedback run sends emails (the scorecard routes work either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The scorecard page providers open, e.g. <c>https://mets.example.org/api/provider-feedback</c>; the token is
    /// appended as a path segment. Empty: the provider links' base URL with <c>provider-feedback</c> in place of its
    /// last segment (<c>.../api/provider-responses</c> becomes <c>.../api/provider-feedback</c>).
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>How long a scorecard link stays valid (default 45 days: past the next monthly email).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00", ErrorMessage = SectionName + ":LinkLifetime must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(45);

    /// <summary>The scorecard a feedback email links to covers the engagements started in this many whole months before the month the email is sent in.</summary>
    [Range(1, 36, ErrorMessage = SectionName + ":PeriodMonths must be between {1} and {2}.")]
    public int PeriodMonths { get; set; } = 12;

    /// <summary>
    /// How often the local host runs the feedback (it sends each provider one email per month whatever this is: the
    /// idempotency key names the month). The function app runs it on its timer's schedule instead
    /// (<c>Mets:ProviderFeedback:Schedule</c>, NCRONTAB, monthly on the 1st at 06:00 UTC in infra).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "31.00:00:00", ErrorMessage = SectionName + ":Interval must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)
            && (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult($"{SectionName}:BaseUrl must be an absolute http(s) URL or empty.", [nameof(BaseUrl)]);
        }
    }
}
