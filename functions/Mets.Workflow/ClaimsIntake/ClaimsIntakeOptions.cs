using System.ComponentModel.DataAnnotations;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>How claims triggers become referrals and engagement events.</summary>
public sealed class ClaimsIntakeOptions
{
    public const string SectionName = "Mets:ClaimsIntake";

    /// <summary>
    /// Payer code for member numbers in claims files that carry no payer (member ids are PAYER:NUMBER
    /// in the engagement model).
    /// </summary>
    [Required]
    [RegularExpression("^[A-Z0-9]{1,16}$", ErrorMessage = "Mets:ClaimsIntake:PayerCode must be 1-16 upper-case letters or digits.")]
    public string PayerCode { get; set; } = "PLAN";

    /// <summary>Whether referral triggers (FUH-7/FUM-7 due, repeated stays, frequent ED visits, top utilizers, low PDC) create referrals.</summary>
    public bool CreateReferrals { get; set; } = true;
}
