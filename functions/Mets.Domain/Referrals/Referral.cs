using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using System.Text;
using Mets.Domain.Identifiers;

namespace Mets.Domain.Referrals;

/// <summary>Who referred the member.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReferralSource>))]
public enum ReferralSource
{
    TreatingProvider,
    PrimaryCare,
    UtilizationManagement,
    ClaimsAnalytics,
    SelfOrFamily,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReferralUrgency>))]
public enum ReferralUrgency
{
    Routine,
    Urgent,
}

/// <summary>Why the member was referred (coded; any narrative goes in <see cref="Referral.ReasonDetail"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReferralReason>))]
public enum ReferralReason
{
    HighBehavioralHealthUtilization,
    OpenCareGap,
    MedicationNonadherence,
    RecentBehavioralHealthDischarge,
    ClinicalConcern,
    MemberOrFamilyRequest,
    Other,
}

/// <summary>A treating provider's (or other care-team participant's) role on the member's care team.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProviderRole>))]
public enum ProviderRole
{
    BehavioralHealth,
    PrimaryCare,

    /// <summary>A treating or consulting psychiatrist.</summary>
    Psychiatry,
    Pharmacy,
    Other,
    Dental,

    /// <summary>A social-services organization (housing, food, benefits): not a treating provider for a class consent.</summary>
    SocialServices,
}

/// <summary>
/// A provider treating the member (or another participant of the care team: a pharmacy, a dentist, a social-services
/// organisation), to be contacted for collaboration; <see cref="Phone"/> is an optional contact number.
/// </summary>
public sealed record TreatingProvider(
    string Name,
    Npi Npi,
    Email Email,
    ProviderRole Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Phone = null)
{
    public const int MaxNameLength = 200;
    public const int MaxPhoneLength = 32;
}

/// <summary>
/// A referral to METS. <see cref="Id"/> is the referring system's id (the intake idempotency key).
/// Member, diagnoses and <see cref="ReasonDetail"/> are protected health information; substance-use
/// information may be shared with providers only under a consent that covers them (42 CFR Part 2,
/// <see cref="Consent.SubstanceUseDisclosure"/>). <see cref="ConsentToShareSubstanceUseInformation"/> is the legacy
/// flag: it stands for a consent to share this referral's substance-use diagnoses with the providers it names
/// (<see cref="Consent.SubstanceUseConsent.FromLegacyReferral"/>).
/// </summary>
public sealed record Referral(
    ReferralId Id,
    MemberId Member,
    ReferralSource Source,
    ReferralReason Reason,
    string? ReasonDetail,
    IReadOnlyList<IcdCode> Diagnoses,
    ReferralUrgency Urgency,
    bool SafetyConcern,
    bool ConsentToShareSubstanceUseInformation,
    IReadOnlyList<TreatingProvider> TreatingProviders,
    DateTimeOffset ReceivedAt)
{
    public const int MaxReasonDetailLength = 2000;
    public const int MaxDiagnoses = 12;
    public const int MaxTreatingProviders = 10;

    /// <summary>Urgent or flagged with a safety concern: the assessment is due sooner.</summary>
    public bool IsUrgentOrSafetyConcern => Urgency == ReferralUrgency.Urgent || SafetyConcern;

    /// <summary>Any diagnosis in F10-F19 (substance use disorders), which 42 CFR Part 2 protects.</summary>
    public bool HasSubstanceUseDiagnosis => Diagnoses?.Any(IsSubstanceUse) == true;

    public static bool IsSubstanceUse(IcdCode code) =>
        string.CompareOrdinal(code.Category, "F10") >= 0 && string.CompareOrdinal(code.Category, "F19") <= 0;

    /// <summary>Ids and codes only: the generated record text would print the reason narrative.</summary>
    public override string ToString() => $"Referral {Id} ({Source}, {Urgency})";

    /// <summary>Every problem with the referral, each naming the field; never quoting a value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Id.Value is null)
        {
            errors.Add("Id is required.");
        }

        if (Member.Value is null)
        {
            errors.Add("Member is required.");
        }

        if (!Enum.IsDefined(Source))
        {
            errors.Add("Source is not a known referral source.");
        }

        if (!Enum.IsDefined(Reason))
        {
            errors.Add("Reason is not a known referral reason.");
        }

        if (!Enum.IsDefined(Urgency))
        {
            errors.Add("Urgency is Routine or Urgent.");
        }

        if (ReasonDetail is { Length: > MaxReasonDetailLength })
        {
            errors.Add($"ReasonDetail is at most {MaxReasonDetailLength} characters.");
        }

        if (Diagnoses is null)
        {
            errors.Add("Diagnoses is required (it may be empty).");
        }
        else
        {
            if (Diagnoses.Count > MaxDiagnoses)
            {
                errors.Add($"Diagnoses holds at most {MaxDiagnoses} codes.");
            }

            if (Diagnoses.Any(d => d.Value is null))
            {
                errors.Add("Diagnoses contains an empty code.");
            }
            else if (Diagnoses.Distinct().Count() != Diagnoses.Count)
            {
                errors.Add("Diagnoses lists a code more than once.");
            }
        }

        if (TreatingProviders is null)
        {
            errors.Add("TreatingProviders is required (it may be empty).");
        }
        else
        {
            if (TreatingProviders.Count > MaxTreatingProviders)
            {
                errors.Add($"TreatingProviders holds at most {MaxTreatingProviders} providers.");
            }

            for (var i = 0; i < TreatingProviders.Count; i++)
            {
                var p = TreatingProviders[i];
                if (p is null)
                {
                    errors.Add($"TreatingProviders[{i}] is required.");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > TreatingProvider.MaxNameLength)
                {
                    errors.Add($"TreatingProviders[{i}].Name must be 1 to {TreatingProvider.MaxNameLength} characters.");
                }

                if (p.Npi.Value is null)
                {
                    errors.Add($"TreatingProviders[{i}].Npi is required.");
                }

                if (p.Email.Value is null)
                {
                    errors.Add($"TreatingProviders[{i}].Email is required.");
                }

                if (!Enum.IsDefined(p.Role))
                {
                    errors.Add($"TreatingProviders[{i}].Role is not a known provider role.");
                }
            }

            if (TreatingProviders.Where(p => p is not null).GroupBy(p => p.Npi).Any(g => g.Count() > 1))
            {
                errors.Add("TreatingProviders lists an NPI more than once.");
            }
        }

        return errors;
    }

    /// <summary>
    /// SHA-256 (lower-case hex) of the referral's content, excluding <see cref="ReceivedAt"/> and
    /// insensitive to the order of diagnoses and providers. Intake compares fingerprints: the same
    /// referral id with a different fingerprint is a conflict.
    /// </summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        void Field(string? value) => text.Append(value?.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('|');

        Field(Id.Value);
        Field(Member.Value);
        Field(Source.ToString());
        Field(Reason.ToString());
        Field(ReasonDetail);
        Field(Urgency.ToString());
        Field(SafetyConcern ? "1" : "0");
        Field(ConsentToShareSubstanceUseInformation ? "1" : "0");
        foreach (var code in (Diagnoses ?? []).Select(d => d.Value).Order(StringComparer.Ordinal))
        {
            Field(code);
        }

        Field("providers");
        foreach (var p in (TreatingProviders ?? []).OrderBy(p => p.Npi.Value, StringComparer.Ordinal))
        {
            Field(p.Npi.Value);
            Field(p.Name);
            Field(p.Email.Value);
            Field(p.Role.ToString());
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
