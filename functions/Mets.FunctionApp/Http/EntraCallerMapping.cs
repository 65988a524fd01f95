using System.Security.Claims;
using Mets.Api.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Mets.FunctionApp.Http;

/// <summary>
/// Maps a validated token's caller to its METS user (<see cref="EntraOptions.Callers"/>) and gives the principal the
/// METS actor identity (<see cref="ActorIdentity"/>) with that name, the same actor an API key gives on the local host.
/// First the token's <c>oid</c> (a person, or an application's service principal) against the ObjectId entries; then,
/// for an app-only token (client credentials: no <c>scp</c>, and <c>idtyp</c> = app or <c>sub</c> = <c>oid</c>), its
/// client id (<c>azp</c>, v1 <c>appid</c>) against the ClientId entries. A caller mapped by neither gets no actor:
/// the middleware answers 403.
/// </summary>
public sealed class EntraCallerMapping(IOptionsMonitor<EntraOptions> options) : JwtBearerEvents
{
    public override Task TokenValidated(TokenValidatedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal is { } principal && Find(principal) is { } user)
        {
            principal.AddIdentity(ActorIdentity.Create(user, EntraDefaults.ActorMethod));
        }

        return Task.CompletedTask;
    }

    /// <summary>The METS user of a validated token's principal, or null when no entry maps its caller.</summary>
    internal string? Find(ClaimsPrincipal principal)
    {
        var callers = options.CurrentValue.Callers;
        var objectId = Guid.TryParse(principal.FindFirst("oid")?.Value, out var oid) ? oid : (Guid?)null;
        if (objectId is { } id && callers.FirstOrDefault(c => Guid.TryParse(c.ObjectId, out var entry) && entry == id) is { } person)
        {
            return person.User;
        }

        if (!IsAppOnly(principal))
        {
            return null;
        }

        var clientId = principal.FindFirst("azp")?.Value ?? principal.FindFirst("appid")?.Value;
        return Guid.TryParse(clientId, out var client)
            ? callers.FirstOrDefault(c => Guid.TryParse(c.ClientId, out var entry) && entry == client)?.User
            : null;
    }

    /// <summary>An application calling as itself: no delegated scopes, and Entra says so (idtyp) or the subject is the object.</summary>
    private static bool IsAppOnly(ClaimsPrincipal principal) =>
        principal.FindFirst("scp") is null
        && (string.Equals(principal.FindFirst("idtyp")?.Value, "app", StringComparison.Ordinal)
            || (principal.FindFirst("sub")?.Value is { Length: > 0 } sub && string.Equals(sub, principal.FindFirst("oid")?.Value, StringComparison.Ordinal)));
}
