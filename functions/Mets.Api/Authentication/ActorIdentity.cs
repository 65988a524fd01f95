using System.Security.Claims;

namespace Mets.Api.Authentication;

/// <summary>
/// The identity METS adds to a request's principal once it has verified the caller and mapped it to a METS user
/// (an API key of <c>Mets:ApiKeys</c> on the local host, a Microsoft Entra ID access token of a caller in
/// <c>Mets:Entra:Callers</c> in the function app). <see cref="ActorHttpContextExtensions.FindActor"/> reads the actor
/// from this identity only: a claim that arrived inside a token (a <c>name</c>, an <c>amr</c>) never becomes an actor.
/// </summary>
public static class ActorIdentity
{
    /// <summary>The authentication type of the METS actor identity; no token handler produces it.</summary>
    public const string AuthenticationType = "Mets.Actor";

    /// <summary>The actor identity: the user name (recorded in timelines), how the caller was verified, and roles.</summary>
    public static ClaimsIdentity Create(string userName, string method, params string[] roles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(roles);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, userName),
            new(ClaimTypes.AuthenticationMethod, method),
        };
        claims.AddRange(roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return new ClaimsIdentity(claims, AuthenticationType, ClaimTypes.Name, ClaimTypes.Role);
    }

    /// <summary>The actor identity of a principal, or null when METS has not verified and mapped the caller.</summary>
    public static ClaimsIdentity? Find(ClaimsPrincipal? principal) =>
        principal?.Identities.FirstOrDefault(identity =>
            identity is { IsAuthenticated: true, AuthenticationType: AuthenticationType, Name.Length: > 0 });
}
