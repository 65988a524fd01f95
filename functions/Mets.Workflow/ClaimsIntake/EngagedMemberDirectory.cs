using Mets.Claims.Ingestion;
using Mets.Workflow.Cases;

namespace Mets.Workflow.ClaimsIntake;

/// <summary>Tells claims analytics which members have an open engagement (from the case store).</summary>
public sealed class EngagedMemberDirectory(ICaseStore cases, ClaimsMemberIds memberIds) : IEngagedMemberDirectory
{
    public async ValueTask<bool> IsEngagedAsync(string memberId, CancellationToken cancellationToken) =>
        memberIds.TryMap(memberId, out var member) && await cases.FindOpenByMemberAsync(member, cancellationToken) is not null;
}
