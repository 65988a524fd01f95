using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Mets.Api.Authentication;

/// <summary>
/// Who made the request: the user name mapped to the API key it carried. Handlers record it in the
/// audit timeline. Declare it as a handler parameter (<c>(Actor actor, ...)</c>) or call
/// <see cref="ActorHttpContextExtensions.GetActor"/>; on routes that require a key it is always present.
/// </summary>
public sealed record Actor(string UserName)
{
    /// <summary>Minimal API parameter binding: an endpoint declaring <c>Actor actor</c> gets the caller.</summary>
    public static ValueTask<Actor?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(context.FindActor());
    }

    public override string ToString() => UserName;
}

/// <summary>Reading the <see cref="Actor"/> of the current request.</summary>
public static class ActorHttpContextExtensions
{
    /// <summary>
    /// The actor of an authenticated request (the METS actor identity, <see cref="ActorIdentity"/>, that a key or a
    /// mapped access token gave it), or null when the request carried no valid key or token of a known caller.
    /// </summary>
    public static Actor? FindActor(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ActorIdentity.Find(context.User)?.Name is { Length: > 0 } name ? new Actor(name) : null;
    }

    /// <summary>The actor of an authenticated request; throws when called on an anonymous route.</summary>
    public static Actor GetActor(this HttpContext context) =>
        context.FindActor() ?? throw new InvalidOperationException("This request has no actor: the route is anonymous or the key check did not run.");
}

/// <summary>The actor of the current request for services that are not handed the HttpContext.</summary>
public interface IActorAccessor
{
    Actor? Current { get; }
}

internal sealed class HttpActorAccessor(IHttpContextAccessor httpContextAccessor) : IActorAccessor
{
    public Actor? Current => httpContextAccessor.HttpContext?.FindActor();
}
