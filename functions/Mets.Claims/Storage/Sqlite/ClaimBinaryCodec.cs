using System.Text;

namespace Mets.Claims.Storage.Sqlite;

/// <summary>
/// Compact binary form of a <see cref="Claim"/> for the SQLite store (claims are the bulk of what the
/// store writes; JSON was about four times larger and slower). Format version 2 (version 1 plus the
/// member's birth date after the lines), little-endian <see cref="BinaryWriter"/> primitives; nullable
/// values carry a presence flag. Version 1 bodies (written before birth dates were kept) still decode.
/// </summary>
internal static class ClaimBinaryCodec
{
    private const byte FormatVersion = 2;
    private const byte FormatVersionWithoutBirthDate = 1;

    [ThreadStatic]
    private static MemoryStream? t_buffer;

    [ThreadStatic]
    private static BinaryWriter? t_writer;

    public static byte[] Encode(Claim claim)
    {
        var buffer = t_buffer ??= new MemoryStream(1024);
        var w = t_writer ??= new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        buffer.SetLength(0);
        {
            w.Write(FormatVersion);
            w.Write(claim.ClaimId);
            w.Write((byte)claim.Frequency);
            w.Write(claim.MemberId);
            w.Write((byte)claim.Type);
            WriteDate(w, claim.AdmissionDate);
            WriteDate(w, claim.DischargeDate);
            WriteString(w, claim.PlaceOfService);
            WriteString(w, claim.BillType);
            w.Write(claim.Diagnoses.Count);
            foreach (var dx in claim.Diagnoses)
            {
                w.Write(dx.Code);
                w.Write((byte)dx.System);
            }

            WriteString(w, claim.BillingNpi);
            w.Write(claim.Lines.Count);
            foreach (var line in claim.Lines)
            {
                w.Write(line.LineNumber);
                w.Write(line.ServiceFrom.DayNumber);
                w.Write(line.ServiceTo.DayNumber);
                WriteString(w, line.PlaceOfService);
                WriteString(w, line.RevenueCode);
                WriteString(w, line.ProcedureCode);
                w.Write((byte)line.Modifiers.Count);
                foreach (var modifier in line.Modifiers)
                {
                    w.Write(modifier);
                }

                WriteString(w, line.RenderingNpi);
                WriteString(w, line.RenderingTaxonomy);
                WriteString(w, line.Ndc);
                w.Write(line.DaysSupply ?? -1);
                WriteDecimal(w, line.Quantity);
                WriteDecimal(w, line.AllowedAmount);
                w.Write(line.PaidAmount);
                w.Write((byte)line.Status);
            }

            WriteDate(w, claim.MemberBirthDate);
        }

        w.Flush();
        return buffer.ToArray();
    }

    public static Claim Decode(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        if (version is not (FormatVersion or FormatVersionWithoutBirthDate))
        {
            throw new InvalidDataException("Unknown stored claim format version.");
        }

        var claimId = r.ReadString();
        var frequency = (ClaimFrequency)r.ReadByte();
        var memberId = r.ReadString();
        var type = (ClaimType)r.ReadByte();
        var admission = ReadDate(r);
        var discharge = ReadDate(r);
        var pos = ReadString(r);
        var billType = ReadString(r);
        var diagnoses = new DiagnosisCode[r.ReadInt32()];
        for (var i = 0; i < diagnoses.Length; i++)
        {
            diagnoses[i] = new DiagnosisCode(r.ReadString(), (DiagnosisCodeSystem)r.ReadByte());
        }

        var billingNpi = ReadString(r);
        var lines = new ClaimLine[r.ReadInt32()];
        for (var i = 0; i < lines.Length; i++)
        {
            var number = r.ReadInt32();
            var from = DateOnly.FromDayNumber(r.ReadInt32());
            var to = DateOnly.FromDayNumber(r.ReadInt32());
            var linePos = ReadString(r);
            var revenue = ReadString(r);
            var procedure = ReadString(r);
            var modifiers = new string[r.ReadByte()];
            for (var m = 0; m < modifiers.Length; m++)
            {
                modifiers[m] = r.ReadString();
            }

            var renderingNpi = ReadString(r);
            var taxonomy = ReadString(r);
            var ndc = ReadString(r);
            var days = r.ReadInt32();
            var quantity = ReadDecimal(r);
            var allowed = ReadDecimal(r);
            var paid = r.ReadDecimal();
            var status = (ClaimLineStatus)r.ReadByte();
            lines[i] = new ClaimLine(number, from, to, linePos, revenue, procedure, modifiers, renderingNpi, taxonomy, ndc, days < 0 ? null : days, quantity, allowed, paid, status);
        }

        var birthDate = version == FormatVersion ? ReadDate(r) : null;
        return new Claim(claimId, frequency, memberId, type, admission, discharge, pos, billType, diagnoses, billingNpi, lines) { MemberBirthDate = birthDate };
    }

    private static void WriteString(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    private static string? ReadString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteDate(BinaryWriter w, DateOnly? value) => w.Write(value?.DayNumber ?? -1);

    private static DateOnly? ReadDate(BinaryReader r)
    {
        var day = r.ReadInt32();
        return day < 0 ? null : DateOnly.FromDayNumber(day);
    }

    private static void WriteDecimal(BinaryWriter w, decimal? value)
    {
        w.Write(value.HasValue);
        if (value.HasValue)
        {
            w.Write(value.Value);
        }
    }

    private static decimal? ReadDecimal(BinaryReader r) => r.ReadBoolean() ? r.ReadDecimal() : null;
}
