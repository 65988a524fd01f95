using Mets.Domain.Identifiers;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>Claims files carry the plan's member number; engagements use PAYER:NUMBER.</summary>
public sealed class ClaimsMemberIds(string payerCode)
{
    public bool TryMap(string claimsMemberId, out MemberId member) =>
        claimsMemberId.Contains(MemberId.Separator, StringComparison.Ordinal)
            ? MemberId.TryParse(claimsMemberId, out member)
            : MemberId.TryCreate(payerCode, claimsMemberId, out member, out _);

    /// <summary>The member number as claims files write it (the payer is implied).</summary>
    public string ToClaimsMemberId(MemberId member) =>
        string.Equals(member.Payer, payerCode, StringComparison.Ordinal) ? member.Number : member.Value;
}
