using System.Globalization;
using System.Text;

namespace Mets.Claims.Reading.X12;

/// <summary>The delimiters an interchange declares in its fixed-length ISA segment.</summary>
public sealed record X12Delimiters(char Element, char Component, char Repetition, char Segment)
{
    /// <summary>The usual set (<c>* : ^ ~</c>), for acknowledgments of an interchange whose own cannot be used.</summary>
    public static X12Delimiters Default { get; } = new('*', ':', '^', '~');
}

/// <summary>The ISA fields an acknowledgment needs (trimmed), as the interchange sent them.</summary>
public sealed record X12InterchangeHeader(
    string SenderQualifier,
    string SenderId,
    string ReceiverQualifier,
    string ReceiverId,
    string Date,
    string Time,
    string ControlNumber,
    string Version,
    string AcknowledgmentRequested,
    string UsageIndicator,
    X12Delimiters Delimiters);

/// <summary>What is wrong with an interchange envelope, with the TA1 note code (TA105) that says it. The
/// message names elements, never values.</summary>
public sealed record X12EnvelopeProblem(string Message, string Ta1NoteCode);

/// <summary>The result of reading one ISA: the header (null when its fields cannot be found), a problem
/// (null when none), how many bytes it took, and whether reading can go on after it.</summary>
internal readonly record struct X12IsaRead(X12InterchangeHeader? Header, X12EnvelopeProblem? Problem, int Consumed, bool CanContinue);

/// <summary>
/// Reads the fixed-length ISA segment: "ISA", the element separator, sixteen elements of fixed widths
/// (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1) and the segment terminator: exactly 106
/// characters. The elements are found by the separator (the fourth character), so a short or long ISA is
/// reported as malformed, naming the element of the wrong width, rather than read with the wrong
/// separators; its fields are still returned so that a TA1 can answer it.
/// </summary>
internal static class X12Isa
{
    public const int Length = 106;

    /// <summary>How far the parser looks for the sixteen separators of a malformed ISA.</summary>
    public const int ScanLength = 512;

    private static readonly int[] Widths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1];

    // TA105 note code for an ISA element of the wrong width or value, ISA01..ISA15.
    private static readonly string[] NoteCodes = ["010", "011", "012", "013", "005", "006", "007", "008", "014", "015", "022", "017", "018", "019", "020"];

    private static readonly string[] IdQualifiers = ["01", "14", "20", "27", "28", "29", "30", "33", "ZZ"];

    /// <summary>Parses an ISA at the start of <paramref name="bytes"/> (which begins with "ISA"); <paramref name="atEnd"/>
    /// says the stream has no more bytes than these.</summary>
    public static X12IsaRead Parse(ReadOnlySpan<byte> bytes, bool atEnd)
    {
        if (bytes.Length < 4)
        {
            return Fatal(new X12EnvelopeProblem("The file ends inside the ISA interchange header.", "023"));
        }

        var element = (char)bytes[3];
        if (char.IsAsciiLetterOrDigit(element) || char.IsWhiteSpace(element) || char.IsControl(element))
        {
            return Fatal(new X12EnvelopeProblem("The ISA element separator (the character after 'ISA') is a letter, digit, space or control character.", "026"));
        }

        Span<int> separators = stackalloc int[16];
        separators[0] = 3;
        var scan = bytes[..Math.Min(bytes.Length, ScanLength)];
        for (var k = 1; k < 16; k++)
        {
            var next = scan[(separators[k - 1] + 1)..].IndexOf((byte)element);
            if (next < 0)
            {
                return Fatal(atEnd && bytes.Length < Length
                    ? new X12EnvelopeProblem("The file ends inside the ISA interchange header.", "023")
                    : new X12EnvelopeProblem("The ISA segment is malformed: it does not have sixteen elements separated by the character after 'ISA' (a fixed-length ISA is exactly 106 characters).", "022"));
            }

            separators[k] = separators[k - 1] + 1 + next;
        }

        var last = separators[15];
        if (last + 2 >= bytes.Length)
        {
            return Fatal(new X12EnvelopeProblem("The file ends inside the ISA interchange header.", "023"));
        }

        var fields = new string[16];
        for (var k = 0; k < 15; k++)
        {
            fields[k] = Encoding.Latin1.GetString(bytes[(separators[k] + 1)..separators[k + 1]]);
        }

        var component = (char)bytes[last + 1];
        var terminator = (char)bytes[last + 2];
        fields[15] = component.ToString();
        var repetition = fields[10].Length == 1 ? fields[10][0] : '^';
        var delimiters = new X12Delimiters(element, component, repetition, terminator);
        var header = new X12InterchangeHeader(fields[4].Trim(), fields[5].Trim(), fields[6].Trim(), fields[7].Trim(), fields[8].Trim(), fields[9].Trim(),
            fields[12].Trim(), fields[11].Trim(), fields[13].Trim(), fields[14].Trim(), delimiters);
        var consumed = last + 3;

        if (char.IsAsciiLetterOrDigit(terminator) || terminator == element || terminator == component || terminator == ' ')
        {
            return new X12IsaRead(header with { Delimiters = X12Delimiters.Default }, new X12EnvelopeProblem(
                "The ISA does not declare a usable segment terminator (the character after ISA16 is a letter, digit, space or a separator).", "004"), consumed, false);
        }

        if (char.IsAsciiLetterOrDigit(component) || char.IsWhiteSpace(component) || component == element)
        {
            return new X12IsaRead(header with { Delimiters = delimiters with { Component = X12Delimiters.Default.Component } }, new X12EnvelopeProblem(
                "ISA16 does not declare a usable component element separator (a letter, digit, space or the element separator).", "027"), consumed, false);
        }

        for (var k = 0; k < 15; k++)
        {
            if (fields[k].Length != Widths[k])
            {
                return new X12IsaRead(header, new X12EnvelopeProblem(string.Create(CultureInfo.InvariantCulture,
                    $"The ISA segment is malformed: ISA{k + 1:00} has {fields[k].Length} characters where the fixed-length ISA has {Widths[k]} (an ISA is exactly 106 characters with ISA16 and its terminator)."),
                    NoteCodes[k]), consumed, true);
            }
        }

        var problem = CheckValues(fields);
        return new X12IsaRead(header, problem, consumed, true);
    }

    private static X12IsaRead Fatal(X12EnvelopeProblem problem) => new(null, problem, 0, false);

    private static X12EnvelopeProblem? CheckValues(string[] f)
    {
        if (f[0] is not ("00" or "03"))
        {
            return Value(1, "is not an authorization information qualifier (00 or 03)");
        }

        if (f[2] is not ("00" or "01"))
        {
            return Value(3, "is not a security information qualifier (00 or 01)");
        }

        if (!IdQualifiers.Contains(f[4]))
        {
            return Value(5, "is not an interchange ID qualifier");
        }

        if (f[5].Trim().Length == 0)
        {
            return Value(6, "is empty");
        }

        if (!IdQualifiers.Contains(f[6]))
        {
            return Value(7, "is not an interchange ID qualifier");
        }

        if (f[7].Trim().Length == 0)
        {
            return Value(8, "is empty");
        }

        if (!DateOnly.TryParseExact(f[8], "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return Value(9, "is not a date (YYMMDD)");
        }

        if (!TimeOnly.TryParseExact(f[9], "HHmm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return Value(10, "is not a time (HHMM)");
        }

        if (f[11] != "00501")
        {
            return new X12EnvelopeProblem("ISA12 is not 00501: only X12 version 5010 is read.", "017");
        }

        if (!ClaimCodes.IsDigits(f[12]))
        {
            return Value(13, "is not a nine-digit control number");
        }

        if (f[13] is not ("0" or "1"))
        {
            return Value(14, "is not 0 or 1");
        }

        return f[14] is not ("P" or "T") ? Value(15, "is not P (production) or T (test)") : null;
    }

    private static X12EnvelopeProblem Value(int element, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"ISA{element:00} {what}."), NoteCodes[element - 1]);
}
