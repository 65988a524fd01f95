using System.Text.Json.Serialization;
using Mets.Domain.Assessments;

namespace Mets.Domain.CommunitySupports;

/// <summary>What a community resource offers, each mapped to the AHC HRSN domain it meets (<see cref="CommunityServiceTypes.NeedOf"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CommunityServiceType>))]
public enum CommunityServiceType
{
    FoodPantry,
    MealDelivery,
    FoodBenefitsEnrollment,
    EmergencyShelter,
    HousingAssistance,
    RentalAssistance,
    Transportation,
    UtilityAssistance,
    DomesticViolenceServices,
}

/// <summary>The mapping of service types to the five AHC HRSN core domains.</summary>
public static class CommunityServiceTypes
{
    public static SocialNeedDomain NeedOf(CommunityServiceType type) => type switch
    {
        CommunityServiceType.FoodPantry or CommunityServiceType.MealDelivery or CommunityServiceType.FoodBenefitsEnrollment => SocialNeedDomain.FoodInsecurity,
        CommunityServiceType.EmergencyShelter or CommunityServiceType.HousingAssistance or CommunityServiceType.RentalAssistance => SocialNeedDomain.HousingInstability,
        CommunityServiceType.Transportation => SocialNeedDomain.Transportation,
        CommunityServiceType.UtilityAssistance => SocialNeedDomain.Utilities,
        CommunityServiceType.DomesticViolenceServices => SocialNeedDomain.InterpersonalSafety,
        _ => throw new ArgumentOutOfRangeException(nameof(type), "Unknown community service type."),
    };
}

/// <summary>
/// One community resource of the plan's directory: name, service type (and so its HRSN domain), the areas it serves
/// (counties or ZIP codes, as the plan writes them) and how to reach it. Public organisation data, not PHI.
/// </summary>
public sealed record CommunityResource(string Id, string Name, CommunityServiceType ServiceType, IReadOnlyList<string> AreasServed, string? Phone, string? Email, string? Website)
{
    public SocialNeedDomain Need => CommunityServiceTypes.NeedOf(ServiceType);

    /// <summary>True for a resource id: 1-32 letters, digits, hyphens or underscores.</summary>
    public static bool IsResourceId(string? id) =>
        id is { Length: >= 1 and <= 32 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Whether it serves <paramref name="area"/> (case-insensitive; any area when none is asked).</summary>
    public bool Serves(string? area) =>
        string.IsNullOrWhiteSpace(area) || AreasServed.Any(a => string.Equals(a, area.Trim(), StringComparison.OrdinalIgnoreCase));
}
