using Mets.Domain.Identifiers;

namespace Mets.Domain.Assessments;

/// <summary>
/// A completed METS assessment as the case document keeps it: the scores plus the member's own
/// goals in their words (free text, protected health information: case document only, never in
/// logs, email or orchestration payloads).
/// </summary>
public sealed record Assessment(
    AssessmentScores Scores,
    IReadOnlyList<string> MemberStatedGoals,
    StaffId CompletedBy,
    DateTimeOffset CompletedAt)
{
    public const int MaxGoals = 10;
    public const int MaxGoalLength = 500;

    /// <summary>No goal text (protected health information).</summary>
    public override string ToString() => $"Assessment completed {CompletedAt:O} by {CompletedBy}";

    /// <summary>Checks goal counts and lengths; returns every problem (without quoting the text).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Scores is null)
        {
            errors.Add("Scores are required.");
        }

        if (MemberStatedGoals is null)
        {
            errors.Add("MemberStatedGoals is required (it may be empty).");
        }
        else
        {
            if (MemberStatedGoals.Count > MaxGoals)
            {
                errors.Add($"MemberStatedGoals holds at most {MaxGoals} goals.");
            }

            for (var i = 0; i < MemberStatedGoals.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(MemberStatedGoals[i]) || MemberStatedGoals[i].Length > MaxGoalLength)
                {
                    errors.Add($"MemberStatedGoals[{i}] must be 1 to {MaxGoalLength} characters.");
                }
            }
        }

        if (CompletedBy.Value is null)
        {
            errors.Add("CompletedBy is required.");
        }

        return errors;
    }
}
