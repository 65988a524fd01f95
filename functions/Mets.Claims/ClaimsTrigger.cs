using System.Security.Cryptography;
using System.Text;

namespace Mets.Claims;

/// <summary>Why claims analytics raised a trigger. The first group can lead to a referral; the second
/// is raised only for members who already have an open engagement.</summary>
public enum ClaimsTriggerKind
{
    /// <summary>Open FUH-7 gap whose 7-day window is still open.</summary>
    FollowUpAfterHospitalizationDue,

    /// <summary>Open FUM-7 gap whose 7-day window is still open.</summary>
    FollowUpAfterEmergencyVisitDue,

    /// <summary>Repeated BH inpatient stays within the look-back.</summary>
    RepeatedBhInpatientStays,

    /// <summary>Frequent BH ED visits within the look-back.</summary>
    FrequentBhEmergencyVisits,

    /// <summary>Top outpatient BH utilizer within the look-back.</summary>
    HighOutpatientBhUtilization,

    /// <summary>Antipsychotic proportion of days covered below the adherence threshold.</summary>
    LowAntipsychoticAdherence,

    /// <summary>Engaged member: a BH inpatient discharge arrived in this file.</summary>
    BhDischarge,

    /// <summary>Engaged member: a BH ED visit arrived in this file.</summary>
    BhEmergencyVisit,

    /// <summary>Engaged member: a care gap opened.</summary>
    CareGapOpened,

    /// <summary>Engaged member: a care gap closed.</summary>
    CareGapClosed,

    /// <summary>Engaged member: eligibility ended (no coverage today).</summary>
    EligibilityLost,
}

/// <summary>
/// A trigger record for the workflow. <see cref="Id"/> is the trigger's identity: the member, the kind and
/// the index event (the discharge, the ED visit, the gap's index date, the start of a qualifying
/// utilization episode), never the file that revealed it. Every file that reveals the same trigger gives it
/// the same id, so a consumer that de-duplicates on <see cref="Id"/> creates one referral and applies one
/// engagement event, however many files repeat it. It carries no PHI beyond the member id: dates of the
/// event and evidence codes (diagnosis, place of service, revenue and procedure codes, measure and PDC).
/// </summary>
public sealed record ClaimsTrigger(
    string Id,
    string MemberId,
    ClaimsTriggerKind Kind,
    DateOnly EventDate,
    DateOnly? WindowEnd,
    IReadOnlyList<string> EvidenceCodes)
{
    /// <summary>
    /// The identity of a trigger: 32 lower-case hex characters of SHA-256 over a version tag, the member,
    /// the kind and <paramref name="indexEventKey"/> (what the index event is and its date, e.g.
    /// <c>FollowUpAfterHospitalization7|20260303</c>). Deterministic, and independent of the file.
    /// </summary>
    public static string MakeId(string memberId, ClaimsTriggerKind kind, string indexEventKey)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        ArgumentNullException.ThrowIfNull(indexEventKey);
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"claims-trigger/2\n{memberId}\n{kind}\n{indexEventKey}"));
        return Convert.ToHexStringLower(bytes.AsSpan(0, 16));
    }
}
