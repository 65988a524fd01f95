using System.Globalization;
using System.Text;

namespace Mets.Claims.Bench;

/// <summary>
/// Writes realistic synthetic METS claims CSV, eligibility CSV and X12 837P files: members in order
/// (the rows of a member are contiguous), a behavioral-health mix (therapy, psychiatric stays, ED
/// visits, SUD services), medical visits and pharmacy fills (antipsychotics, antidepressants, MAT and
/// other drugs). Everything is fictional; the seed is printed so a run can be repeated.
/// </summary>
internal sealed class SyntheticClaimsGenerator(int seed)
{
    private static readonly string[] MentalIllness = ["F32.1", "F33.1", "F41.1", "F43.10", "F31.81", "F20.9", "F25.0", "F90.0"];
    private static readonly string[] Substance = ["F10.20", "F11.20", "F12.20", "F14.20"];
    private static readonly string[] Medical = ["J06.9", "I10", "E11.9", "M54.5", "Z00.00", "K21.9"];
    private static readonly string[] TherapyCodes = ["90832", "90834", "90837", "90791", "99214", "H0004", "H2019"];
    private static readonly string[] MedicalCodes = ["99213", "99214", "80053", "85025", "93000"];
    private static readonly string[] Antipsychotics = ["59148000810", "00310027110", "50268008711"];
    private static readonly string[] Antidepressants = ["00049491030", "00456201001", "58151057430"];
    private static readonly string[] Mat = ["12496120203", "12496010001"];
    private static readonly string[] OtherDrugs = ["00093505601", "00378180110", "68180051301"];
    private static readonly DateOnly Start = new(2025, 1, 1);

    private readonly Random _random = new(seed);

    public const string Header = "claim_id,line_number,claim_frequency,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,modifiers,dx1,dx2,dx3,rendering_npi,billing_npi,rendering_taxonomy,ndc,days_supply,quantity,allowed_amount,paid_amount,status";

    /// <summary>Writes about <paramref name="targetLines"/> claim lines over <paramref name="members"/>
    /// members. Sorted: each member's claims together (member order). Interleaved: members take turns,
    /// one claim each per round, so a member's claims are spread over the whole file.</summary>
    public (long Lines, long Bytes) WriteClaimsCsv(string path, long targetLines, int members, bool interleaved = false)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write(Header);
        writer.Write('\n');
        long lines = 0;
        var claimSeq = 0L;
        var perMember = Math.Max(1.0, (double)targetLines / members);
        var row = new StringBuilder(256);
        var profiles = new double[members];
        var budgets = new int[members];
        var days = new int[members];
        for (var m = 0; m < members; m++)
        {
            profiles[m] = _random.NextDouble();
            budgets[m] = Math.Max(1, (int)Math.Round(perMember * (0.5 + _random.NextDouble())));
            days[m] = _random.Next(0, 360);
        }

        int WriteOne(int m)
        {
            days[m] += _random.Next(1, 12);
            claimSeq++;
            var written = WriteClaim(writer, row, $"C{claimSeq:D10}", MemberId(m + 1), Start.AddDays(days[m] % 420), profiles[m]);
            budgets[m] -= written;
            return written;
        }

        if (!interleaved)
        {
            for (var m = 0; m < members && lines < targetLines; m++)
            {
                while (budgets[m] > 0)
                {
                    lines += WriteOne(m);
                }
            }
        }
        else
        {
            var active = true;
            while (active && lines < targetLines)
            {
                active = false;
                for (var m = 0; m < members && lines < targetLines; m++)
                {
                    if (budgets[m] > 0)
                    {
                        active = true;
                        lines += WriteOne(m);
                    }
                }
            }
        }

        writer.Flush();
        return (lines, writer.BaseStream.Length);
    }

    public void WriteEligibilityCsv(string path, int members)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("member_id,plan,coverage_start,coverage_end\n");
        for (var m = 1; m <= members; m++)
        {
            var start = Start.AddMonths(-_random.Next(0, 24));
            var end = _random.NextDouble() < 0.1 ? Start.AddMonths(_random.Next(3, 14)).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty;
            writer.Write($"{MemberId(m)},MEDICAID,{start:yyyy-MM-dd},{end}\n");
        }
    }

    /// <summary>Writes an 837P interchange of about <paramref name="targetBytes"/> bytes.</summary>
    public (long Claims, long Bytes) WriteX12(string path, long targetBytes, int members)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
        writer.Write("ISA*00*          *00*          *ZZ*METSBENCH      *ZZ*METSPLAN       *260301*1200*^*00501*000000777*0*T*:~\n");
        writer.Write("GS*HC*METSBENCH*METSPLAN*20260301*1200*777*X*005010X222A2~\n");
        writer.Write("ST*837*0001*005010X222A2~\n");
        var segments = 1;
        void Segment(string text)
        {
            writer.Write(text);
            writer.Write("~\n");
            segments++;
        }

        Segment("BHT*0019*00*BENCH*20260301*1200*CH");
        Segment("NM1*41*2*METS BENCH*****46*BENCH");
        Segment("NM1*40*2*METS PLAN*****46*PLAN");
        Segment("HL*1**20*1");
        Segment("PRV*BI*PXC*261QM0801X");
        Segment("NM1*85*2*BENCH CLINIC*****XX*1234567893");
        long claims = 0;
        var hl = 1;
        for (var m = 1; writer.BaseStream.Length < targetBytes; m = m % members + 1)
        {
            hl++;
            Segment($"HL*{hl}*1*22*0");
            Segment("SBR*P*18*******MC");
            Segment($"NM1*IL*1*MEMBER*BENCH****MI*{MemberId(m)}");
            Segment("NM1*PR*2*METS PLAN*****PI*PLAN");
            for (var c = 0; c < 3; c++)
            {
                claims++;
                var bh = _random.NextDouble() < 0.5;
                var dx = bh ? Pick(MentalIllness) : Pick(Medical);
                var date = Start.AddDays(_random.Next(0, 420));
                Segment($"CLM*X{claims:D10}*240.00***{(bh ? "53" : "11")}:B:1*Y*A*Y*Y");
                Segment($"HI*ABK:{dx.Replace(".", string.Empty, StringComparison.Ordinal)}*ABF:Z6379");
                Segment("NM1*82*1*CLINICIAN*BENCH****XX*1122334455");
                Segment($"PRV*PE*PXC*{(bh ? "1041C0700X" : "207Q00000X")}");
                for (var l = 1; l <= 2; l++)
                {
                    Segment($"LX*{l}");
                    Segment($"SV1*HC:{(bh ? Pick(TherapyCodes) : Pick(MedicalCodes))}*120.00*UN*1***1");
                    Segment($"DTP*472*D8*{date:yyyyMMdd}");
                }
            }
        }

        segments++;
        writer.Write($"SE*{segments}*0001~\nGE*1*777~\nIEA*1*000000777~\n");
        writer.Flush();
        return (claims, stream.Length);
    }

    private int WriteClaim(StreamWriter writer, StringBuilder row, string claimId, string member, DateOnly date, double profile)
    {
        var roll = _random.NextDouble();
        var bhMember = profile < 0.35;
        var sudMember = profile < 0.12;

        // About 2% of members are high utilizers: more psychiatric stays and ED visits.
        var highUtilizer = profile < 0.02;
        var stayShare = highUtilizer ? 0.10 : 0.03;
        var edShare = stayShare + (highUtilizer ? 0.15 : 0.05);
        if (bhMember && roll < stayShare)
        {
            // Psychiatric inpatient stay (UB-04, bill type 111, psychiatric room and board).
            var length = _random.Next(2, 10);
            var discharge = date.AddDays(length);
            var dx = sudMember ? Pick(Substance) : Pick(MentalIllness);
            Line(writer, row, claimId, 1, member, "institutional", date, discharge, date, discharge, "", "111", "0124", "", dx, "", "", 900m * length);
            Line(writer, row, claimId, 2, member, "institutional", date, discharge, date, discharge, "", "111", "0918", "96130", dx, "", "", 300m);
            return 2;
        }

        if (bhMember && roll < edShare)
        {
            var dx = sudMember && _random.NextDouble() < 0.5 ? (_random.NextDouble() < 0.5 ? "T40.1X1A" : Pick(Substance)) : Pick(MentalIllness);
            Line(writer, row, claimId, 1, member, "institutional", date, date, null, null, "", "131", "0450", "99284", dx, "", "", 850m);
            return 1;
        }

        if (roll < 0.35)
        {
            var drugs = bhMember ? (sudMember ? Mat : (profile < 0.2 ? Antipsychotics : Antidepressants)) : OtherDrugs;
            Line(writer, row, claimId, 1, member, "pharmacy", date, date, null, null, "", "", "", "", "", Pick(drugs), "30", 22.5m + _random.Next(0, 300));
            return 1;
        }

        if (bhMember && roll < 0.75)
        {
            var lines = _random.Next(1, 4);
            var dx = sudMember ? Pick(Substance) : Pick(MentalIllness);
            var pos = _random.NextDouble() < 0.2 ? "02" : (_random.NextDouble() < 0.3 ? "53" : "11");
            for (var l = 1; l <= lines; l++)
            {
                Line(writer, row, claimId, l, member, "professional", date.AddDays(l - 1), date.AddDays(l - 1), null, null, pos, "", "", sudMember ? "H0004" : Pick(TherapyCodes), dx, "", "", 95m + _random.Next(0, 60), taxonomy: "1041C0700X");
            }

            return lines;
        }

        var medicalLines = _random.Next(1, 4);
        var medicalDx = Pick(Medical);
        for (var l = 1; l <= medicalLines; l++)
        {
            Line(writer, row, claimId, l, member, "professional", date, date, null, null, "11", "", "", Pick(MedicalCodes), medicalDx, "", "", 40m + _random.Next(0, 200), taxonomy: "207Q00000X");
        }

        return medicalLines;
    }

    private static void Line(StreamWriter writer, StringBuilder row, string claimId, int line, string member, string type, DateOnly from, DateOnly to, DateOnly? admit, DateOnly? discharge,
        string pos, string billType, string revenue, string procedure, string dx1, string ndc, string days, decimal paid, string taxonomy = "")
    {
        row.Clear();
        var inv = CultureInfo.InvariantCulture;
        row.Append(claimId).Append(',').Append(line.ToString(inv)).Append(",original,").Append(member).Append(',').Append(type).Append(',')
            .Append(from.ToString("yyyy-MM-dd", inv)).Append(',').Append(to.ToString("yyyy-MM-dd", inv)).Append(',')
            .Append(admit?.ToString("yyyy-MM-dd", inv)).Append(',').Append(discharge?.ToString("yyyy-MM-dd", inv)).Append(',')
            .Append(pos).Append(',').Append(billType).Append(',').Append(revenue).Append(',').Append(procedure).Append(",,")
            .Append(dx1).Append(',').Append(dx1.Length > 0 && type != "institutional" ? "Z63.79" : string.Empty).Append(",,")
            .Append(type == "pharmacy" ? string.Empty : "1234567893").Append(",1234567893,").Append(taxonomy).Append(',')
            .Append(ndc).Append(',').Append(days).Append(",1,").Append((paid * 1.1m).ToString("0.00", inv)).Append(',').Append(paid.ToString("0.00", inv)).Append(",paid\n");
        foreach (var chunk in row.GetChunks())
        {
            writer.Write(chunk.Span);
        }
    }

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private static string MemberId(int m) => "MB" + m.ToString("D7", CultureInfo.InvariantCulture);
}
