using Microsoft.Extensions.Compliance.Classification;

namespace Mets.Api.Logging;

/// <summary>
/// The data classification of anything that may hold a member's details (PHI): identifiers, names, dates, codes, free
/// text, and every exception message the app did not write itself. Logs never carry such a value unredacted: the
/// redactor registered for it (<see cref="ApiServiceCollectionExtensions.AddMetsApiPlatform"/>: erasing) decides what
/// is left of it.
/// </summary>
public static class MemberData
{
    public const string TaxonomyName = "METS";

    public static DataClassification Classification { get; } = new(TaxonomyName, nameof(MemberData));

    public static DataClassificationSet Set { get; } = new(Classification);
}
