using System.Globalization;
using System.Text;

namespace Mets.Claims.Tests;

/// <summary>Builds 837P interchanges for envelope tests: any number of interchanges, groups and transaction sets,
/// with correct SE/GE/IEA counts and control numbers unless a test breaks them on purpose.</summary>
internal static class X12Samples
{
    public const string Member = "MX12001";

    /// <summary>One 837P transaction set (ST..SE, written with '*' and ':'): a billing provider, a subscriber and
    /// <paramref name="claims"/> claims with one line each.</summary>
    public static List<string> Set(string control, string claimPrefix, int claims = 1, string member = Member, string principal = "F329", string? secondary = null, string version = "005010X222A1")
    {
        var segments = new List<string>
        {
            $"ST*837*{control}*{version}",
            "BHT*0019*00*B1*20260301*1200*CH",
            "NM1*41*2*SUBMITTER*****46*S1",
            "NM1*40*2*RECEIVER*****46*R1",
            "HL*1**20*1",
            "NM1*85*2*CLINIC*****XX*1234567893",
            "HL*2*1*22*0",
            "SBR*P*18*******MC",
            $"NM1*IL*1*DOE*JANE****MI*{member}",
            "DMG*D8*19800101*F",
        };
        for (var i = 1; i <= claims; i++)
        {
            segments.Add($"CLM*{claimPrefix}{i}*100***11:B:1*Y*A*Y*Y");
            segments.Add(secondary is null ? $"HI*ABK:{principal}" : $"HI*ABK:{principal}*ABF:{secondary}");
            segments.Add("LX*1");
            segments.Add("SV1*HC:90837*100*UN*1***1");
            segments.Add(string.Create(CultureInfo.InvariantCulture, $"DTP*472*D8*202602{10 + (i % 15):00}"));
        }

        segments.Add($"SE*{segments.Count + 1}*{control}");
        return segments;
    }

    /// <summary>A functional group around transaction sets.</summary>
    public static List<string> Group(string control, params List<string>[] sets) =>
        [$"GS*HC*SENDERAPP*RECEIVERAPP*20260301*1200*{control}*X*005010X222A1", .. sets.SelectMany(s => s), $"GE*{sets.Length}*{control}"];

    /// <summary>An interchange (fixed-length ISA) around groups, with the given separators; segments end with the
    /// terminator and a line break.</summary>
    public static string Interchange(string control, IEnumerable<List<string>> groups, char element = '*', char component = ':', char terminator = '~', string acknowledgmentRequested = "0")
    {
        var groupList = groups.ToList();
        var isa = $"ISA*00*{new string(' ', 10)}*00*{new string(' ', 10)}*ZZ*{"SUBMITTER",-15}*ZZ*{"METSPLAN",-15}*260301*1200*^*00501*{control}*{acknowledgmentRequested}*T*:";
        var text = new StringBuilder(isa.Replace('*', element).Replace(':', component)).Append(terminator).Append('\n');
        foreach (var segment in groupList.SelectMany(g => g).Append(string.Create(CultureInfo.InvariantCulture, $"IEA*{groupList.Count}*{control}")))
        {
            text.Append(segment.Replace('*', element).Replace(':', component)).Append(terminator).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One interchange with one group holding the given sets.</summary>
    public static string File(params List<string>[] sets) => Interchange("000000501", [Group("501", sets)]);
}
