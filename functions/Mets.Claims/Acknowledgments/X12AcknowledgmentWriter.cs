using System.Globalization;
using System.Text;
using Mets.Claims.Reading.X12;

namespace Mets.Claims.Acknowledgments;

/// <summary>
/// Writes the acknowledgment of an X12 file from what <see cref="X12ClaimReader"/> found: per inbound
/// interchange one acknowledgment interchange, addressed back to its sender (ISA05/06 and ISA07/08 swapped,
/// GS02/GS03 swapped), with the inbound separators and usage indicator:
/// <list type="bullet">
/// <item>a rejected interchange gets <c>TA1*{ISA13}*{ISA09}*{ISA10}*R*{note}</c> and nothing else;</item>
/// <item>an interchange that stands gets one functional group <c>GS*FA ... 005010X231A1</c> with one 999 per inbound
/// group: <c>AK1</c>, per transaction set <c>AK2</c>, <c>IK3</c> (+ <c>CTX*CLM01:{claim}</c> inside a claim) and
/// <c>IK4</c> per error, <c>IK5</c>, then <c>AK9</c>; plus <c>TA1 ... A*000</c> first when ISA14 asked for one.</item>
/// </list>
/// Control numbers: each acknowledgment interchange and each of its groups takes the next of the numbers
/// reserved from <c>firstControlNumber</c> (ISA13 9 digits, GS06 = GE02); every 999 is ST02 0001 in its own
/// group. IK404 (copy of the bad element) is never written: values of claims files are PHI.
/// </summary>
public static class X12AcknowledgmentWriter
{
    private const string AcknowledgmentVersion = "005010X231A1";

    /// <summary>How many control numbers <see cref="Write"/> uses for these interchanges.</summary>
    public static int ControlNumbersNeeded(IReadOnlyList<X12InterchangeResult> interchanges)
    {
        ArgumentNullException.ThrowIfNull(interchanges);
        return interchanges.Where(i => i.Header is not null).Sum(i => 1 + (i.IsRejected ? 0 : i.Groups.Count));
    }

    /// <summary>The acknowledgment, or null when no interchange could be addressed (no ISA found).</summary>
    public static ClaimsAcknowledgment? Write(IReadOnlyList<X12InterchangeResult> interchanges, long firstControlNumber, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(interchanges);
        var addressable = interchanges.Where(i => i.Header is not null).ToList();
        if (addressable.Count == 0)
        {
            return null;
        }

        var next = firstControlNumber;
        var text = new StringBuilder();
        var codes = new List<X12AcknowledgmentCode>();
        var any999 = false;
        string? firstControl = null;
        foreach (var interchange in addressable)
        {
            var isa13 = ControlNumber(next++);
            firstControl ??= isa13;
            var writer = new SegmentWriter(text, interchange.Header!.Delimiters);
            WriteIsa(writer, interchange.Header, isa13, now);
            if (interchange.IsRejected || interchange.Header.AcknowledgmentRequested == "1")
            {
                WriteTa1(writer, interchange, now);
            }

            if (interchange.IsRejected)
            {
                codes.Add(X12AcknowledgmentCode.Rejected);
                writer.Segment("IEA", "0", isa13);
                continue;
            }

            foreach (var group in interchange.Groups)
            {
                var gs06 = ControlNumber(next++).TrimStart('0');
                Write999(writer, interchange.Header, group, gs06, now);
                codes.Add(group.Code);
                any999 = true;
            }

            writer.Segment("IEA", interchange.Groups.Count.ToString(CultureInfo.InvariantCulture), isa13);
        }

        return new ClaimsAcknowledgment(
            any999 ? ClaimsAcknowledgmentKind.Implementation999 : ClaimsAcknowledgmentKind.InterchangeTa1,
            Combine(codes),
            firstControl!,
            now,
            text.ToString());
    }

    /// <summary>A, E, P or R.</summary>
    public static string Letter(X12AcknowledgmentCode code) => code switch
    {
        X12AcknowledgmentCode.Accepted => "A",
        X12AcknowledgmentCode.AcceptedWithErrors => "E",
        X12AcknowledgmentCode.PartiallyAccepted => "P",
        _ => "R",
    };

    /// <summary>A control number from a store sequence (1..999,999,999) as 9 digits.</summary>
    public static string ControlNumber(long number)
    {
        var n = ((number - 1) % 999_999_999 + 999_999_999) % 999_999_999 + 1;
        return n.ToString("D9", CultureInfo.InvariantCulture);
    }

    private static X12AcknowledgmentCode Combine(List<X12AcknowledgmentCode> codes) =>
        codes.Count == 0 || codes.All(c => c == X12AcknowledgmentCode.Rejected) ? X12AcknowledgmentCode.Rejected
        : codes.All(c => c == X12AcknowledgmentCode.Accepted) ? X12AcknowledgmentCode.Accepted
        : codes.All(c => c is X12AcknowledgmentCode.Accepted or X12AcknowledgmentCode.AcceptedWithErrors) ? X12AcknowledgmentCode.AcceptedWithErrors
        : X12AcknowledgmentCode.PartiallyAccepted;

    private static void WriteIsa(SegmentWriter writer, X12InterchangeHeader inbound, string isa13, DateTimeOffset now)
    {
        var d = inbound.Delimiters;
        writer.Segment(
            "ISA", "00", new string(' ', 10), "00", new string(' ', 10),
            Qualifier(inbound.ReceiverQualifier), Fixed(inbound.ReceiverId, 15),
            Qualifier(inbound.SenderQualifier), Fixed(inbound.SenderId, 15),
            now.UtcDateTime.ToString("yyMMdd", CultureInfo.InvariantCulture), now.UtcDateTime.ToString("HHmm", CultureInfo.InvariantCulture),
            d.Repetition.ToString(), "00501", isa13, "0", inbound.UsageIndicator is "P" or "T" ? inbound.UsageIndicator : "P",
            d.Component.ToString());
    }

    private static void WriteTa1(SegmentWriter writer, X12InterchangeResult interchange, DateTimeOffset now)
    {
        var inbound = interchange.Header!;
        var control = inbound.ControlNumber.Length == 9 && inbound.ControlNumber.All(char.IsAsciiDigit) ? inbound.ControlNumber : "000000000";
        var date = DateOnly.TryParseExact(inbound.Date, "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? inbound.Date : now.UtcDateTime.ToString("yyMMdd", CultureInfo.InvariantCulture);
        var time = TimeOnly.TryParseExact(inbound.Time, "HHmm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? inbound.Time : now.UtcDateTime.ToString("HHmm", CultureInfo.InvariantCulture);
        writer.Segment("TA1", control, date, time, interchange.IsRejected ? "R" : "A", interchange.Problem?.Ta1NoteCode ?? "000");
    }

    private static void Write999(SegmentWriter writer, X12InterchangeHeader inbound, X12GroupResult group, string gs06, DateTimeOffset now)
    {
        writer.Segment("GS", "FA",
            Text(group.ApplicationReceiver.Length > 0 ? group.ApplicationReceiver : inbound.ReceiverId, 2, 15, writer.Delimiters),
            Text(group.ApplicationSender.Length > 0 ? group.ApplicationSender : inbound.SenderId, 2, 15, writer.Delimiters),
            now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), now.UtcDateTime.ToString("HHmm", CultureInfo.InvariantCulture),
            gs06, "X", AcknowledgmentVersion);
        writer.StartCount();
        writer.Segment("ST", "999", "0001", AcknowledgmentVersion);
        writer.Segment("AK1",
            group.FunctionalIdentifier.Length == 2 && group.FunctionalIdentifier.All(char.IsAsciiLetterOrDigit) ? group.FunctionalIdentifier : "HC",
            group.ControlNumber.Length is >= 1 and <= 9 && group.ControlNumber.All(char.IsAsciiDigit) ? group.ControlNumber : "0",
            Text(group.Version, 1, 12, writer.Delimiters));
        foreach (var set in group.Sets)
        {
            writer.Segment("AK2",
                set.Identifier.Length == 3 && set.Identifier.All(char.IsAsciiLetterOrDigit) ? set.Identifier : "837",
                Text(set.ControlNumber, 4, 9, writer.Delimiters),
                Text(set.ImplementationReference, 1, 35, writer.Delimiters, allowEmpty: true));
            foreach (var error in set.SegmentErrors)
            {
                writer.Segment("IK3", SegmentId(error.SegmentId), error.Position.ToString(CultureInfo.InvariantCulture), error.LoopId ?? string.Empty, error.Code);
                if (error.ClaimId is { } claim)
                {
                    writer.Segment("CTX", writer.Composite("CLM01", Text(claim, 1, 35, writer.Delimiters)));
                }

                foreach (var element in error.Elements)
                {
                    var position = element.Component is { } component
                        ? writer.Composite(element.Position.ToString(CultureInfo.InvariantCulture), component.ToString(CultureInfo.InvariantCulture))
                        : element.Position.ToString(CultureInfo.InvariantCulture);
                    writer.Segment("IK4", position, element.ReferenceNumber?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, element.Code);
                }
            }

            var code = set.CodeWithin(group);
            var setCodes = new List<string>(set.SyntaxErrorCodes);
            if (set.HasErrors && !setCodes.Contains("I5") && setCodes.Count < 5)
            {
                setCodes.Add("I5");
            }

            writer.Segment("IK5", [Letter(code), .. code == X12AcknowledgmentCode.Accepted ? [] : setCodes]);
        }

        writer.Segment("AK9", [
            Letter(group.Code),
            (group.DeclaredTransactionSets ?? group.Sets.Count).ToString(CultureInfo.InvariantCulture),
            group.Sets.Count.ToString(CultureInfo.InvariantCulture),
            group.AcceptedSets.ToString(CultureInfo.InvariantCulture),
            .. group.SyntaxErrorCodes]);
        writer.Segment("SE", (writer.Counted + 1).ToString(CultureInfo.InvariantCulture), "0001");
        writer.Segment("GE", "1", gs06);
    }

    private static string Qualifier(string value) => value.Length == 2 && value.All(char.IsAsciiLetterOrDigit) ? value : "ZZ";

    private static string Fixed(string value, int width)
    {
        var clean = new string(value.Where(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '.').ToArray()).Trim();
        if (clean.Length == 0)
        {
            clean = "UNKNOWN";
        }

        return clean.Length >= width ? clean[..width] : clean.PadRight(width);
    }

    /// <summary>An echoed value made safe: no separators or control characters, cut to <paramref name="max"/>,
    /// padded with zeros to <paramref name="min"/> (an empty mandatory value becomes zeros).</summary>
    private static string Text(string value, int min, int max, X12Delimiters d, bool allowEmpty = false)
    {
        var clean = new string(value.Where(c => !char.IsControl(c) && c != d.Element && c != d.Component && c != d.Repetition && c != d.Segment).ToArray()).Trim();
        if (clean.Length == 0 && allowEmpty)
        {
            return string.Empty;
        }

        if (clean.Length > max)
        {
            clean = clean[..max];
        }

        return clean.Length < min ? clean.PadLeft(min, '0') : clean;
    }

    private static string SegmentId(string id)
    {
        var clean = new string(id.Where(char.IsAsciiLetterOrDigit).Take(3).ToArray()).ToUpperInvariant();
        return clean.Length >= 2 ? clean : clean.PadRight(2, 'X');
    }

    /// <summary>Writes segments with one interchange's delimiters, a line break after each terminator, and counts
    /// segments from <see cref="StartCount"/> (for SE01).</summary>
    private sealed class SegmentWriter(StringBuilder text, X12Delimiters delimiters)
    {
        public X12Delimiters Delimiters { get; } = delimiters;

        public int Counted { get; private set; }

        public void StartCount() => Counted = 0;

        public string Composite(params string[] components) => string.Join(Delimiters.Component, components);

        public void Segment(string id, params string[] elements)
        {
            var end = elements.Length;
            while (end > 0 && elements[end - 1].Length == 0)
            {
                end--;
            }

            text.Append(id);
            for (var i = 0; i < end; i++)
            {
                text.Append(Delimiters.Element).Append(elements[i]);
            }

            text.Append(Delimiters.Segment);
            if (Delimiters.Segment is not ('\n' or '\r'))
            {
                text.Append('\n');
            }

            Counted++;
        }
    }
}
