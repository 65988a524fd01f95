using System.Text;

namespace Mets.Claims.Reading.X12;

/// <summary>The delimiters an interchange declares in its fixed-length ISA segment.</summary>
public sealed record X12Delimiters(char Element, char Component, char Repetition, char Segment);

/// <summary>One segment: its ordinal in the file (ISA = 1) and its elements (index 0 is the segment id).</summary>
public readonly record struct X12Segment(long Number, string[] Elements)
{
    public string Id => Elements[0];

    /// <summary>Element by its X12 position (1-based); empty when absent.</summary>
    public string this[int position] => position < Elements.Length ? Elements[position] : string.Empty;
}

/// <summary>
/// Streams the segments of an X12 interchange. The separators come from the ISA segment (element
/// separator at byte 4, repetition at ISA11, component at ISA16, segment terminator right after).
/// Line breaks between segments are skipped. Only a small buffer is held in memory; the caller owns
/// the stream.
/// </summary>
public sealed class X12SegmentReader
{
    private const int IsaLength = 106;
    private const int MaxSegmentLength = 1 << 20;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private char[] _pending = new char[1024];
    private int _pendingLength;
    private int _position;
    private int _length;
    private long _number;

    private X12SegmentReader(Stream stream, X12Delimiters delimiters, string[] isa)
    {
        _stream = stream;
        Delimiters = delimiters;
        Isa = new X12Segment(1, isa);
        _number = 1;
    }

    public X12Delimiters Delimiters { get; }

    /// <summary>The ISA segment (already consumed).</summary>
    public X12Segment Isa { get; }

    /// <summary>Bytes consumed from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the ISA segment and the separators it declares.</summary>
    public static X12SegmentReader Open(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var isa = new byte[IsaLength];
        var read = 0;
        while (read < IsaLength)
        {
            var n = stream.Read(isa, read, IsaLength - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var start = 0;
        while (start < read && (isa[start] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' || (start < 3 && isa[start] is 0xEF or 0xBB or 0xBF)))
        {
            start++;
        }

        if (start > 0)
        {
            // Leading whitespace or a byte-order mark: shift and top the fixed-length ISA up again.
            Array.Copy(isa, start, isa, 0, read - start);
            read -= start;
            while (read < IsaLength)
            {
                var n = stream.Read(isa, read, IsaLength - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }

        if (read < IsaLength || isa[0] != 'I' || isa[1] != 'S' || isa[2] != 'A')
        {
            throw new ClaimsFileStructureException("The file does not start with a complete ISA interchange header.");
        }

        var element = (char)isa[3];
        var delimiters = new X12Delimiters(element, (char)isa[104], (char)isa[82], (char)isa[105]);
        if (char.IsLetterOrDigit(delimiters.Segment) || delimiters.Segment == element || delimiters.Component == element)
        {
            throw new ClaimsFileStructureException("The ISA header does not declare usable separators (fixed-length ISA expected).");
        }

        var text = Encoding.Latin1.GetString(isa, 0, IsaLength - 1);
        var elements = text.Split(element);
        if (elements.Length != 17)
        {
            throw new ClaimsFileStructureException("The ISA header does not have 16 elements.");
        }

        var reader = new X12SegmentReader(stream, delimiters, elements) { BytesRead = start + IsaLength };
        return reader;
    }

    /// <summary>Reads the next segment; false at the end of the stream.</summary>
    public bool TryRead(out X12Segment segment)
    {
        var terminator = (byte)Delimiters.Segment;
        _pendingLength = 0;
        while (true)
        {
            if (_position == _length)
            {
                _length = _stream.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_length == 0)
                {
                    if (!IsBlank(_pending.AsSpan(0, _pendingLength)))
                    {
                        throw new ClaimsFileStructureException($"Segment {_number + 1} is not terminated: the file is truncated.");
                    }

                    segment = default;
                    return false;
                }

                BytesRead += _length;
            }

            var span = _buffer.AsSpan(_position, _length - _position);
            var end = span.IndexOf(terminator);
            if (end < 0)
            {
                Append(span);
                _position = _length;
                continue;
            }

            Append(span[..end]);
            _position += end + 1;
            var text = _pending.AsSpan(0, _pendingLength);
            if (IsBlank(text))
            {
                _pendingLength = 0;
                continue;
            }

            _number++;
            segment = new X12Segment(_number, Trimmed(text).ToString().Split(Delimiters.Element));
            return true;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLength + bytes.Length > MaxSegmentLength)
        {
            throw new ClaimsFileStructureException($"Segment {_number + 1} is longer than {MaxSegmentLength} bytes: the segment terminator declared in ISA is not used.");
        }

        if (_pendingLength + bytes.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        }

        // Latin-1 maps every byte to one char, so any byte sequence decodes (X12 is ASCII in practice).
        _pendingLength += Encoding.Latin1.GetChars(bytes, _pending.AsSpan(_pendingLength));
    }

    private static bool IsBlank(ReadOnlySpan<char> text) => text.IsWhiteSpace();

    private static ReadOnlySpan<char> Trimmed(ReadOnlySpan<char> text) =>
        text.TrimStart("\r\n \t").TrimEnd("\r\n");
}
