using Mets.Domain.CareGaps;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Consent;

/// <summary>The decision about one disclosure: allowed under <see cref="Consent"/>, or why not.</summary>
public sealed record DisclosureDecision(ConsentCoverage Coverage, SubstanceUseConsent? Consent)
{
    public bool Allowed => Coverage == ConsentCoverage.Covered;
}

/// <summary>
/// The one rule for substance-use disorder information under 42 CFR Part 2 (as amended in 2024): SUD diagnoses, claims,
/// care gaps and care-plan content reach a recipient outside METS (a provider's page, an email, a care-team
/// participant, a report) only under a consent on the engagement that covers that recipient, purpose and kind of
/// information now (not revoked, not expired), and every such disclosure carries <see cref="Notice"/> with the
/// consent's scope (<see cref="SubstanceUseConsent.ScopeExplanation"/>). Anything that shows engagement data to someone
/// outside METS asks <see cref="Decide"/> first.
/// </summary>
public static class SubstanceUseDisclosure
{
    /// <summary>The notice that accompanies each disclosure made with the patient's written consent: 42 CFR 2.32(a)(1) (statement 1, 2024 rule).</summary>
    public const string Notice =
        "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). These rules prohibit you from "
        + "using or disclosing this record, or testimony that describes the information contained in this record, in any civil, criminal, "
        + "administrative, or legislative proceedings by any Federal, State, or local authority, against the patient, unless authorized by the "
        + "consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
        + "In addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of the "
        + "following applies: (A) Further use or disclosure is expressly permitted by the written consent of the individual whose information "
        + "is being disclosed in this record or as otherwise permitted by 42 CFR part 2. (B) You are a covered entity or business associate and "
        + "have received the record for treatment, payment, or health care operations, or (C) You have received the record from a covered entity "
        + "or business associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or other "
        + "information is NOT sufficient to meet the required elements of written consent to further use or redisclose the record (see 42 CFR 2.31).";

    /// <summary>Every consent of the engagement: those recorded, and the legacy consent of each referral with the old flag.</summary>
    public static IReadOnlyList<SubstanceUseConsent> ConsentsOf(EngagementCase engagement)
    {
        ArgumentNullException.ThrowIfNull(engagement);
        return [.. engagement.SubstanceUseConsents, .. engagement.Referrals.Select(SubstanceUseConsent.FromLegacyReferral).OfType<SubstanceUseConsent>()];
    }

    /// <summary>
    /// Whether <paramref name="information"/> may go to <paramref name="recipient"/> for <paramref name="purpose"/> at
    /// <paramref name="at"/>. <paramref name="fromReferral"/> names the referral the information comes from (a legacy
    /// consent covers its own referral's diagnoses only). When nothing covers it, the most telling reason: revoked,
    /// expired, information or purpose not covered, not a recipient, no consent.
    /// </summary>
    public static DisclosureDecision Decide(
        EngagementCase engagement, DisclosureRecipient recipient, DisclosurePurpose purpose, SubstanceUseInformation information, DateTimeOffset at,
        ReferralId? fromReferral = null)
    {
        ArgumentNullException.ThrowIfNull(engagement);
        ArgumentNullException.ThrowIfNull(recipient);
        var closed = engagement.Status == EngagementStatus.Closed;
        var decisions = ConsentsOf(engagement)
            .Where(c => c.LimitedToReferral is null || c.LimitedToReferral == fromReferral)
            .Select(c => new DisclosureDecision(c.Covers(recipient, purpose, information, at, closed), c))
            .ToList();
        return decisions.FirstOrDefault(d => d.Allowed)
            ?? decisions.OrderBy(d => Rank(d.Coverage)).FirstOrDefault()
            ?? new DisclosureDecision(ConsentCoverage.NoConsent, null);
    }

    /// <summary>True for a substance-use care-gap measure (FUA: follow-up after an ED visit for SUD; IET: initiation and engagement of SUD treatment).</summary>
    public static bool IsSubstanceUseMeasure(string? measure) =>
        CareGap.IsMeasureCode(measure) && (measure!.StartsWith("FUA", StringComparison.Ordinal) || measure.StartsWith("IET", StringComparison.Ordinal));

    /// <summary>How telling a refusal is: revoked first, no consent last.</summary>
    internal static int Rank(ConsentCoverage coverage) => coverage switch
    {
        ConsentCoverage.Revoked => 0,
        ConsentCoverage.Expired => 1,
        ConsentCoverage.InformationNotCovered => 2,
        ConsentCoverage.PurposeNotCovered => 3,
        ConsentCoverage.NotARecipient => 4,
        _ => 5,
    };
}

/// <summary>The consent one page's substance-use content went out under, and which kinds of information.</summary>
public sealed record ConsentDisclosure(string ConsentId, IReadOnlyList<SubstanceUseInformation> Information, string Scope);

/// <summary>
/// Decides item by item what one page (or email, or report) may show one recipient for treatment, and remembers what it
/// decided: the consents used (each disclosure names its consent and scope, 42 CFR 2.32(b)) and, when something was
/// withheld, the most telling reason.
/// </summary>
public sealed class SubstanceUseSharing(EngagementCase engagement, DisclosureRecipient recipient, DateTimeOffset at, DisclosurePurpose purpose = DisclosurePurpose.Treatment)
{
    private readonly Dictionary<string, (SubstanceUseConsent Consent, HashSet<SubstanceUseInformation> Information)> _used = new(StringComparer.Ordinal);

    /// <summary>Something substance-use related was left out.</summary>
    public bool Withheld => WithheldBecause is not null;

    /// <summary>Why items were left out: the most telling reason over all of them (revoked, expired, ..., no consent).</summary>
    public ConsentCoverage? WithheldBecause { get; private set; }

    /// <summary>The consents used so far, in the order first used.</summary>
    public IReadOnlyList<ConsentDisclosure> Disclosures =>
        [.. _used.Values.Select(u => new ConsentDisclosure(u.Consent.Id, [.. u.Information.Order()], u.Consent.ScopeExplanation()))];

    /// <summary>Whether one substance-use item of <paramref name="information"/> (from <paramref name="fromReferral"/>, for diagnoses) may be shown.</summary>
    public bool Allows(SubstanceUseInformation information, Mets.Domain.Identifiers.ReferralId? fromReferral = null)
    {
        var decision = SubstanceUseDisclosure.Decide(engagement, recipient, purpose, information, at, fromReferral);
        if (!decision.Allowed)
        {
            if (WithheldBecause is not { } before || SubstanceUseDisclosure.Rank(decision.Coverage) < SubstanceUseDisclosure.Rank(before))
            {
                WithheldBecause = decision.Coverage;
            }

            return false;
        }

        var consent = decision.Consent!;
        if (!_used.TryGetValue(consent.Id, out var used))
        {
            _used[consent.Id] = used = (consent, []);
        }

        used.Information.Add(information);
        return true;
    }
}
