using Mets.Claims.Reading.X12;

namespace Mets.Claims.Acknowledgments;

/// <summary>Which acknowledgment answers a file: a TA1 alone (every interchange's envelope was rejected, or
/// nothing else could be said), or 999s (one per functional group of each interchange that stands, with a
/// TA1 beside them where ISA14 asked for one or an interchange was rejected).</summary>
public enum ClaimsAcknowledgmentKind
{
    InterchangeTa1,
    Implementation999,
}

/// <summary>
/// The acknowledgment of an X12 claims file: X12 text with the inbound file's separators, sender and receiver
/// swapped, kept with the file's record and written beside the processed or quarantined file
/// (<c>{file}.999</c> or <c>{file}.ta1</c>). <see cref="Code"/> sums it up (A, E, P or R over every
/// interchange and group); <see cref="ControlNumber"/> is the ISA13 of its first interchange.
/// </summary>
public sealed record ClaimsAcknowledgment(
    ClaimsAcknowledgmentKind Kind,
    X12AcknowledgmentCode Code,
    string ControlNumber,
    DateTimeOffset CreatedAt,
    string Content)
{
    /// <summary>The media type to serve <see cref="Content"/> with.</summary>
    public const string MediaType = "application/edi-x12";

    /// <summary>The extension of the acknowledgment file written beside the claims file: ".999" or ".ta1".</summary>
    public string FileExtension => Kind == ClaimsAcknowledgmentKind.InterchangeTa1 ? ".ta1" : ".999";

    /// <summary>"TA1" or "999".</summary>
    public string KindName => Kind == ClaimsAcknowledgmentKind.InterchangeTa1 ? "TA1" : "999";

    /// <summary>The one-letter code (A, E, P, R) as X12 writes it.</summary>
    public string CodeLetter => X12AcknowledgmentWriter.Letter(Code);

    /// <summary>Ids and codes only.</summary>
    public override string ToString() => $"{KindName} {CodeLetter} {ControlNumber}";
}
