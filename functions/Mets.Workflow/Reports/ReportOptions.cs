using System.ComponentModel.DataAnnotations;

namespace Mets.Workflow.Reports;

/// <summary>How outcome reports and provider scorecards are computed and shown (section <see cref="SectionName"/>; docs/outcomes.md).</summary>
public sealed class ReportOptions : IValidatableObject
{
    public const string SectionName = "Mets:Reports";

    /// <summary>Counts from 1 to this minus one are suppressed (with complementary suppression); 1 shows everything.</summary>
    [Range(1, 1000, ErrorMessage = SectionName + ":MinimumCellCount must be between {1} and {2}.")]
    public int MinimumCellCount { get; set; } = 11;

    /// <summary>
    /// Claims run-out: a month's claims count only once this many whole months have passed after it (claims arrive
    /// months after service), e.g. with 3 the claims of March count from July 1.
    /// </summary>
    [Range(0, 24, ErrorMessage = SectionName + ":ClaimsRunOutMonths must be between {1} and {2}.")]
    public int ClaimsRunOutMonths { get; set; } = 3;

    /// <summary>Months before and after the month an engagement started that the pre/post comparison and the care-gap window cover.</summary>
    [Range(1, 24, ErrorMessage = SectionName + ":PrePostMonths must be between {1} and {2}.")]
    public int PrePostMonths { get; set; } = 6;

    /// <summary>The difference-in-differences is computed only when both groups have at least this many members with both periods.</summary>
    [Range(1, 100000, ErrorMessage = SectionName + ":DifferenceInDifferencesMinimumMembers must be between {1} and {2}.")]
    public int DifferenceInDifferencesMinimumMembers { get; set; } = 30;

    /// <summary>The longest period one report may cover.</summary>
    [Range(1, 3660, ErrorMessage = SectionName + ":MaximumPeriodDays must be between {1} and {2}.")]
    public int MaximumPeriodDays { get; set; } = 1096;

    /// <summary>The program's published figures, shown beside the measured ones as reference targets only.</summary>
    public ReportTargets Targets { get; set; } = new();

    /// <summary>Checks the targets' ranges too (data annotations do not look into nested settings).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        if (Targets is null)
        {
            results.Add(new ValidationResult(SectionName + ":Targets is required.", [nameof(Targets)]));
        }
        else
        {
            Validator.TryValidateObject(Targets, new ValidationContext(Targets), results, validateAllProperties: true);
        }

        return results;
    }
}

/// <summary>
/// The program's published figures (reference targets, never measurements): over 10,000 members engaged and reviewed
/// for open care gaps in a year, $22 million savings in 2023, 30 % less unnecessary outpatient utilization, 23 % lower
/// behavioral-health spend.
/// </summary>
public sealed class ReportTargets
{
    [Range(0, 10_000_000, ErrorMessage = ReportOptions.SectionName + ":Targets:MembersEngagedPerYear must be between {1} and {2}.")]
    public int MembersEngagedPerYear { get; set; } = 10_000;

    [Range(typeof(decimal), "0", "1000000000000", ErrorMessage = ReportOptions.SectionName + ":Targets:AnnualSavingsDollars must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal AnnualSavingsDollars { get; set; } = 22_000_000m;

    /// <summary>The year the published savings figure is for.</summary>
    [Range(2000, 2100, ErrorMessage = ReportOptions.SectionName + ":Targets:SavingsYear must be between {1} and {2}.")]
    public int SavingsYear { get; set; } = 2023;

    [Range(typeof(decimal), "0", "100", ErrorMessage = ReportOptions.SectionName + ":Targets:OutpatientUtilizationReductionPercent must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal OutpatientUtilizationReductionPercent { get; set; } = 30m;

    [Range(typeof(decimal), "0", "100", ErrorMessage = ReportOptions.SectionName + ":Targets:BhSpendReductionPercent must be between {1} and {2}.", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal BhSpendReductionPercent { get; set; } = 23m;
}
