using System.Globalization;
using System.Text;

namespace Mets.Claims.Tests.Fuzzing;

/// <summary>The damage <see cref="ClaimsMutator"/> does to a seed file.</summary>
public enum MutationKind
{
    /// <summary>The file cut at a random byte.</summary>
    Truncate,

    /// <summary>One to eight bytes XORed with random values.</summary>
    FlipBytes,

    /// <summary>X12: the element separator (or component / repetition separator) changed in part or all of the
    /// file; CSV: commas turned into semicolons, tabs or pipes.</summary>
    WrongElementSeparator,

    /// <summary>X12: the segment terminator changed in part or all of the file; CSV: line ends turned into another
    /// character.</summary>
    WrongSegmentTerminator,

    /// <summary>A byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32, twice, or mid-file) or the whole file re-encoded as UTF-16.</summary>
    ByteOrderMark,

    /// <summary>Line ends changed one by one to CRLF, CR, LF CR or nothing.</summary>
    MixedLineEndings,

    /// <summary>An element or field replaced by a long value (usually kilobytes, sometimes above the X12 reader's 1 MB
    /// segment limit), quoted or not.</summary>
    HugeField,

    /// <summary>Invalid UTF-8 sequences (lone continuation bytes, overlong forms, surrogates, 0xFF) inserted or written over a byte.</summary>
    InvalidUtf8,

    /// <summary>X12 only: IEA01, GE01 or SE01 (or IEA02 / GE02 / SE02 / ISA13) given a wrong or malformed value.</summary>
    EnvelopeCountError,

    /// <summary>A segment (X12) or line (CSV) repeated, possibly several times or at another place.</summary>
    DuplicateSegment,

    /// <summary>A segment (X12) or line (CSV) removed.</summary>
    RemoveSegment,

    /// <summary>An element or field replaced by short junk: separators, quotes, NUL, control characters, digits, letters.</summary>
    JunkField,
}

/// <summary>What a seed file is.</summary>
public enum SeedFormat
{
    X12,
    ClaimsCsv,
    EligibilityCsv,
}

/// <summary>A file the mutator starts from.</summary>
public sealed record FuzzSeed(string Name, SeedFormat Format, byte[] Content);

/// <summary>One mutated file: its bytes and how it was made (seed name and the mutations, in order; no file content).</summary>
public sealed record MutatedFile(byte[] Content, string Seed, IReadOnlyList<MutationKind> Kinds, string Description);

/// <summary>
/// A deterministic mutator over claims files: the same seed file and the same <see cref="Random"/> state give the
/// same bytes, so a failing file is rebuilt from the corpus seed and its index. Works on bytes; X12 separators are
/// taken from the seed's ISA (the element separator after "ISA", ISA16 and the terminator after it).
/// </summary>
public static class ClaimsMutator
{
    /// <summary>Marks the content of huge fields, so a report that repeats one is caught.</summary>
    public const string HugeMarker = "ZZHUGEVALUE";

    /// <summary>Marks some junk values, so a report that repeats a short bad value is caught.</summary>
    public const string JunkMarker = "ZQJUNK";

    private static readonly MutationKind[] CsvKinds = [.. Enum.GetValues<MutationKind>().Where(k => k != MutationKind.EnvelopeCountError)];

    private static readonly byte[][] InvalidSequences =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0xAF], [0xC3, 0x28], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF0, 0x28, 0x8C, 0xBC],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC2], [0xE2, 0x82],
    ];

    /// <summary>Mutates <paramref name="seed"/> once, or two or three times (one file in four).</summary>
    public static MutatedFile Mutate(FuzzSeed seed, Random random)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(random);
        var count = random.Next(4) == 0 ? random.Next(2, 4) : 1;
        var kinds = new List<MutationKind>(count);
        var notes = new List<string>(count);
        var content = seed.Content;
        for (var i = 0; i < count; i++)
        {
            var candidates = seed.Format == SeedFormat.X12 ? Enum.GetValues<MutationKind>() : CsvKinds;
            var kind = candidates[random.Next(candidates.Length)];
            var (mutated, note) = Apply(kind, content, seed.Format, random);
            kinds.Add(kind);
            notes.Add(note);
            content = mutated;
        }

        return new MutatedFile(content, seed.Name, kinds, string.Join("; ", notes));
    }

    /// <summary>Applies one mutation; returns the new bytes and a note saying what was done (positions, never content).</summary>
    public static (byte[] Content, string Note) Apply(MutationKind kind, byte[] content, SeedFormat format, Random random)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(random);
        var layout = Layout.Of(content, format);
        return kind switch
        {
            MutationKind.Truncate => Truncate(content, random),
            MutationKind.FlipBytes => FlipBytes(content, random),
            MutationKind.WrongElementSeparator => WrongElementSeparator(content, layout, random),
            MutationKind.WrongSegmentTerminator => WrongSegmentTerminator(content, layout, random),
            MutationKind.ByteOrderMark => ByteOrderMark(content, random),
            MutationKind.MixedLineEndings => MixedLineEndings(content, random),
            MutationKind.HugeField => HugeField(content, layout, random),
            MutationKind.InvalidUtf8 => InvalidUtf8(content, random),
            MutationKind.EnvelopeCountError => EnvelopeCountError(content, layout, random),
            MutationKind.DuplicateSegment => DuplicateSegment(content, layout, random),
            MutationKind.RemoveSegment => RemoveSegment(content, layout, random),
            MutationKind.JunkField => JunkField(content, layout, random),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static (byte[], string) Truncate(byte[] content, Random random)
    {
        var at = random.Next(content.Length + 1);
        return (content[..at], Invariant($"truncated at byte {at} of {content.Length}"));
    }

    private static (byte[], string) FlipBytes(byte[] content, Random random)
    {
        if (content.Length == 0)
        {
            return (content, "nothing to flip");
        }

        var copy = (byte[])content.Clone();
        var flips = random.Next(1, 9);
        for (var i = 0; i < flips; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }

        return (copy, Invariant($"{flips} byte(s) flipped"));
    }

    private static (byte[], string) WrongElementSeparator(byte[] content, Layout layout, Random random)
    {
        byte[] replacements = layout.Format == SeedFormat.X12 ? [(byte)'|', (byte)'^', (byte)':', (byte)',', (byte)'\t', (byte)'>', (byte)'*', (byte)'~'] : [(byte)';', (byte)'\t', (byte)'|', (byte)' '];
        var target = layout.Element;
        if (layout.Format == SeedFormat.X12 && random.Next(3) == 0)
        {
            target = random.Next(2) == 0 ? layout.Component : layout.Repetition;
        }

        var replacement = replacements[random.Next(replacements.Length)];
        var whole = random.Next(2) == 0;
        var start = whole ? 0 : random.Next(content.Length + 1);
        var copy = (byte[])content.Clone();
        for (var i = start; i < copy.Length; i++)
        {
            if (copy[i] == target && (whole || random.Next(3) > 0))
            {
                copy[i] = replacement;
            }
        }

        return (copy, Invariant($"separator 0x{target:X2} -> 0x{replacement:X2} from byte {start}"));
    }

    private static (byte[], string) WrongSegmentTerminator(byte[] content, Layout layout, Random random)
    {
        byte[] replacements = layout.Format == SeedFormat.X12 ? [(byte)'\n', (byte)'|', (byte)'!', (byte)'\'', (byte)'~', (byte)'\r', (byte)'*'] : [(byte)'\r', (byte)';', (byte)'|', 0];
        var replacement = replacements[random.Next(replacements.Length)];
        var start = random.Next(2) == 0 ? 0 : random.Next(content.Length + 1);
        var copy = (byte[])content.Clone();
        var stripLineBreaks = layout.Format == SeedFormat.X12 && random.Next(2) == 0;
        var output = new List<byte>(copy.Length);
        for (var i = 0; i < copy.Length; i++)
        {
            var b = copy[i];
            if (i >= start && b == layout.Terminator)
            {
                output.Add(replacement);
                continue;
            }

            if (i >= start && stripLineBreaks && b is (byte)'\n' or (byte)'\r')
            {
                continue;
            }

            output.Add(b);
        }

        return ([.. output], Invariant($"terminator 0x{layout.Terminator:X2} -> 0x{replacement:X2} from byte {start}{(stripLineBreaks ? ", line breaks removed" : string.Empty)}"));
    }

    private static (byte[], string) ByteOrderMark(byte[] content, Random random)
    {
        byte[] utf8 = [0xEF, 0xBB, 0xBF];
        switch (random.Next(8))
        {
            case 0:
                return ([.. utf8, .. content], "UTF-8 BOM");
            case 1:
                return ([0xFF, 0xFE, .. content], "UTF-16 LE BOM before UTF-8 bytes");
            case 2:
                return ([0xFE, 0xFF, .. content], "UTF-16 BE BOM before UTF-8 bytes");
            case 3:
                return ([.. utf8, .. utf8, .. content], "two UTF-8 BOMs");
            case 4:
                return ([0xFF, 0xFE, 0x00, 0x00, .. content], "UTF-32 LE BOM");
            case 5:
                var at = random.Next(content.Length + 1);
                return ([.. content[..at], .. utf8, .. content[at..]], Invariant($"UTF-8 BOM at byte {at}"));
            case 6:
                return (Reencode(content, new UnicodeEncoding(bigEndian: false, byteOrderMark: true)), "re-encoded as UTF-16 LE with BOM");
            default:
                return (Reencode(content, new UnicodeEncoding(bigEndian: true, byteOrderMark: true)), "re-encoded as UTF-16 BE with BOM");
        }
    }

    private static byte[] Reencode(byte[] content, Encoding encoding) =>
        [.. encoding.GetPreamble(), .. encoding.GetBytes(Encoding.Latin1.GetString(content))];

    private static (byte[], string) MixedLineEndings(byte[] content, Random random)
    {
        string[] endings = ["\r\n", "\r", "\n\r", "\n", string.Empty, "\r\r\n"];
        var output = new List<byte>(content.Length + 64);
        var changed = 0;
        foreach (var b in content)
        {
            if (b != '\n')
            {
                output.Add(b);
                continue;
            }

            var ending = endings[random.Next(endings.Length)];
            changed += ending == "\n" ? 0 : 1;
            output.AddRange(Encoding.ASCII.GetBytes(ending));
        }

        return ([.. output], Invariant($"{changed} line end(s) changed"));
    }

    private static (byte[], string) HugeField(byte[] content, Layout layout, Random random)
    {
        // Mostly kilobytes (the corpus stays fast); one in thirty above 1 MB, past the X12 reader's segment limit
        // and Sylvan's record buffer.
        var length = random.Next(30) == 0 ? random.Next(1_050_000, 1_200_000) : random.Next(1_000, 20_000);
        var value = new StringBuilder(length + HugeMarker.Length);
        var quoted = layout.Format != SeedFormat.X12 && random.Next(3) == 0;
        if (quoted)
        {
            value.Append('"');
        }

        while (value.Length < length)
        {
            value.Append(HugeMarker);
            if (quoted && random.Next(50) == 0)
            {
                value.Append(random.Next(2) == 0 ? "\n" : "\"\"");
            }
        }

        if (quoted)
        {
            value.Append('"');
        }

        return ReplaceField(content, layout, random, Encoding.ASCII.GetBytes(value.ToString()), Invariant($"huge field of {value.Length} bytes{(quoted ? " (quoted)" : string.Empty)}"));
    }

    private static (byte[], string) InvalidUtf8(byte[] content, Random random)
    {
        var sequence = InvalidSequences[random.Next(InvalidSequences.Length)];
        var at = random.Next(content.Length + 1);
        if (random.Next(2) == 0 || at == content.Length)
        {
            return ([.. content[..at], .. sequence, .. content[at..]], Invariant($"invalid UTF-8 ({sequence.Length} bytes) inserted at byte {at}"));
        }

        return ([.. content[..at], .. sequence, .. content[(at + 1)..]], Invariant($"invalid UTF-8 ({sequence.Length} bytes) over byte {at}"));
    }

    private static (byte[], string) EnvelopeCountError(byte[] content, Layout layout, Random random)
    {
        if (layout.Format != SeedFormat.X12)
        {
            return JunkField(content, layout, random);
        }

        var segments = layout.Segments(content);
        var envelope = segments.Select((s, i) => (Segment: s, Index: i))
            .Where(s => s.Segment.Id is "IEA" or "GE" or "SE" or "ISA")
            .ToList();
        if (envelope.Count == 0)
        {
            return JunkField(content, layout, random);
        }

        var (segment, index) = envelope[random.Next(envelope.Count)];
        var elements = segment.Elements;
        var position = segment.Id == "ISA" ? 13 : random.Next(3) == 0 ? 2 : 1;
        if (position >= elements.Count)
        {
            return (content, Invariant($"{segment.Id} at segment {index + 1} has no element {position}"));
        }

        var old = elements[position];
        string[] bad = ["0", "-1", string.Empty, "A", "1e3", "999999999", " 1", "00000000000000000001", "2147483648", "9223372036854775808"];
        var value = random.Next(3) == 0
            ? bad[random.Next(bad.Length)]
            : long.TryParse(old.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? (number + (random.Next(2) == 0 ? 1 : -1)).ToString(CultureInfo.InvariantCulture).PadLeft(segment.Id == "ISA" ? 9 : 0, '0')
                : "1";
        elements[position] = value;
        segments[index] = segment with { Elements = elements };
        return (layout.Join(segments), Invariant($"{segment.Id}{position:00} at segment {index + 1} changed"));
    }

    private static (byte[], string) DuplicateSegment(byte[] content, Layout layout, Random random)
    {
        var segments = layout.Segments(content);
        if (segments.Count == 0)
        {
            return (content, "no segment to duplicate");
        }

        var from = random.Next(segments.Count);
        var copies = random.Next(5) == 0 ? random.Next(2, 40) : 1;
        var to = random.Next(3) == 0 ? random.Next(segments.Count + 1) : from;
        segments.InsertRange(to, Enumerable.Repeat(segments[from], copies));
        return (layout.Join(segments), Invariant($"segment {from + 1} repeated {copies} time(s) at {to + 1}"));
    }

    private static (byte[], string) RemoveSegment(byte[] content, Layout layout, Random random)
    {
        var segments = layout.Segments(content);
        if (segments.Count == 0)
        {
            return (content, "no segment to remove");
        }

        var at = random.Next(segments.Count);
        var count = random.Next(4) == 0 ? random.Next(1, Math.Min(5, segments.Count - at) + 1) : 1;
        segments.RemoveRange(at, count);
        return (layout.Join(segments), Invariant($"{count} segment(s) removed at {at + 1}"));
    }

    private static (byte[], string) JunkField(byte[] content, Layout layout, Random random)
    {
        const string Alphabet = "AZaz09*~:^|>,;\"' -.\t\r\n\0\u0001\u007F\u00E9";
        var length = random.Next(0, 16);
        var junk = new StringBuilder(length + JunkMarker.Length);
        for (var i = 0; i < length; i++)
        {
            junk.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        // One in three carries the marker, so a report that repeats a short bad value is caught too.
        if (random.Next(3) == 0)
        {
            junk.Insert(random.Next(junk.Length + 1), JunkMarker);
        }

        return ReplaceField(content, layout, random, Encoding.UTF8.GetBytes(junk.ToString()), Invariant($"a field replaced by {junk.Length} junk character(s)"));
    }

    /// <summary>Replaces one element of one segment (X12) or one field of one line (CSV) with <paramref name="value"/>.</summary>
    private static (byte[], string) ReplaceField(byte[] content, Layout layout, Random random, byte[] value, string note)
    {
        var segments = layout.Segments(content);
        if (segments.Count == 0)
        {
            return ([.. content, .. value], note + " (appended: no segment)");
        }

        var index = random.Next(segments.Count);
        var segment = segments[index];
        var elements = segment.Elements;
        var position = random.Next(elements.Count);
        elements[position] = Encoding.Latin1.GetString(value);
        segments[index] = segment with { Elements = elements };
        return (layout.Join(segments), note + Invariant($" at segment {index + 1}, element {position}"));
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>A segment (X12) or line (CSV) split into elements / fields, as Latin-1 text (one char per byte).</summary>
    private sealed record Piece(List<string> Elements)
    {
        public string Id => Elements.Count > 0 ? Elements[0].Trim() : string.Empty;
    }

    /// <summary>How a file splits into segments and elements: from the ISA for X12 (defaults when it is unusable),
    /// lines and commas for CSV (quotes are ignored: the mutator is meant to break files).</summary>
    private sealed record Layout(SeedFormat Format, byte Element, byte Component, byte Repetition, byte Terminator)
    {
        public static Layout Of(byte[] content, SeedFormat format)
        {
            if (format == SeedFormat.X12 && content.Length >= 106 && content[0] == 'I' && content[1] == 'S' && content[2] == 'A')
            {
                return new Layout(format, content[3], content[104], content[82], content[105]);
            }

            return format == SeedFormat.X12
                ? new Layout(format, (byte)'*', (byte)':', (byte)'^', (byte)'~')
                : new Layout(format, (byte)',', (byte)':', (byte)';', (byte)'\n');
        }

        public List<Piece> Segments(byte[] content)
        {
            var text = Encoding.Latin1.GetString(content);
            var parts = text.Split((char)Terminator);

            // The terminator after the last segment leaves an empty (or line-break only) tail, kept as is by Join.
            return [.. parts.Select(p => new Piece([.. p.Split((char)Element)]))];
        }

        public byte[] Join(List<Piece> segments) =>
            Encoding.Latin1.GetBytes(string.Join((char)Terminator, segments.Select(s => string.Join((char)Element, s.Elements))));
    }
}
