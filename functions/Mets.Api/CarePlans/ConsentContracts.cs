using Mets.Api.Problems;
using Mets.Domain.Consent;
using Mets.Domain.Identifiers;

namespace Mets.Api.CarePlans;

/// <summary>
/// <c>POST /api/engagements/{id}/consents</c>: the member's signed 42 CFR Part 2 consent (the elements of § 2.31).
/// </summary>
/// <param name="Recipients">Named providers by NPI, or a class (a single consent for treatment, payment and health care operations only).</param>
/// <param name="Purposes">treatment, payment, healthCareOperations.</param>
/// <param name="Information">What may be disclosed: diagnoses, claims, careGaps, carePlan.</param>
/// <param name="SignedBy">member or personalRepresentative.</param>
/// <param name="SignedOn">The date signed (not in the future).</param>
/// <param name="ExpiresOn">The expiration date; or</param>
/// <param name="ExpiresAtEvent">the expiration event: endOfEngagement, or none (TPO consents to a class only).</param>
/// <param name="ConsentId">C1, C2, ...: send it to make a retried submission safe (left out: the next id).</param>
public sealed record RecordConsentRequest(
    ConsentRecipientsBody Recipients,
    IReadOnlyList<DisclosurePurpose> Purposes,
    IReadOnlyList<SubstanceUseInformation> Information,
    ConsentSigner SignedBy,
    DateOnly SignedOn,
    DateOnly? ExpiresOn = null,
    ConsentExpiryEvent? ExpiresAtEvent = null,
    string? ConsentId = null);

/// <summary>The recipients of a consent: <c>npis</c> (named providers) or <c>class</c> (<c>treatingProviders</c>).</summary>
public sealed record ConsentRecipientsBody(IReadOnlyList<string>? Npis = null, RecipientClass? Class = null)
{
    /// <summary>The domain's recipients, or null with errors under <paramref name="path"/>.</summary>
    public ConsentRecipients? ToRecipients(FieldErrors errors, string path)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var named = CarePlanEndpoints.Npis(Npis, path + ".npis", errors);
        return named is null ? null : new ConsentRecipients(named, Class);
    }
}

/// <summary><c>POST /api/engagements/{id}/consents/{consentId}/revocation</c>: the member's written revocation, effective going forward.</summary>
/// <param name="RevokedOn">The date on the member's revocation (not in the future, not before the consent was signed).</param>
public sealed record RevokeConsentRequest(DateOnly RevokedOn);

/// <summary>The 202 body of a care-plan write: the engagement, where to read it, and the id of the item written (a consent, goal, ...).</summary>
public sealed record CarePlanAccepted(string Id, string StatusUri, string? ItemId);
