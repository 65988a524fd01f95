using Mets.Domain.Consent;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Application;
using Mets.Workflow.CarePlans;
using Mets.Workflow.Cases;

namespace Mets.Workflow.Consent;

/// <summary>A 42 CFR Part 2 consent as the clinician records it from the signed form.</summary>
/// <param name="Id">The consent's id (<c>C1</c>, ...); send it to make a retried submission safe (left out: the next id).</param>
public sealed record ConsentSubmission(
    string? Id,
    ConsentRecipients Recipients,
    IReadOnlyList<DisclosurePurpose> Purposes,
    IReadOnlyList<SubstanceUseInformation> Information,
    DateOnly? ExpiresOn,
    ConsentExpiryEvent? ExpiresAtEvent,
    ConsentSigner SignedBy,
    DateOnly SignedOn);

/// <summary>
/// Records and revokes the member's 42 CFR Part 2 consents on the engagement (<see cref="SubstanceUseConsent"/>): each a
/// timeline entry through the <see cref="CaseEditor"/>. What a consent allows is decided in one place,
/// <see cref="SubstanceUseDisclosure.Decide"/>.
/// </summary>
public sealed class ConsentService(CaseEditor editor, TimeProvider time)
{
    /// <summary>The reason code of an id (consent, goal, barrier, ...) already used on the engagement for something else.</summary>
    public const string IdInUse = nameof(IdInUse);

    /// <summary>Records a signed consent; the same consent again (same id and content) is accepted once.</summary>
    public async Task<(CommandResult Result, string? ConsentId)> RecordConsentAsync(EngagementId id, ConsentSubmission submission, Actor recordedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(recordedBy);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (submission.Id is not null && !SubstanceUseConsent.IsConsentId(submission.Id))
        {
            return (CommandResult.Invalid(["Id must be C followed by 1 to 4 digits (C1, C2, ...)."]), null);
        }

        var errors = Draft(submission, "C1", default, now, recordedBy).Validate(today); // the member comes from the case
        if (errors.Count > 0)
        {
            return (CommandResult.Invalid(errors), null);
        }

        string? consentId = null;
        var result = await editor.ApplyAsync(id, $"consent:{Guid.NewGuid():N}", current =>
        {
            if (current.Status == EngagementStatus.Closed)
            {
                return CaseEdit.Refuse(CaseEditor.Closed(id));
            }

            consentId = submission.Id ?? $"C{current.SubstanceUseConsents.Count + 1}";
            var consent = Draft(submission, consentId, current.MemberId, now, recordedBy);
            if (current.SubstanceUseConsents.FirstOrDefault(c => c.Id == consentId) is { } existing)
            {
                return SameContent(existing, consent)
                    ? CaseEdit.Unchanged
                    : CaseEdit.Refuse(CommandResult.Conflict(IdInUse, $"Engagement {id} has a different consent {consentId}."));
            }

            return CaseEdit.Change(current.RecordConsent(consent, now));
        }, cancellationToken);
        return (result.Result, result.Result.Status == CommandStatus.Accepted ? consentId ?? submission.Id : null);
    }

    /// <summary>Records the member's written revocation of consent <paramref name="consentId"/>, effective now, going forward.</summary>
    public async Task<CommandResult> RevokeConsentAsync(EngagementId id, string consentId, DateOnly revokedOn, Actor recordedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recordedBy);
        var now = time.GetUtcNow();
        if (revokedOn > DateOnly.FromDateTime(now.UtcDateTime))
        {
            return CommandResult.Invalid(["RevokedOn must not be in the future."]);
        }

        var result = await editor.ApplyAsync(id, $"consent-revocation:{consentId}", current =>
        {
            var consent = current.SubstanceUseConsents.FirstOrDefault(c => c.Id == consentId);
            if (consent is null)
            {
                return CaseEdit.Refuse(CommandResult.NotFound(ConsentNotFound, $"Engagement {id} has no consent {consentId}."));
            }

            if (revokedOn < consent.SignedOn)
            {
                return CaseEdit.Refuse(CommandResult.Invalid(["RevokedOn must not be before the consent was signed."]));
            }

            return consent.Revocation is null ? CaseEdit.Change(current.RevokeConsent(consentId, revokedOn, recordedBy, now)) : CaseEdit.Unchanged;
        }, cancellationToken);
        return result.Result;
    }

    /// <summary>The reason code of a revocation of a consent the engagement does not have.</summary>
    public const string ConsentNotFound = nameof(ConsentNotFound);

    private static SubstanceUseConsent Draft(ConsentSubmission s, string consentId, MemberId member, DateTimeOffset now, Actor by) => new(
        consentId, member, s.Recipients, s.Purposes ?? [], s.Information ?? [], s.ExpiresOn, s.ExpiresAtEvent, s.SignedBy, s.SignedOn, now, by);

    private static bool SameContent(SubstanceUseConsent a, SubstanceUseConsent b) =>
        a.Recipients.Class == b.Recipients.Class && a.Recipients.Named.SequenceEqual(b.Recipients.Named)
        && a.Purposes.SequenceEqual(b.Purposes) && a.Information.SequenceEqual(b.Information)
        && a.ExpiresOn == b.ExpiresOn && a.ExpiresAtEvent == b.ExpiresAtEvent && a.SignedBy == b.SignedBy && a.SignedOn == b.SignedOn;
}
