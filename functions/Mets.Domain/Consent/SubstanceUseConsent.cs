using System.Globalization;
using System.Text.Json.Serialization;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Consent;

/// <summary>Why substance-use information is disclosed (42 CFR 2.31(a)(5)); a single TPO consent names all three.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DisclosurePurpose>))]
public enum DisclosurePurpose
{
    Treatment,
    Payment,
    HealthCareOperations,
}

/// <summary>What kind of substance-use information a consent lets METS disclose (42 CFR 2.31(a)(3)).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubstanceUseInformation>))]
public enum SubstanceUseInformation
{
    /// <summary>Substance-use disorder diagnosis codes (ICD-10-CM F10-F19).</summary>
    Diagnoses,

    /// <summary>Claims for substance-use disorder services and medications.</summary>
    Claims,

    /// <summary>Substance-use care gaps (FUA, IET).</summary>
    CareGaps,

    /// <summary>Care-plan goals, barriers and interventions about substance use.</summary>
    CarePlan,
}

/// <summary>
/// A class of recipients a single consent for treatment, payment and health care operations may name instead of each
/// recipient (42 CFR 2.31(a)(4)(i) as amended in 2024: "my treating providers, health plans, ...").
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecipientClass>))]
public enum RecipientClass
{
    /// <summary>
    /// The member's treating providers: behavioral health, primary care, psychiatry, pharmacy, dental. Not social-services
    /// organizations or other participants: they must be named.
    /// </summary>
    TreatingProviders,
}

/// <summary>An expiration event instead of a date (42 CFR 2.31(a)(7)).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConsentExpiryEvent>))]
public enum ConsentExpiryEvent
{
    /// <summary>The consent ends when this engagement closes.</summary>
    EndOfEngagement,

    /// <summary>No expiration: allowed only for a single consent for treatment, payment and health care operations.</summary>
    None,
}

/// <summary>Who signed (42 CFR 2.31(a)(8)): the member, or a person authorized to sign for them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConsentSigner>))]
public enum ConsentSigner
{
    Member,
    PersonalRepresentative,
}

/// <summary>The recipients of a consent: named providers (by NPI) or a class (TPO consents only), never both.</summary>
public sealed record ConsentRecipients(IReadOnlyList<Npi> Named, RecipientClass? Class)
{
    public static ConsentRecipients Of(params Npi[] named) => new(named, null);

    public static ConsentRecipients OfClass(RecipientClass recipientClass) => new([], recipientClass);

    /// <summary>A code for the timeline (<c>class:TreatingProviders</c> or <c>named:2</c>).</summary>
    public string Code => Class is { } c ? $"class:{c}" : $"named:{Named.Count}";
}

/// <summary>A revocation (42 CFR 2.31(a)(6)): the member's signed revocation date; effective from when METS recorded it, going forward.</summary>
public sealed record ConsentRevocation(DateOnly RevokedOn, DateTimeOffset RecordedAt, Actor RecordedBy);

/// <summary>
/// A member's written consent to disclose substance-use disorder information, with the elements of 42 CFR 2.31 (as
/// amended in 2024): the member (1), METS as the discloser (2, implied: the plan's METS program records and discloses),
/// what may be disclosed (3), the recipients named or as a class (4), the purposes (5), revocation (6: recorded here,
/// effective going forward), the expiration date or event (7), the signer (8) and the date signed (9).
/// <see cref="Id"/> is a short code unique in the engagement (<c>C1</c>, <c>C2</c>, ...; <c>L-{referral}</c> for a
/// legacy consent). A <see cref="Legacy"/> consent stands for a referral's old
/// <see cref="Referral.ConsentToShareSubstanceUseInformation"/> flag (<see cref="FromLegacyReferral"/>) and is never stored.
/// </summary>
public sealed record SubstanceUseConsent(
    string Id,
    MemberId Member,
    ConsentRecipients Recipients,
    IReadOnlyList<DisclosurePurpose> Purposes,
    IReadOnlyList<SubstanceUseInformation> Information,
    DateOnly? ExpiresOn,
    ConsentExpiryEvent? ExpiresAtEvent,
    ConsentSigner SignedBy,
    DateOnly SignedOn,
    DateTimeOffset RecordedAt,
    Actor RecordedBy,
    ConsentRevocation? Revocation = null,
    bool Legacy = false,
    ReferralId? LimitedToReferral = null)
{
    public const int MaxNamedRecipients = 20;

    /// <summary>Treatment, payment and health care operations: the single consent the 2024 rule allows for all future TPO uses.</summary>
    public bool IsTreatmentPaymentAndOperations =>
        Purposes.Contains(DisclosurePurpose.Treatment) && Purposes.Contains(DisclosurePurpose.Payment) && Purposes.Contains(DisclosurePurpose.HealthCareOperations);

    /// <summary>Id and status only (the recipients and dates are the member's record).</summary>
    public override string ToString() => $"Consent {Id} (revoked: {Revocation is not null})";

    /// <summary>True for <c>C</c> followed by 1-4 digits (<c>C1</c> ... <c>C9999</c>): ids callers may choose.</summary>
    public static bool IsConsentId(string? id) =>
        id is { Length: >= 2 and <= 5 } && id[0] == 'C' && id[1] != '0' && id[1..].All(char.IsAsciiDigit);

    /// <summary>
    /// The legacy consent a referral's <see cref="Referral.ConsentToShareSubstanceUseInformation"/> flag stands for: the
    /// referrer attested that the member consented to share that referral's substance-use diagnoses with the treating
    /// providers it names, for treatment, until the engagement ends. No signature or date is on record beyond the
    /// referral's arrival, so it covers only what the flag always covered; anything more needs a recorded consent.
    /// </summary>
    public static SubstanceUseConsent? FromLegacyReferral(Referral referral)
    {
        ArgumentNullException.ThrowIfNull(referral);
        if (!referral.ConsentToShareSubstanceUseInformation)
        {
            return null;
        }

        var providers = (referral.TreatingProviders ?? []).Select(p => p.Npi).Distinct().ToList();
        return new SubstanceUseConsent(
            $"L-{referral.Id.Value}", referral.Member, new ConsentRecipients(providers, null), [DisclosurePurpose.Treatment], [SubstanceUseInformation.Diagnoses],
            null, ConsentExpiryEvent.EndOfEngagement, ConsentSigner.Member, DateOnly.FromDateTime(referral.ReceivedAt.UtcDateTime), referral.ReceivedAt,
            Actor.Referrer(referral.Source), Legacy: true, LimitedToReferral: referral.Id);
    }

    /// <summary>Every missing or inconsistent element, each naming its field; never quoting a value.</summary>
    public IReadOnlyList<string> Validate(DateOnly today)
    {
        var errors = new List<string>();
        if (!IsConsentId(Id) && !Legacy)
        {
            errors.Add("Id must be C followed by 1 to 4 digits (C1, C2, ...).");
        }

        if (Recipients is null || (Recipients.Class is null) == (Recipients.Named is not { Count: > 0 }))
        {
            errors.Add("Recipients must name providers by NPI or a class of recipients, not both.");
        }
        else if (Recipients.Named is null || Recipients.Named.Count > MaxNamedRecipients || Recipients.Named.Distinct().Count() != Recipients.Named.Count)
        {
            errors.Add($"Recipients names at most {MaxNamedRecipients} providers, each once.");
        }
        else if (Recipients.Class is { } c && !Enum.IsDefined(c))
        {
            errors.Add("Recipients.Class is not a known class of recipients.");
        }

        if (Purposes is not { Count: > 0 } || Purposes.Any(p => !Enum.IsDefined(p)) || Purposes.Distinct().Count() != Purposes.Count)
        {
            errors.Add("Purposes must list each purpose once (treatment, payment, healthCareOperations).");
        }
        else if (Recipients?.Class is not null && !IsTreatmentPaymentAndOperations)
        {
            errors.Add("Recipients may be a class only in a single consent for treatment, payment and health care operations (42 CFR 2.31(a)(4)).");
        }

        if (Information is not { Count: > 0 } || Information.Any(i => !Enum.IsDefined(i)) || Information.Distinct().Count() != Information.Count)
        {
            errors.Add("Information must list each kind of substance-use information once (diagnoses, claims, careGaps, carePlan).");
        }

        if (ExpiresOn.HasValue == ExpiresAtEvent.HasValue)
        {
            errors.Add("Exactly one of ExpiresOn and ExpiresAtEvent is required (42 CFR 2.31(a)(7)).");
        }
        else if (ExpiresOn is { } on && on <= SignedOn)
        {
            errors.Add("ExpiresOn must be after SignedOn.");
        }
        else if (ExpiresAtEvent == ConsentExpiryEvent.None && (Recipients?.Class is null || !IsTreatmentPaymentAndOperations))
        {
            errors.Add("ExpiresAtEvent none is allowed only for a single consent for treatment, payment and health care operations to a class of recipients.");
        }
        else if (ExpiresAtEvent is { } e && !Enum.IsDefined(e))
        {
            errors.Add("ExpiresAtEvent is not a known expiration event.");
        }

        if (!Enum.IsDefined(SignedBy))
        {
            errors.Add("SignedBy is member or personalRepresentative.");
        }

        if (SignedOn > today)
        {
            errors.Add("SignedOn must not be in the future.");
        }

        return errors;
    }

    /// <summary>Whether this consent covers disclosing <paramref name="information"/> to <paramref name="recipient"/> for <paramref name="purpose"/> at <paramref name="at"/>.</summary>
    public ConsentCoverage Covers(DisclosureRecipient recipient, DisclosurePurpose purpose, SubstanceUseInformation information, DateTimeOffset at, bool engagementClosed)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var named = Recipients.Class is null ? Recipients.Named.Contains(recipient.Npi) : recipient.IsTreatingProvider;
        if (!named)
        {
            return ConsentCoverage.NotARecipient;
        }

        if (!Purposes.Contains(purpose))
        {
            return ConsentCoverage.PurposeNotCovered;
        }

        if (!Information.Contains(information))
        {
            return ConsentCoverage.InformationNotCovered;
        }

        // Revocation and expiry are about a consent that would cover this disclosure.
        if (Revocation is { } revoked && at >= revoked.RecordedAt)
        {
            return ConsentCoverage.Revoked;
        }

        var expired = (ExpiresOn is { } on && DateOnly.FromDateTime(at.UtcDateTime) >= on)
            || (ExpiresAtEvent == ConsentExpiryEvent.EndOfEngagement && engagementClosed);
        return expired ? ConsentCoverage.Expired : ConsentCoverage.Covered;
    }

    /// <summary>A plain-language statement of what this consent allows, for the copy or explanation that goes with each disclosure (42 CFR 2.32(b)).</summary>
    public string ScopeExplanation()
    {
        var recipients = Recipients.Class is not null
            ? "the member's treating providers (behavioral health, primary care, psychiatry, pharmacy and dental)"
            : $"the provider(s) with NPI {string.Join(", ", Recipients.Named.Select(n => n.Value))}";
        var purposes = IsTreatmentPaymentAndOperations ? "treatment, payment and health care operations" : string.Join(", ", Purposes.Select(p => Words(p)));
        var information = string.Join(", ", Information.Select(i => Words(i)));
        var expires = ExpiresOn is { } on ? "until " + on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : ExpiresAtEvent == ConsentExpiryEvent.EndOfEngagement ? "until this METS engagement ends" : "without an expiration date";
        var signer = SignedBy == ConsentSigner.Member ? "the member" : "the member's personal representative";
        var source = Legacy
            ? $"Consent {Id} was attested by the referral source when the member was referred on {SignedOn:yyyy-MM-dd}."
            : $"Consent {Id} was signed by {signer} on {SignedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.";
        return $"{source} It allows the health plan's METS program to disclose the member's substance-use {information} to {recipients} "
            + $"for {purposes}, {expires}, unless the member revokes it in writing earlier.";
    }

    private static string Words(Enum value)
    {
        var text = value.ToString();
        var words = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }
}

/// <summary>Who would receive a disclosure: a provider or care-team participant, by NPI and role.</summary>
public sealed record DisclosureRecipient(Npi Npi, ProviderRole Role)
{
    /// <summary>A treating provider for a class consent: every role but social services and other.</summary>
    public bool IsTreatingProvider => Role is not (ProviderRole.SocialServices or ProviderRole.Other);
}

/// <summary>What one consent says about one disclosure.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConsentCoverage>))]
public enum ConsentCoverage
{
    Covered,

    /// <summary>No consent is on record.</summary>
    NoConsent,
    NotARecipient,
    PurposeNotCovered,
    InformationNotCovered,
    Expired,
    Revoked,
}
