using System.Text.Json.Serialization;

namespace Mets.Domain.Assessments;

/// <summary>The five core domains of the CMS Accountable Health Communities HRSN screening tool.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SocialNeedDomain>))]
public enum SocialNeedDomain
{
    HousingInstability,
    FoodInsecurity,
    Transportation,
    Utilities,
    InterpersonalSafety,
}
