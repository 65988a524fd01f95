using Mets.Api.Authentication;
using Mets.Api.Json;
using Mets.Api.Logging;
using Mets.Api.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mets.Api.Tests.Hosting;

/// <summary>A body shaped like the referral contracts to come: nested object, list, enum, date.</summary>
public sealed record ProbeReferral(string ReferralId, ProbeMember Member, IReadOnlyList<ProbeGoal> Goals, ProbeUrgency Urgency, int? Priority = null);

public sealed record ProbeMember(string MemberId, DateOnly DateOfBirth, string? PreferredName = null);

public sealed record ProbeGoal(string Text, int Weeks);

public enum ProbeUrgency
{
    Routine,
    Urgent,
}

/// <summary>
/// Endpoints mapped by the tests into each route group (under <c>probe</c>, beside the real features), so the
/// platform is exercised through real handlers: one reads a body strictly, one throws, one echoes
/// the actor.
/// </summary>
internal static class ProbeEndpoints
{
    public const string Sentinel = "ZQX-SENTINEL-7731";

    public static void Map(MetsRouteGroups groups, WebApplication app)
    {
        groups.Api.MapGet("/probe/actor", (Actor actor, IActorAccessor accessor) =>
            TypedResults.Ok(new { actor = actor.UserName, accessor = accessor.Current?.UserName }));
        groups.Api.MapPost("/probe/referrals", async (HttpRequest request, Actor actor, CancellationToken cancellationToken) =>
        {
            var body = await RequestBody.ReadJsonAsync<ProbeReferral>(request, cancellationToken);
            if (!body.IsValid)
            {
                return (IResult)body.Problem;
            }

            return TypedResults.Accepted($"/api/engagements/{body.Value.ReferralId}", new { actor = actor.UserName, goals = body.Value.Goals.Count });
        });
        groups.Api.MapGet("/probe/urgency", () => TypedResults.Ok(new { urgency = ProbeUrgency.Urgent }));
        groups.Api.MapGet("/probe/throw", string () => ReadMemberRecord());
        groups.Api.MapGet("/probe/too-large", string () => throw new BadHttpRequestException("too large " + Sentinel, StatusCodes.Status413PayloadTooLarge));
        groups.Api.MapGet("/probe/engagements/{id}", (string id) => TypedResults.Ok(new { id })).WithLoggedRouteValues("id");
        groups.ProviderLinks.MapGet("/probe", (string token) => TypedResults.Text($"<p>link {token.Length}</p>", "text/html"));
        groups.ProviderLinks.MapPost("/probe", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var body = await RequestBody.ReadJsonAsync<ProbeGoal>(request, cancellationToken);
            return body.IsValid ? Results.NoContent() : body.Problem;
        });
        groups.Management.MapGet("/probe/instances", (Actor actor) => TypedResults.Ok(new { actor = actor.UserName }));
        groups.Management.MapPost("/probe/instances/{instanceId}/terminate", (string instanceId) => TypedResults.Accepted((string?)null));

        // Mapped outside every group: the fallback policy must still demand a key.
        app.MapGet("/ungrouped/probe", () => TypedResults.Ok());
    }
    /// <summary>Fails the way a handler deep in the workflow might: an exception whose message, and whose inner one's, name a member.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static string ReadMemberRecord()
    {
        try
        {
            return ParseBirthDate();
        }
        catch (FormatException inner)
        {
            throw new InvalidOperationException($"member {Sentinel} born 1970-01-01", inner);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string ParseBirthDate() => throw new FormatException($"birth date of {Sentinel} is not a date");
}
