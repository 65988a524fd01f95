using System.ComponentModel.DataAnnotations;

namespace Mets.Domain.Policy;

/// <summary>
/// Every duration and count of the METS engagement, bound from configuration section
/// <see cref="SectionName"/> (durations as <c>d.hh:mm:ss</c>, e.g. <c>"7.00:00:00"</c>).
/// Validated by data annotations plus cross-setting rules (<see cref="IValidatableObject"/>), so
/// <c>ValidateDataAnnotations().ValidateOnStart()</c> fails the host on start with messages naming
/// each setting; <see cref="Validate()"/> returns the same messages without a host.
/// </summary>
public sealed class EngagementPolicy : IValidatableObject
{
    public const string SectionName = "Mets:Policy";
    private const string P = SectionName + ":";
    private const string Min = "00:00:01";
    private const string Max = "3650.00:00:00";
    private const string RangeMessage = P + "{0} must be between {1} and {2}.";

    /// <summary>Assessment due this long after the referral is received.</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan AssessmentDue { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Assessment due this long after an urgent referral or one with a safety concern.</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan UrgentAssessmentDue { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A reminder goes to whoever owes a step this long before its due date (at once if that moment has passed).</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ReminderLead { get; set; } = TimeSpan.FromDays(2);

    /// <summary>An overdue step escalates to the supervisor this long after its due date (zero = at the due date).</summary>
    [Range(typeof(TimeSpan), "00:00:00", Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan SupervisorEscalationDelay { get; set; } = TimeSpan.Zero;

    /// <summary>This many consecutive unsuccessful member contacts close the engagement as unable to reach.</summary>
    [Range(1, 100, ErrorMessage = RangeMessage)]
    public int UnsuccessfulContactsBeforeClosure { get; set; } = 3;

    /// <summary>Provider outreach reminders go out every this often after the first email...</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ProviderReminderInterval { get; set; } = TimeSpan.FromDays(3);

    /// <summary>...this many times (defaults: days 3, 6 and 9).</summary>
    [Range(0, 100, ErrorMessage = RangeMessage)]
    public int ProviderReminderCount { get; set; } = 3;

    /// <summary>A silent provider escalates to the medical director for a peer-to-peer review this long after the first email.</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ProviderEscalationAfter { get; set; } = TimeSpan.FromDays(12);

    /// <summary>After escalation, this long for a response or a recorded peer-to-peer outcome before outreach ends as "no response".</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PeerReviewWindow { get; set; } = TimeSpan.FromDays(14);

    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan HighRiskReviewInterval { get; set; } = TimeSpan.FromDays(14);

    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ModerateRiskReviewInterval { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan LowRiskReviewInterval { get; set; } = TimeSpan.FromDays(60);

    /// <summary>A BH inpatient discharge in claims wants a review within this long of the discharge...</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan DischargeFollowUp { get; set; } = TimeSpan.FromDays(7);

    /// <summary>...but never sooner than this from now (a late-arriving claim still gives the clinician time).</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MinimumReviewNotice { get; set; } = TimeSpan.FromDays(1);

    /// <summary>After this long from the start, the engagement goes to a closure review.</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MaximumDuration { get; set; } = TimeSpan.FromDays(180);

    /// <summary>A supervisor's extension runs this long from the decision.</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ClosureExtension { get; set; } = TimeSpan.FromDays(90);

    /// <summary>With no closure-review decision this long after it opens, the engagement closes as maximum duration reached.</summary>
    [Range(typeof(TimeSpan), Min, Max, ErrorMessage = RangeMessage, ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ClosureDecisionWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Every problem with this policy (attribute ranges and cross-setting rules), each naming its setting. Empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        var messages = results.Select(r => r.ErrorMessage ?? "Invalid METS policy setting.").ToList();

        // The validator skips IValidatableObject when an attribute failed; report the cross rules anyway.
        foreach (var cross in CrossSettingErrors())
        {
            if (!messages.Contains(cross.ErrorMessage!))
            {
                messages.Add(cross.ErrorMessage!);
            }
        }

        return messages;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every problem when the policy is invalid.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid METS policy: " + string.Join(" ", errors));
        }
    }

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) => CrossSettingErrors();

    private IEnumerable<ValidationResult> CrossSettingErrors()
    {
        if (UrgentAssessmentDue > AssessmentDue)
        {
            yield return Error($"{P}{nameof(UrgentAssessmentDue)} must not be longer than {P}{nameof(AssessmentDue)}.", nameof(UrgentAssessmentDue));
        }

        // The urgent assessment period is exempt: its reminder simply goes out at once.
        (string Name, TimeSpan Value)[] duePeriods =
        [
            (nameof(AssessmentDue), AssessmentDue),
            (nameof(HighRiskReviewInterval), HighRiskReviewInterval),
            (nameof(ModerateRiskReviewInterval), ModerateRiskReviewInterval),
            (nameof(LowRiskReviewInterval), LowRiskReviewInterval),
            (nameof(ClosureDecisionWindow), ClosureDecisionWindow),
        ];
        var shortest = duePeriods.MinBy(d => d.Value);
        if (ReminderLead >= shortest.Value)
        {
            yield return Error(
                $"{P}{nameof(ReminderLead)} must be shorter than the shortest due period ({P}{shortest.Name}).",
                nameof(ReminderLead));
        }

        if (HighRiskReviewInterval > ModerateRiskReviewInterval || ModerateRiskReviewInterval > LowRiskReviewInterval)
        {
            yield return Error(
                $"{P}{nameof(HighRiskReviewInterval)} <= {P}{nameof(ModerateRiskReviewInterval)} <= {P}{nameof(LowRiskReviewInterval)} is required (higher risk is reviewed at least as often).",
                nameof(ModerateRiskReviewInterval));
        }

        if (ProviderReminderInterval * ProviderReminderCount >= ProviderEscalationAfter)
        {
            yield return Error(
                $"{P}{nameof(ProviderReminderInterval)} x {P}{nameof(ProviderReminderCount)} must end before {P}{nameof(ProviderEscalationAfter)} (reminders come before the escalation).",
                nameof(ProviderEscalationAfter));
        }

        if (MaximumDuration <= AssessmentDue)
        {
            yield return Error($"{P}{nameof(MaximumDuration)} must be longer than {P}{nameof(AssessmentDue)}.", nameof(MaximumDuration));
        }
    }

    private static ValidationResult Error(string message, string member) => new(message, [member]);
}
