using System.Text;
using System.Text.RegularExpressions;

namespace Mets.Claims.Tests.Fuzzing;

/// <summary>
/// The files the claims fuzzer starts from: every X12 837P/837I sample in the test data (its subscriber member id
/// replaced by the sentinel), generated X12 (several sets, groups and interchanges, other separators), generated
/// METS claims CSV and member eligibility CSV. Generated files carry the sentinel member id and diagnosis
/// (<see cref="TestFiles.Sentinel"/>), which must never show up in a reject report, a quarantine reason or a log line.
/// </summary>
public static partial class FuzzSeeds
{
    private const string Member = TestFiles.Sentinel.MemberId;
    private const string Diagnosis = TestFiles.Sentinel.Diagnosis;

    /// <summary>The sentinel date of birth (PHI the readers keep and must never repeat), X12 and CSV forms.</summary>
    public const string BirthDate = "19610723";
    public const string BirthDateCsv = "1961-07-23";

    private static readonly Lazy<IReadOnlyList<FuzzSeed>> Seeds = new(Build);

    public static IReadOnlyList<FuzzSeed> All => Seeds.Value;

    private static List<FuzzSeed> Build()
    {
        var seeds = new List<FuzzSeed>();
        var folder = TestFiles.DataPath("x12-837");
        foreach (var path in Directory.EnumerateFiles(folder, "*.837*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var text = SubscriberId().Replace(File.ReadAllText(path, Encoding.Latin1), "${1}" + Member);
            seeds.Add(new FuzzSeed(Path.GetRelativePath(folder, path).Replace('\\', '/'), SeedFormat.X12, Encoding.Latin1.GetBytes(text)));
        }

        seeds.Add(X12("generated/one-set.837", X12Samples.File(X12Samples.Set("0001", "A", claims: 3, member: Member, principal: Diagnosis, secondary: "F411"))));
        seeds.Add(X12("generated/forty-claims.837", X12Samples.File(X12Samples.Set("0001", "H", claims: 25, member: Member, principal: Diagnosis), X12Samples.Set("0002", "I", claims: 15, member: "M000125"))));
        seeds.Add(X12("generated/two-groups.837", X12Samples.Interchange("000000611", [
            X12Samples.Group("61", X12Samples.Set("0001", "B", claims: 2, member: Member, principal: Diagnosis), X12Samples.Set("0002", "C", claims: 1, member: Member)),
            X12Samples.Group("62", X12Samples.Set("0001", "D", claims: 2, member: Member, principal: Diagnosis)),
        ])));
        seeds.Add(X12("generated/two-interchanges.837",
            X12Samples.Interchange("000000621", [X12Samples.Group("71", X12Samples.Set("0001", "E", claims: 2, member: Member, principal: Diagnosis))])
            + X12Samples.Interchange("000000622", [X12Samples.Group("72", X12Samples.Set("0001", "F", claims: 2, member: Member, principal: Diagnosis))], acknowledgmentRequested: "1")));
        seeds.Add(X12("generated/other-separators.837",
            X12Samples.Interchange("000000631", [X12Samples.Group("81", X12Samples.Set("0001", "G", claims: 3, member: Member, principal: Diagnosis))], element: '|', component: '>', terminator: '\'')));

        seeds.Add(Csv("generated/claims.csv", SeedFormat.ClaimsCsv, new ClaimsCsvBuilder()
            .Inpatient("C1", Member, "2026-02-01", "2026-02-06", Diagnosis)
            .Visit("C2", Member, "2026-02-10", Diagnosis)
            .EmergencyVisit("C3", Member, "2026-02-12", Diagnosis, dx2: "F411")
            .Fill("C4", Member, "2026-02-11", "00049-4910-30", 30)
            .Visit("C2", Member, "2026-02-10", Diagnosis, frequency: "replacement", paid: 140m)
            .Visit("C5", "M000124", "2026-02-14", "F329")
            .ToString()));
        var many = new ClaimsCsvBuilder();
        for (var i = 0; i < 40; i++)
        {
            var date = new DateOnly(2026, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            _ = (i % 4) switch
            {
                0 => many.Visit("V" + i, Member, date, Diagnosis),
                1 => many.Fill("R" + i, Member, date, "00049-4910-30", 30),
                2 => many.Row("L" + i, 1, "M00" + i, "professional", date, pos: "11", procedure: "90834", dx1: "F329").Row("L" + i, 2, "M00" + i, "professional", date, pos: "11", procedure: "90785", dx1: "F329"),
                _ => many.EmergencyVisit("E" + i, Member, date, Diagnosis),
            };
        }

        seeds.Add(Csv("generated/claims-forty.csv", SeedFormat.ClaimsCsv, many.ToString()));
        seeds.Add(Csv("generated/claims-crlf-quoted.csv", SeedFormat.ClaimsCsv,
            "\"claim_id\",\"line_number\",\"member_id\",\"dob\",\"claim_type\",\"service_from\",\"procedure_code\",\"dx1\",\"paid_amount\"\r\n"
            + $"\"Q1\",\"1\",\"{Member}\",\"{BirthDateCsv}\",\"professional\",\"2026-02-10\",\"90837\",\"{Diagnosis}\",\"128.00\"\r\n"
            + $"\"Q1\",\"2\",\"{Member}\",\"{BirthDateCsv}\",\"professional\",\"2026-02-10\",\"90785\",\"{Diagnosis}\",\"10.00\"\r\n"
            + $"Q2,1,{Member},{BirthDate},professional,20260217,90834,\"{Diagnosis}\",\"1,000.00\"\r\n"));
        seeds.Add(Csv("generated/eligibility.csv", SeedFormat.EligibilityCsv,
            $"member_id,plan,coverage_start,coverage_end,member_birth_date\n{Member},PLANA,2025-01-01,,{BirthDateCsv}\n{Member},PLANB,2024-01-01,2024-12-31,{BirthDate}\nM000124,PLANA,20250301,20261231,\n"));
        seeds.Add(Csv("generated/eligibility-forty.csv", SeedFormat.EligibilityCsv, "Member Number,Product,Effective Date,Termination Date\r\n"
            + string.Concat(Enumerable.Range(0, 40).Select(i => $"{(i % 3 == 0 ? Member : "M10" + i)},PLAN{i % 4},2025-{1 + (i % 12):00}-01,{(i % 5 == 0 ? string.Empty : "2026-12-31")}\r\n"))));
        return seeds;
    }

    private static FuzzSeed X12(string name, string text) =>
        new(name, SeedFormat.X12, Encoding.Latin1.GetBytes(text.Replace("DMG*D8*19800101", "DMG*D8*" + BirthDate, StringComparison.Ordinal).Replace("DMG|D8|19800101", "DMG|D8|" + BirthDate, StringComparison.Ordinal)));

    private static FuzzSeed Csv(string name, SeedFormat format, string text) => new(name, format, Encoding.UTF8.GetBytes(text));

    [GeneratedRegex(@"(NM1\*IL\*[^~]*?\*MI\*)[^~*\r\n]*")]
    private static partial Regex SubscriberId();
}
