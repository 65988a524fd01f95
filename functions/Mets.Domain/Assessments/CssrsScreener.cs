using System.Text.Json.Serialization;

namespace Mets.Domain.Assessments;

/// <summary>C-SSRS screener question 6 (suicidal behavior), by how long ago.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SuicidalBehavior>))]
public enum SuicidalBehavior
{
    None,
    MoreThanThreeMonthsAgo,
    WithinPastThreeMonths,
}

/// <summary>Columbia triage of the screener. <see cref="None"/> = every answer "no" (negative screen).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CssrsRisk>))]
public enum CssrsRisk
{
    None,

    /// <summary>Yes to questions 1-2 only.</summary>
    Low,

    /// <summary>Yes to question 3, or suicidal behavior more than three months ago.</summary>
    Moderate,

    /// <summary>Yes to question 4 or 5, or suicidal behavior within the past three months.</summary>
    High,
}

/// <summary>The C-SSRS screener (past-month ideation questions 1-5, behavior question 6) and its Columbia triage.</summary>
/// <param name="WishToBeDead">Q1: wished you were dead or could go to sleep and not wake up.</param>
/// <param name="SuicidalThoughts">Q2: thoughts of killing yourself.</param>
/// <param name="ThoughtsWithMethod">Q3: thought about how you might do this.</param>
/// <param name="IntentToAct">Q4: had some intention of acting on these thoughts.</param>
/// <param name="PlanWithIntent">Q5: started to work out or worked out the details, and intend to carry it out.</param>
/// <param name="Behavior">Q6: done, started or prepared to do anything to end your life, and when.</param>
public sealed record CssrsScreener(
    bool WishToBeDead,
    bool SuicidalThoughts,
    bool ThoughtsWithMethod,
    bool IntentToAct,
    bool PlanWithIntent,
    SuicidalBehavior Behavior)
{
    public CssrsRisk Risk =>
        IntentToAct || PlanWithIntent || Behavior == SuicidalBehavior.WithinPastThreeMonths ? CssrsRisk.High
        : ThoughtsWithMethod || Behavior == SuicidalBehavior.MoreThanThreeMonthsAgo ? CssrsRisk.Moderate
        : WishToBeDead || SuicidalThoughts ? CssrsRisk.Low
        : CssrsRisk.None;
}
