namespace Mets.Claims.Ingestion;

/// <summary>Tells claims analytics which members already have an open engagement (the workflow owns
/// engagements; it provides the real implementation). Engaged members get discharge, ED-visit and
/// gap opened/closed triggers.</summary>
public interface IEngagedMemberDirectory
{
    ValueTask<bool> IsEngagedAsync(string memberId, CancellationToken cancellationToken);
}

/// <summary>The default until the workflow registers its own: nobody is engaged.</summary>
public sealed class NoEngagedMembers : IEngagedMemberDirectory
{
    public ValueTask<bool> IsEngagedAsync(string memberId, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
