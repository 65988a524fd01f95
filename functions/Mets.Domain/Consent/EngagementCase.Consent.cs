using System.Globalization;
using Mets.Domain.Consent;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Engagements;

/// <summary>The engagement's 42 CFR Part 2 consents (<see cref="SubstanceUseConsent"/>) and the accounting of disclosures.</summary>
public sealed partial record EngagementCase
{
    /// <summary>A member's 42 CFR Part 2 consent was recorded (its id must be new on the case).</summary>
    public EngagementCase RecordConsent(SubstanceUseConsent consent, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(consent);
        RequireOpen();
        if (SubstanceUseConsents.Any(c => c.Id == consent.Id) || consent.Legacy)
        {
            throw new InvalidOperationException("The case has a consent with that id already.");
        }

        return (this with { Consents = [.. SubstanceUseConsents, consent] })
            .Note(at, consent.RecordedBy, TimelineEntryKind.ConsentRecorded, [Code("consent", consent.Id), Code("recipients", consent.Recipients.Code),
                .. consent.Purposes.Select(p => Code("purpose", p)), .. consent.Information.Select(i => Code("information", i)),
                consent.ExpiresOn is { } on ? Code("expiresOn", on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : Code("expiresAt", consent.ExpiresAtEvent)]);
    }

    /// <summary>The member revoked consent <paramref name="consentId"/>: effective from <paramref name="at"/>, going forward (disclosures before it stand).</summary>
    /// <exception cref="KeyNotFoundException">No recorded consent has that id.</exception>
    public EngagementCase RevokeConsent(string consentId, DateOnly revokedOn, Actor by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(by);
        var consent = SubstanceUseConsents.FirstOrDefault(c => c.Id == consentId) ?? throw new KeyNotFoundException("The case has no consent with that id.");
        if (consent.Revocation is not null)
        {
            return this;
        }

        var revoked = consent with { Revocation = new ConsentRevocation(revokedOn, at, by) };
        return (this with { Consents = [.. SubstanceUseConsents.Select(c => c.Id == consentId ? revoked : c)] })
            .Note(at, by, TimelineEntryKind.ConsentRevoked, Code("consent", consentId), Code("revokedOn", revokedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
    }

    /// <summary>Substance-use information went to a provider under a consent (the accounting of the disclosure; codes only).</summary>
    public EngagementCase NoteSubstanceUseDisclosed(Npi recipient, string consentId, SubstanceUseInformation information, DateTimeOffset at) =>
        Note(at, Actor.System, TimelineEntryKind.SubstanceUseInformationDisclosed, Code("npi", recipient.Value), Code("consent", consentId), Code("information", information));

    /// <summary>True when a disclosure of <paramref name="information"/> to <paramref name="recipient"/> under <paramref name="consentId"/> is on the timeline.</summary>
    public bool HasDisclosed(Npi recipient, string consentId, SubstanceUseInformation information) =>
        Timeline.Any(e => e.Kind == TimelineEntryKind.SubstanceUseInformationDisclosed && e.Details.Contains(Code("npi", recipient.Value))
            && e.Details.Contains(Code("consent", consentId)) && e.Details.Contains(Code("information", information)));
}
