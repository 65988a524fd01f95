using System.Text.Json.Serialization;
using Mets.Domain.Engagements;

namespace Mets.Domain.CarePlans;

/// <summary>Levels of behavioral-health care, from the most to the least intensive.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LevelOfCare>))]
public enum LevelOfCare
{
    Inpatient,
    Residential,
    PartialHospitalization,
    IntensiveOutpatient,
    Outpatient,
}

[JsonConverter(typeof(JsonStringEnumConverter<LevelOfCareDirection>))]
public enum LevelOfCareDirection
{
    StepDown,
    StepUp,
}

/// <summary>
/// A recommendation to move the member's care from <see cref="From"/> to <see cref="To"/> (the lowest-acuity setting that
/// works), with the clinician's reason (PHI: free text), recorded and sent to the providers with the shared care plan.
/// </summary>
public sealed record LevelOfCareRecommendation(LevelOfCare From, LevelOfCare To, string Reason, DateTimeOffset At, Actor By)
{
    public const int MaxReasonLength = 1000;

    /// <summary>Down to a less intensive level, or up to a more intensive one.</summary>
    [JsonIgnore]
    public LevelOfCareDirection Direction => To > From ? LevelOfCareDirection.StepDown : LevelOfCareDirection.StepUp;

    /// <summary>Levels only (the reason is the clinician's words).</summary>
    public override string ToString() => $"Level of care {From} -> {To}";
}
