using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Workflow.Application;

/// <summary>What intake did with a referral (HTTP: Created/AlreadySubmitted/Attached -> 202, Invalid -> 400, Conflict -> 409).</summary>
public enum SubmitReferralOutcome
{
    /// <summary>A new engagement was created (case document written, orchestration scheduled).</summary>
    Created,

    /// <summary>The same referral was submitted before: the same engagement.</summary>
    AlreadySubmitted,

    /// <summary>The member has an open engagement: the referral joined it.</summary>
    AttachedToOpenEngagement,

    /// <summary>The referral failed validation (see <see cref="SubmitReferralResult.Errors"/>).</summary>
    Invalid,

    /// <summary>The referral id was used before for a different referral.</summary>
    Conflict,
}

public sealed record SubmitReferralResult(SubmitReferralOutcome Outcome, EngagementId? EngagementId, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Outcome is SubmitReferralOutcome.Created or SubmitReferralOutcome.AlreadySubmitted or SubmitReferralOutcome.AttachedToOpenEngagement;
}

/// <summary>The answer to a step command (HTTP: Accepted -> 202, NotFound -> 404, Conflict -> 409, Invalid -> 400, Forbidden -> 403).</summary>
public enum CommandStatus
{
    Accepted,
    NotFound,
    Conflict,
    Invalid,

    /// <summary>A provider link was altered, unknown or expired.</summary>
    Forbidden,
}

/// <param name="Status">The outcome.</param>
/// <param name="Reason">A code: for conflicts the <see cref="EventFit"/> (NotExpectedNow, Stale, Duplicate, EngagementClosed, OtherEngagement) or AlreadyResponded; for Forbidden LinkInvalid / LinkExpired; for NotFound EngagementNotFound / OutreachNotFound / NoOpenEngagement.</param>
/// <param name="Message">A sentence for people; ids and codes only.</param>
/// <param name="Errors">Validation errors, each naming its field.</param>
public sealed record CommandResult(CommandStatus Status, string Reason, string Message, IReadOnlyList<string> Errors)
{
    /// <summary>
    /// When the step was answered before: the recorded answer's code (a provider response's name, a decision), set on
    /// the same command repeated (Accepted) and on a different one refused (Conflict).
    /// </summary>
    public string? Recorded { get; init; }

    public static CommandResult Accepted(string message) => new(CommandStatus.Accepted, "Accepted", message, []);

    public static CommandResult NotFound(string reason, string message) => new(CommandStatus.NotFound, reason, message, []);

    public static CommandResult Conflict(string reason, string message) => new(CommandStatus.Conflict, reason, message, []);

    public static CommandResult Invalid(IReadOnlyList<string> errors) => new(CommandStatus.Invalid, "Invalid", "The request is not valid.", errors);

    public static CommandResult Forbidden(string reason, string message) => new(CommandStatus.Forbidden, reason, message, []);
}

/// <summary>
/// What a provider sees behind a valid signed link: the minimum needed to respond, and nothing clinical once the request
/// no longer takes a response.
/// </summary>
/// <param name="RecordedResponse">The provider's response when one was recorded (the link answers once).</param>
/// <param name="Request">
/// What the request is about, only while it takes a response; null once the provider has answered, the outreach ended
/// or the engagement closed, so a link opened again (forwarded, replayed, found in a mailbox later) shows no clinical
/// codes.
/// </param>
public sealed record ProviderRequestView(
    OutreachId OutreachId,
    ProviderRole Role,
    ProviderOutreachStatus Status,
    ProviderResponse? RecordedResponse,
    ProviderRequestDetails? Request,
    DateTimeOffset LinkExpiresAt)
{
    /// <summary>Whether the provider can still answer (the page shows the request and the form).</summary>
    public bool TakesResponse => Request is not null;
}

/// <summary>The clinical part of a provider request, shown only while the request takes a response.</summary>
/// <param name="DiagnosisCodes">ICD-10-CM codes from the referrals; substance-use codes (F10-F19) only under a consent covering this provider (42 CFR Part 2).</param>
/// <param name="SubstanceUseInformationWithheld">Some substance-use information was left out: no consent covers this provider now.</param>
/// <param name="OpenCareGaps">Open care-gap measures; substance-use measures (FUA, IET) only under a consent covering this provider.</param>
/// <param name="Disclosures">The consents substance-use content was shown under, each with its scope: the page shows them with the 42 CFR 2.32 notice.</param>
/// <param name="WithheldBecause">Why substance-use information was left out (no consent, not a recipient, expired, revoked, ...).</param>
public sealed record ProviderRequestDetails(
    IReadOnlyList<ReferralReason> ReferralReasons,
    IReadOnlyList<string> DiagnosisCodes,
    bool SubstanceUseInformationWithheld,
    IReadOnlyList<string> OpenCareGaps,
    IReadOnlyList<Mets.Domain.Consent.ConsentDisclosure> Disclosures,
    Mets.Domain.Consent.ConsentCoverage? WithheldBecause);

public sealed record ProviderRequestResult(CommandResult Result, ProviderRequestView? View);

/// <summary>One line of a work queue.</summary>
public sealed record WorkQueueItem(EngagementId EngagementId, StepReference Step, DateTimeOffset? DueAt, StaffId? Owner, StaffId? Clinician, WorkQueueBucket Bucket);

/// <summary>A review as the clinician submits it.</summary>
/// <param name="ReviewNumber">The review this answers (the case's current review, e.g. 2 for Review#2).</param>
/// <param name="Rescreen">New instrument scores, if the member was re-screened (used for the new risk tier).</param>
/// <param name="CloseWith">Set to close the engagement with this review (e.g. goals met).</param>
/// <param name="GoalProgress">Progress on the care plan's goals: required for every agreed or in-progress goal.</param>
public sealed record ReviewSubmission(
    int ReviewNumber,
    Mets.Domain.Assessments.AssessmentScores? Rescreen,
    Mets.Domain.Closure.ClosureReason? CloseWith,
    StaffId ReviewedBy,
    IReadOnlyList<Mets.Workflow.CarePlans.GoalProgressSubmission>? GoalProgress = null);
