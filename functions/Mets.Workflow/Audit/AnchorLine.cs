using System.Globalization;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Audit;

/// <summary>
/// An anchor as one line of text, the form both anchor stores keep (a line of the local anchor file, the content of an
/// anchor blob): <c>{engagement id}\t{entry count}\t{head hash}\t{anchored at, UTC yyyy-MM-ddTHH:mm:ss.fffffffZ}\n</c>.
/// </summary>
public static class AnchorLine
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>The anchor's line, ending in a line feed.</summary>
    public static string Format(TimelineAnchor anchor)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        return string.Create(CultureInfo.InvariantCulture,
            $"{anchor.EngagementId.Value}\t{anchor.EntryCount}\t{anchor.HeadHash}\t{anchor.AnchoredAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}\n");
    }

    /// <summary>Reads one line (with or without its line feed); false for anything that is not an anchor (a torn line, or text someone added).</summary>
    public static bool TryParse(string? line, out TimelineAnchor anchor)
    {
        anchor = null!;
        var fields = (line ?? string.Empty).TrimEnd('\n').Split('\t');
        if (fields.Length != 4
            || !EngagementId.TryParse(fields[0], out var engagement)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1
            || fields[2] is not { Length: 64 } head || !head.All(char.IsAsciiHexDigitLower)
            || !DateTimeOffset.TryParseExact(fields[3], TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return false;
        }

        anchor = new TimelineAnchor(engagement, count, head, at);
        return true;
    }
}
