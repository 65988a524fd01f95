using System.Text;

namespace Mets.Claims.Reading.X12;

/// <summary>One segment: its ordinal in the file (the first ISA = 1) and its elements (index 0 is the segment id).</summary>
public readonly record struct X12Segment(long Number, string[] Elements)
{
    public string Id => Elements[0];

    /// <summary>Element by its X12 position (1-based); empty when absent.</summary>
    public string this[int position] => position < Elements.Length ? Elements[position] : string.Empty;
}

/// <summary>A broken envelope found while reading segments (a segment terminator other than the declared
/// one, a file that ends inside an interchange, an oversized segment), with its TA1 note code.</summary>
internal sealed class X12EnvelopeException(X12EnvelopeProblem problem) : Exception(problem.Message)
{
    public X12EnvelopeProblem Problem { get; } = problem;
}

/// <summary>
/// Streams the segments of one or more X12 interchanges. Each interchange's separators come from its ISA
/// (<see cref="ReadInterchangeHeader"/>: the element separator after "ISA", the repetition separator ISA11,
/// the component separator ISA16 and the segment terminator right after it); line breaks between segments
/// are skipped. Only a small buffer is held in memory; the caller owns the stream.
/// </summary>
public sealed class X12SegmentReader
{
    private const int MaxSegmentLength = 1 << 20;

    /// <summary>The first segment after an ISA is a GS (at most about 90 characters) or an IEA: a longer one
    /// means the segments end with something other than the terminator the ISA declares.</summary>
    private const int MaxFirstSegmentLength = 256;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private char[] _pending = new char[1024];
    private int _pendingLength;
    private int _position;
    private int _length;
    private bool _endOfStream;
    private bool _startOfFile = true;
    private bool _firstAfterIsa;
    private long _number;

    private X12SegmentReader(Stream stream) => _stream = stream;

    /// <summary>The delimiters of the interchange being read (default ones before the first ISA).</summary>
    public X12Delimiters Delimiters { get; private set; } = X12Delimiters.Default;

    /// <summary>Bytes consumed from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Number of the last segment read (ISA segments included).</summary>
    public long SegmentNumber => _number;

    public static X12SegmentReader Create(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new X12SegmentReader(stream);
    }

    /// <summary>Reads the first ISA; throws <see cref="ClaimsFileStructureException"/> naming the problem
    /// when it is missing or malformed (for callers that only want segments).</summary>
    public static X12SegmentReader Open(Stream stream)
    {
        var reader = Create(stream);
        var isa = reader.ReadInterchangeHeader();
        if (isa is not { Header: not null, Problem: null })
        {
            throw new ClaimsFileStructureException(isa?.Problem?.Message ?? "The file does not start with an ISA interchange header.");
        }

        return reader;
    }

    /// <summary>
    /// Reads the next interchange header: skips white space (and a byte-order mark at the start of the
    /// file), then expects "ISA". Null at the end of the stream. When the bytes there are not an ISA, the
    /// result has no header and a problem; when the ISA is malformed the header is returned with the problem
    /// if its fields could be found. After a usable ISA its separators apply to the segments that follow.
    /// </summary>
    internal X12IsaRead? ReadInterchangeHeader()
    {
        while (true)
        {
            if (!Ensure(1))
            {
                return null;
            }

            var b = _buffer[_position];
            if (b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' || (_startOfFile && b is 0xEF or 0xBB or 0xBF))
            {
                _position++;
                continue;
            }

            break;
        }

        _startOfFile = false;
        Ensure(X12Isa.ScanLength);
        var available = _buffer.AsSpan(_position, _length - _position);
        if (available.Length < 3 || available[0] != 'I' || available[1] != 'S' || available[2] != 'A')
        {
            return new X12IsaRead(null, new X12EnvelopeProblem("The data does not start with an ISA interchange header.", "022"), 0, false);
        }

        var read = X12Isa.Parse(available, _endOfStream);
        _number++;
        if (read.Header is not null && read.CanContinue)
        {
            _position += read.Consumed;
            Delimiters = read.Header.Delimiters;
            _firstAfterIsa = true;
        }

        return read;
    }

    /// <summary>Reads the next segment of the current interchange; false at the end of the stream. Throws
    /// <see cref="X12EnvelopeException"/> when the segment terminator is not the declared one or the file ends
    /// inside a segment.</summary>
    public bool TryRead(out X12Segment segment)
    {
        var terminator = (byte)Delimiters.Segment;
        _pendingLength = 0;
        while (true)
        {
            if (_position == _length && !Fill())
            {
                if (!IsBlank(_pending.AsSpan(0, _pendingLength)))
                {
                    throw new X12EnvelopeException(_firstAfterIsa || LooksLikeSeveralSegments(Trimmed(_pending.AsSpan(0, _pendingLength)))
                        ? WrongTerminator()
                        : new X12EnvelopeProblem($"Segment {_number + 1} is not terminated: the file is truncated.", "023"));
                }

                segment = default;
                return false;
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
            _firstAfterIsa = false;
            segment = new X12Segment(_number, Trimmed(text).ToString().Split(Delimiters.Element));
            return true;
        }
    }

    private X12EnvelopeProblem WrongTerminator() => new(
        $"Segment {_number + 1}: the segments do not end with the segment terminator the ISA declares (the character after ISA16); the file uses another one.", "004");

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var limit = _firstAfterIsa ? MaxFirstSegmentLength : MaxSegmentLength;
        if (_pendingLength + bytes.Length > limit)
        {
            throw new X12EnvelopeException(WrongTerminator());
        }

        if (_pendingLength + bytes.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        }

        // Latin-1 maps every byte to one char, so any byte sequence decodes (X12 is ASCII in practice).
        _pendingLength += Encoding.Latin1.GetChars(bytes, _pending.AsSpan(_pendingLength));
    }

    /// <summary>True when the text holds what looks like the start of another segment after a separator
    /// character (e.g. "...\nST*837"): segments that end with something other than the declared terminator.</summary>
    private bool LooksLikeSeveralSegments(ReadOnlySpan<char> text)
    {
        var element = Delimiters.Element;
        for (var i = 1; i + 3 < text.Length; i++)
        {
            var before = text[i - 1];
            if (char.IsAsciiLetterOrDigit(before) || before == ' ' || before == element || before == Delimiters.Component || before == Delimiters.Repetition)
            {
                continue;
            }

            if (char.IsAsciiLetterUpper(text[i]) && (char.IsAsciiLetterUpper(text[i + 1]) || char.IsAsciiDigit(text[i + 1])))
            {
                if (text[i + 2] == element || (char.IsAsciiLetterOrDigit(text[i + 2]) && text[i + 3] == element))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Reads more bytes when the buffer is used up; false at the end of the stream.</summary>
    private bool Fill()
    {
        if (_endOfStream)
        {
            return false;
        }

        _length = _stream.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        if (_length == 0)
        {
            _endOfStream = true;
            return false;
        }

        BytesRead += _length;
        return true;
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available (fewer at the end of the stream);
    /// false when none is left.</summary>
    private bool Ensure(int count)
    {
        if (_length - _position >= count)
        {
            return true;
        }

        if (_position > 0)
        {
            Array.Copy(_buffer, _position, _buffer, 0, _length - _position);
            _length -= _position;
            _position = 0;
        }

        while (_length < count && !_endOfStream)
        {
            var n = _stream.Read(_buffer, _length, _buffer.Length - _length);
            if (n == 0)
            {
                _endOfStream = true;
                break;
            }

            _length += n;
            BytesRead += n;
        }

        return _length > _position;
    }

    private static bool IsBlank(ReadOnlySpan<char> text) => text.IsWhiteSpace();

    private static ReadOnlySpan<char> Trimmed(ReadOnlySpan<char> text) =>
        text.TrimStart("\r\n \t").TrimEnd("\r\n");
}
