using System.Text.Json.Serialization;

namespace Mets.Domain.Assessments;

/// <summary>Barriers to progress the METS program tracks: its seven named barriers, plus Other.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProgramBarrier>))]
public enum ProgramBarrier
{
    MismatchedTreatmentGoals,
    UnusedCommunitySupports,
    NeedsMisalignedWithServices,
    MedicationNonadherence,
    InsufficientCareCoordination,
    InadequateTreatmentEngagement,
    SocialDeterminants,
    Other,
}
