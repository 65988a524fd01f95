namespace Mets.Claims.Analytics;

/// <summary>The care-gap measures evaluated from claims (HEDIS-style; code sets are public proxies).</summary>
public enum CareGapMeasure
{
    /// <summary>Follow-up within 7 days after a mental-illness hospitalization (FUH-7).</summary>
    FollowUpAfterHospitalization7,
    FollowUpAfterHospitalization30,

    /// <summary>Follow-up within 7 days after an ED visit for mental illness (FUM-7).</summary>
    FollowUpAfterEmergencyMentalIllness7,
    FollowUpAfterEmergencyMentalIllness30,

    /// <summary>Follow-up within 7 days after an ED visit for SUD or overdose (FUA-7).</summary>
    FollowUpAfterEmergencySubstanceUse7,
    FollowUpAfterEmergencySubstanceUse30,

    /// <summary>IET: SUD treatment initiated within 14 days of a new episode.</summary>
    SubstanceUseTreatmentInitiation,

    /// <summary>IET: two further SUD services or MAT within 34 days of initiation.</summary>
    SubstanceUseTreatmentEngagement,

    /// <summary>AMM acute phase: 84 covered days in the 115 days from the first antidepressant fill.</summary>
    AntidepressantAcutePhase,

    /// <summary>AMM continuation phase: 180 covered days in the 232 days from the first fill.</summary>
    AntidepressantContinuationPhase,

    /// <summary>Antipsychotic adherence: PDC of 80% or more (PQA method).</summary>
    AntipsychoticAdherence,
}

public enum CareGapStatus
{
    Open,
    Closed,
}

/// <summary>
/// A care gap of a member: which measure, the index event, the window in which it can be closed, its
/// status and the evidence (codes, claim ids, PDC) for it. <see cref="Id"/> is deterministic:
/// measure + member + index date.
/// </summary>
public sealed record CareGap(
    string Id,
    string MemberId,
    CareGapMeasure Measure,
    DateOnly IndexDate,
    DateOnly WindowStart,
    DateOnly WindowEnd,
    CareGapStatus Status,
    DateOnly? ClosedOn,
    IReadOnlyList<string> Evidence)
{
    /// <summary>An open gap whose window has not ended yet: something can still be done about it.</summary>
    public bool IsActionable(DateOnly today) => Status == CareGapStatus.Open && WindowEnd >= today;

    public static string MakeId(CareGapMeasure measure, string memberId, DateOnly indexDate) =>
        $"{measure}:{memberId}:{indexDate:yyyyMMdd}";
}
