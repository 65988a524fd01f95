using System.Text.Json.Serialization;

namespace Mets.Domain.Risk;

/// <summary>Engagement risk tier; sets the review cadence.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RiskTier>))]
public enum RiskTier
{
    Low,
    Moderate,
    High,
}

/// <summary>Why a tier was assigned; codes safe for timelines and reports.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RiskReason>))]
public enum RiskReason
{
    // High
    SafetyRisk,
    Phq9Severe,
    UrgentReferral,
    BehavioralHealthInpatientStay,
    RepeatedBehavioralHealthEdVisits,

    // Moderate
    Phq9Moderate,
    Gad7Positive,
    AuditCPositive,
    SocialNeed,
    OpenCareGap,
    MedicationNonadherence,
}
