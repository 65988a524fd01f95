using Mets.Domain.Closure;
using Mets.Domain.Risk;

namespace Mets.Domain.Engagements;

/// <summary>
/// The engagement's outcome, recorded once at closure, for program reporting (counts and scores,
/// no names). Depression response = PHQ-9 down 50% or more from a baseline of 10 or more;
/// remission = final PHQ-9 below 5.
/// </summary>
public sealed record OutcomeSnapshot(
    ClosureReason Reason,
    DateTimeOffset ClosedAt,
    int DaysEngaged,
    RiskTier? InitialRiskTier,
    RiskTier? FinalRiskTier,
    int? BaselinePhq9,
    int? FinalPhq9,
    int? BaselineGad7,
    int? FinalGad7,
    int GoalsTotal,
    int GoalsAchieved,
    int CareGapsIdentified,
    int CareGapsClosed,
    int ProvidersContacted,
    int ProvidersResponded,
    int ReviewsCompleted)
{
    public const int ResponseBaselineMinimum = 10;
    public const int RemissionBelow = 5;

    public bool? DepressionResponse =>
        BaselinePhq9 is >= ResponseBaselineMinimum && FinalPhq9 is { } final ? final * 2 <= BaselinePhq9 : null;

    public bool? DepressionRemission =>
        BaselinePhq9 is >= ResponseBaselineMinimum && FinalPhq9 is { } final ? final < RemissionBelow : null;
}
