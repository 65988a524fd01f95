using System.Buffers.Binary;
using System.Text;

namespace Mets.Claims.Storage.Sqlite;

/// <summary>
/// Compact binary form of a <see cref="Claim"/> for the SQLite store (claims are the bulk of what the
/// store writes; JSON was about four times larger and slower). Format version 2 (version 1 plus the
/// member's birth date after the lines): little-endian integers, strings as UTF-8 with a 7-bit encoded
/// length prefix, decimals as their four 32-bit parts, nullable values with a presence flag (the layout of
/// <see cref="BinaryWriter"/>'s primitives, which wrote the bodies stored so far). Version 1 bodies (written
/// before birth dates were kept) still decode. Encoding writes into a reused per-thread buffer and decoding
/// reads from a span, so neither allocates more than the claim itself.
/// </summary>
internal static class ClaimBinaryCodec
{
    private const byte FormatVersion = 2;
    private const byte FormatVersionWithoutBirthDate = 1;

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>Encodes into a new array.</summary>
    public static byte[] Encode(Claim claim) => EncodeToBuffer(claim).ToArray();

    /// <summary>Encodes into a per-thread buffer: the span is valid until the next call on the same thread.</summary>
    public static ReadOnlySpan<byte> EncodeToBuffer(Claim claim)
    {
        var w = new Writer(t_buffer ??= new byte[1024]);
        w.Byte(FormatVersion);
        w.String(claim.ClaimId);
        w.Byte((byte)claim.Frequency);
        w.String(claim.MemberId);
        w.Byte((byte)claim.Type);
        w.Date(claim.AdmissionDate);
        w.Date(claim.DischargeDate);
        w.OptionalString(claim.PlaceOfService);
        w.OptionalString(claim.BillType);
        w.Int32(claim.Diagnoses.Count);
        foreach (var dx in claim.Diagnoses)
        {
            w.String(dx.Code);
            w.Byte((byte)dx.System);
        }

        w.OptionalString(claim.BillingNpi);
        w.Int32(claim.Lines.Count);
        foreach (var line in claim.Lines)
        {
            w.Int32(line.LineNumber);
            w.Int32(line.ServiceFrom.DayNumber);
            w.Int32(line.ServiceTo.DayNumber);
            w.OptionalString(line.PlaceOfService);
            w.OptionalString(line.RevenueCode);
            w.OptionalString(line.ProcedureCode);
            w.Byte((byte)line.Modifiers.Count);
            foreach (var modifier in line.Modifiers)
            {
                w.String(modifier);
            }

            w.OptionalString(line.RenderingNpi);
            w.OptionalString(line.RenderingTaxonomy);
            w.OptionalString(line.Ndc);
            w.Int32(line.DaysSupply ?? -1);
            w.OptionalDecimal(line.Quantity);
            w.OptionalDecimal(line.AllowedAmount);
            w.Decimal(line.PaidAmount);
            w.Byte((byte)line.Status);
        }

        w.Date(claim.MemberBirthDate);
        t_buffer = w.Buffer;
        return w.Written;
    }

    public static Claim Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        var version = r.Byte();
        if (version is not (FormatVersion or FormatVersionWithoutBirthDate))
        {
            throw new InvalidDataException("Unknown stored claim format version.");
        }

        var claimId = r.String();
        var frequency = (ClaimFrequency)r.Byte();
        var memberId = r.String();
        var type = (ClaimType)r.Byte();
        var admission = r.Date();
        var discharge = r.Date();
        var pos = r.OptionalString();
        var billType = r.OptionalString();
        var diagnoses = new DiagnosisCode[r.Int32()];
        for (var i = 0; i < diagnoses.Length; i++)
        {
            diagnoses[i] = new DiagnosisCode(r.String(), (DiagnosisCodeSystem)r.Byte());
        }

        var billingNpi = r.OptionalString();
        var lines = new ClaimLine[r.Int32()];
        for (var i = 0; i < lines.Length; i++)
        {
            var number = r.Int32();
            var from = DateOnly.FromDayNumber(r.Int32());
            var to = DateOnly.FromDayNumber(r.Int32());
            var linePos = r.OptionalString();
            var revenue = r.OptionalString();
            var procedure = r.OptionalString();
            var modifiers = new string[r.Byte()];
            for (var m = 0; m < modifiers.Length; m++)
            {
                modifiers[m] = r.String();
            }

            var renderingNpi = r.OptionalString();
            var taxonomy = r.OptionalString();
            var ndc = r.OptionalString();
            var days = r.Int32();
            var quantity = r.OptionalDecimal();
            var allowed = r.OptionalDecimal();
            var paid = r.Decimal();
            var status = (ClaimLineStatus)r.Byte();
            lines[i] = new ClaimLine(number, from, to, linePos, revenue, procedure, modifiers, renderingNpi, taxonomy, ndc, days < 0 ? null : days, quantity, allowed, paid, status);
        }

        var birthDate = version == FormatVersion ? r.Date() : null;
        return new Claim(claimId, frequency, memberId, type, admission, discharge, pos, billType, diagnoses, billingNpi, lines) { MemberBirthDate = birthDate };
    }

    private ref struct Writer(byte[] buffer)
    {
        private int _length;

        public byte[] Buffer { get; private set; } = buffer;

        public readonly ReadOnlySpan<byte> Written => Buffer.AsSpan(0, _length);

        public void Byte(byte value) => Take(1)[0] = value;

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

        public void Date(DateOnly? value) => Int32(value?.DayNumber ?? -1);

        public void String(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            for (var rest = (uint)length; ; rest >>= 7)
            {
                if (rest < 0x80)
                {
                    Byte((byte)rest);
                    break;
                }

                Byte((byte)(rest | 0x80));
            }

            Encoding.UTF8.GetBytes(value, Take(length));
        }

        public void OptionalString(string? value)
        {
            Byte(value is null ? (byte)0 : (byte)1);
            if (value is not null)
            {
                String(value);
            }
        }

        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var target = Take(16);
            for (var i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(target[(4 * i)..], bits[i]);
            }
        }

        public void OptionalDecimal(decimal? value)
        {
            Byte(value.HasValue ? (byte)1 : (byte)0);
            if (value.HasValue)
            {
                Decimal(value.Value);
            }
        }

        private Span<byte> Take(int count)
        {
            if (_length + count > Buffer.Length)
            {
                var larger = new byte[Math.Max(Buffer.Length * 2, _length + count)];
                Buffer.AsSpan(0, _length).CopyTo(larger);
                Buffer = larger;
            }

            var span = Buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public DateOnly? Date()
        {
            var day = Int32();
            return day < 0 ? null : DateOnly.FromDayNumber(day);
        }

        public string String()
        {
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw new InvalidDataException("Stored claim has a malformed string length.");
                }

                var b = Byte();
                length |= (b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            return Encoding.UTF8.GetString(Take(length));
        }

        public string? OptionalString() => Byte() != 0 ? String() : null;

        public decimal Decimal()
        {
            var bits = Take(16);
            return new decimal([BinaryPrimitives.ReadInt32LittleEndian(bits), BinaryPrimitives.ReadInt32LittleEndian(bits[4..]),
                BinaryPrimitives.ReadInt32LittleEndian(bits[8..]), BinaryPrimitives.ReadInt32LittleEndian(bits[12..])]);
        }

        public decimal? OptionalDecimal() => Byte() != 0 ? Decimal() : null;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _rest.Length)
            {
                throw new InvalidDataException("Stored claim ends early.");
            }

            var span = _rest[..count];
            _rest = _rest[count..];
            return span;
        }
    }
}
