using System.Globalization;

namespace Mets.Local.Chaos;

/// <summary>
/// The METS policy in seconds that the chaos run gives the host (as <c>Mets__Policy__*</c> environment variables),
/// so reminders, escalations, provider reminders, the maximum duration and the closure-review deadline all come due
/// during the run. The checks compute the expected reminders from these same values.
/// </summary>
public static class ChaosPolicy
{
    public static readonly TimeSpan AssessmentDue = TimeSpan.FromSeconds(8);
    public static readonly TimeSpan ReminderLead = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan SupervisorEscalationDelay = TimeSpan.FromSeconds(2);
    public const int UnsuccessfulContactsBeforeClosure = 3;
    public static readonly TimeSpan ProviderReminderInterval = TimeSpan.FromSeconds(3);
    public const int ProviderReminderCount = 2;
    public static readonly TimeSpan ProviderEscalationAfter = TimeSpan.FromSeconds(8);
    public static readonly TimeSpan PeerReviewWindow = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan HighRiskReviewInterval = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan ModerateRiskReviewInterval = TimeSpan.FromSeconds(8);
    public static readonly TimeSpan LowRiskReviewInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaximumDuration = TimeSpan.FromSeconds(75);
    public static readonly TimeSpan ClosureExtension = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ClosureDecisionWindow = TimeSpan.FromSeconds(10);

    /// <summary>The host's settings for a chaos run: this policy, and no rate limit on the provider links (every provider answers from 127.0.0.1).</summary>
    public static IReadOnlyDictionary<string, string> HostSettings { get; } = new Dictionary<string, string>
    {
        ["Mets__Policy__AssessmentDue"] = Format(AssessmentDue),
        ["Mets__Policy__UrgentAssessmentDue"] = Format(AssessmentDue),
        ["Mets__Policy__ReminderLead"] = Format(ReminderLead),
        ["Mets__Policy__SupervisorEscalationDelay"] = Format(SupervisorEscalationDelay),
        ["Mets__Policy__UnsuccessfulContactsBeforeClosure"] = UnsuccessfulContactsBeforeClosure.ToString(CultureInfo.InvariantCulture),
        ["Mets__Policy__ProviderReminderInterval"] = Format(ProviderReminderInterval),
        ["Mets__Policy__ProviderReminderCount"] = ProviderReminderCount.ToString(CultureInfo.InvariantCulture),
        ["Mets__Policy__ProviderEscalationAfter"] = Format(ProviderEscalationAfter),
        ["Mets__Policy__PeerReviewWindow"] = Format(PeerReviewWindow),
        ["Mets__Policy__HighRiskReviewInterval"] = Format(HighRiskReviewInterval),
        ["Mets__Policy__ModerateRiskReviewInterval"] = Format(ModerateRiskReviewInterval),
        ["Mets__Policy__LowRiskReviewInterval"] = Format(LowRiskReviewInterval),
        ["Mets__Policy__DischargeFollowUp"] = Format(ModerateRiskReviewInterval),
        ["Mets__Policy__MinimumReviewNotice"] = Format(ReminderLead),
        ["Mets__Policy__MaximumDuration"] = Format(MaximumDuration),
        ["Mets__Policy__ClosureExtension"] = Format(ClosureExtension),
        ["Mets__Policy__ClosureDecisionWindow"] = Format(ClosureDecisionWindow),
        ["Mets__Api__ProviderLinkPermitLimit"] = "100000",
    };

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
