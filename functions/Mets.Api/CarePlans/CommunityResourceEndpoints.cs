using Mets.Api.Problems;
using Mets.Domain.Assessments;
using Mets.Domain.CommunitySupports;
using Mets.Workflow.CommunitySupports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Mets.Api.CarePlans;

/// <summary>One community resource as a clinician reads it: its HRSN domain from its service type, areas and contact.</summary>
public sealed record CommunityResourceView(string Id, string Name, CommunityServiceType ServiceType, SocialNeedDomain Need, IReadOnlyList<string> AreasServed,
    string? Phone, string? Email, string? Website);

/// <summary>
/// <c>GET /api/community-resources</c>: the matches, and the directory file's rows that were not loaded (row and reason)
/// so whoever maintains the file sees what to fix.
/// </summary>
public sealed record CommunityResourceSearchView(IReadOnlyList<CommunityResourceView> Resources, IReadOnlyList<DirectoryReject> DirectoryRejects);

/// <summary>The plan's community-resource directory, searchable by AHC HRSN need and area (<c>/api/community-resources</c>).</summary>
public static class CommunityResourceEndpoints
{
    public const int MaxAreaLength = 100;

    public static RouteGroupBuilder MapCommunityResources(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/community-resources", SearchCommunityResources)
            .WithTags("Care plan")
            .WithName("SearchCommunityResources")
            .WithSummary("Community resources meeting an AHC HRSN need (need=foodInsecurity|housingInstability|transportation|utilities|interpersonalSafety) in an area (area=).")
            .Produces<CommunityResourceSearchView>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    internal static IResult SearchCommunityResources(string? need, string? area, [FromServices] CommunityResourceDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var errors = new FieldErrors();
        SocialNeedDomain? wanted = null;
        if (need is not null)
        {
            if (Enum.TryParse<SocialNeedDomain>(need, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !need.All(char.IsAsciiDigit))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add("need", "must be an AHC HRSN domain: housingInstability, foodInsecurity, transportation, utilities or interpersonalSafety.");
            }
        }

        errors.Require(area is null || (area.Trim().Length is > 0 and <= MaxAreaLength), "area", $"must be 1 to {MaxAreaLength} characters.");
        if (!errors.IsEmpty)
        {
            return errors.ToProblem("The query is not valid.");
        }

        var found = directory.Search(wanted, area)
            .Select(r => new CommunityResourceView(r.Id, r.Name, r.ServiceType, r.Need, r.AreasServed, r.Phone, r.Email, r.Website))
            .ToList();
        return TypedResults.Ok(new CommunityResourceSearchView(found, directory.Rejects));
    }
}
