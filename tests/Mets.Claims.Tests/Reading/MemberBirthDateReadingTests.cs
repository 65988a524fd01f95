using Mets.Claims.Reading.Csv;
using Mets.Claims.Reading.X12;

namespace Mets.Claims.Tests.Reading;

/// <summary>The member's date of birth as each reader finds it: X12 DMG of the patient's loop, the CSV birth-date column.</summary>
public class MemberBirthDateReadingTests
{
    private const string SentinelBirth = "19770707";

    // ---- X12 837: DMG of 2010BA (the subscriber is the patient) or 2010CA (a dependent patient, loop 2000C) ----

    [Fact]
    public void X12_SubscriberIsThePatient_TakesTheDmgOf2010BA()
    {
        // HL*2 is a subscriber level without children, SBR02 18 (self): its DMG*D8*19800101 is the patient's.
        var claim = Assert.Single(ReadX12(Hierarchy(subscriberDmg: "DMG*D8*19800101*F"))).Claim!;

        Assert.Equal(new DateOnly(1980, 1, 1), claim.MemberBirthDate);
    }

    [Fact]
    public void X12_DependentPatientLoop_TakesTheDmgOf2010CAAndNeverTheSubscribers()
    {
        // The subscriber (DMG 1980-01-01) has a child, HL*3 patient level with DMG*D8*20200615: the claim is the child's.
        var withPatientDmg = Assert.Single(ReadX12(Hierarchy(subscriberDmg: "DMG*D8*19800101*F", patient: ["PAT*19", "NM1*QC*1*DOE*JIMMY", "DMG*D8*20200615*M"]))).Claim!;
        var withoutPatientDmg = Assert.Single(ReadX12(Hierarchy(subscriberDmg: "DMG*D8*19800101*F", patient: ["PAT*19", "NM1*QC*1*DOE*JIMMY"]))).Claim!;

        Assert.Equal(new DateOnly(2020, 6, 15), withPatientDmg.MemberBirthDate);
        Assert.Equal(X12Samples.Member, withPatientDmg.MemberId); // recorded under the subscriber's id, as before
        Assert.Null(withoutPatientDmg.MemberBirthDate);
    }

    [Fact]
    public void X12_NoDmg_LeavesTheBirthDateEmpty()
    {
        var outcome = Assert.Single(ReadX12(Hierarchy(subscriberDmg: null)));

        Assert.True(outcome.IsAccepted);
        Assert.Null(outcome.Claim!.MemberBirthDate);
        Assert.Empty(outcome.Warnings);
    }

    [Theory]
    [InlineData("DMG*D8*19801341*F", "DMG02 (2010BA)")] // month 13
    [InlineData("DMG*D8*1980-01-01*F", "DMG02 (2010BA)")] // not CCYYMMDD
    [InlineData("DMG*RD8*19800101-19800102*F", "DMG01 (2010BA)")] // not D8
    public void X12_UnusableDmg_IsAWarningThatLeavesTheBirthDateEmpty(string dmg, string field)
    {
        var outcomes = ReadX12(Hierarchy(subscriberDmg: dmg, claims: 2));

        Assert.All(outcomes, o => Assert.True(o.IsAccepted));
        Assert.All(outcomes, o => Assert.Null(o.Claim!.MemberBirthDate));
        // One warning for the DMG, on the first claim that would have used it.
        var warning = Assert.Single(outcomes.SelectMany(o => o.Warnings));
        Assert.Equal(field, warning.Field);
        Assert.Equal("segment 12", warning.Location); // ISA, GS, then the set: the DMG is the twelfth segment of the file
        Assert.Contains("birth date", warning.Reason, StringComparison.Ordinal);
        Assert.Empty(outcomes[1].Warnings);
    }

    [Fact]
    public void X12_BirthDateAfterTheDateOfService_IsAWarningThatLeavesItEmpty()
    {
        var outcome = Assert.Single(ReadX12(Hierarchy(subscriberDmg: "DMG*D8*20260301*F"))); // service 2026-02-11

        Assert.True(outcome.IsAccepted);
        Assert.Null(outcome.Claim!.MemberBirthDate);
        Assert.Equal("DMG02", Assert.Single(outcome.Warnings).Field);
    }

    [Fact]
    public void X12_UnusableDmg_WarningNeverRepeatsTheValue()
    {
        var outcome = Assert.Single(ReadX12(Hierarchy(subscriberDmg: $"DMG*D8*{SentinelBirth}9*F")));

        Assert.DoesNotContain(SentinelBirth, Assert.Single(outcome.Warnings).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void X12_NextSubscriber_DoesNotInheritThePreviousBirthDate()
    {
        var set = Hierarchy(subscriberDmg: "DMG*D8*19800101*F");
        var second = new List<string> { "HL*3*1*22*0", "SBR*P*18*******MC", "NM1*IL*1*ROE*RICHARD****MI*MX12002" };
        second.AddRange(Claim("C9"));
        set.InsertRange(set.Count - 1, second);
        set[^1] = $"SE*{set.Count}*0001";

        var outcomes = ReadX12(set);

        Assert.Equal([new DateOnly(1980, 1, 1), null], outcomes.Select(o => o.Claim!.MemberBirthDate));
    }

    [Fact]
    public void X12_BhFixtures_CarryTheirSubscribersBirthDates()
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));

        var byMember = X12ClaimReader.Read(stream).Where(o => o.IsAccepted).GroupBy(o => o.Claim!.MemberId).ToDictionary(g => g.Key, g => g.Select(o => o.Claim!.MemberBirthDate).Distinct().Single());

        Assert.Equal(new DateOnly(1990, 1, 1), byMember["MBH0001"]);
        Assert.Equal(new DateOnly(1985, 5, 5), byMember["MBH0002"]);
    }

    // ---- METS claims CSV: optional member_birth_date ----

    [Fact]
    public void Csv_WithTheColumn_FillsTheBirthDate()
    {
        var csv = "claim_id,line_number,member_id,member_birth_date,claim_type,service_from,procedure_code,dx1,paid_amount\n" +
                  "C1,1,M1,2012-04-30,professional,2026-01-05,90837,F32.1,80\n" +
                  "C1,2,M1,2012-04-30,professional,2026-01-12,90837,F32.1,80\n" +
                  "C2,1,M2,20080101,professional,2026-01-05,90837,F32.1,80\n" +
                  "C3,1,M3,,professional,2026-01-05,90837,F32.1,80\n";

        var claims = ClaimsCsvReader.Read(TestFiles.Text(csv)).Select(o => o.Claim!).ToList();

        Assert.Equal([new DateOnly(2012, 4, 30), new DateOnly(2008, 1, 1), null], claims.Select(c => c.MemberBirthDate));
    }

    [Fact]
    public void Csv_WithoutTheColumn_LeavesTheBirthDateEmpty()
    {
        var csv = "claim_id,line_number,member_id,claim_type,service_from,procedure_code,dx1,paid_amount\nC1,1,M1,professional,2026-01-05,90837,F32.1,80\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.True(outcome.IsAccepted);
        Assert.Null(outcome.Claim!.MemberBirthDate);
    }

    [Theory]
    [InlineData("DOB")]
    [InlineData("Date of Birth")]
    [InlineData("patient_birth_date")]
    public void Csv_HeaderAliases_AreMatched(string header)
    {
        var csv = $"claim_id,line_number,member_id,{header},claim_type,service_from,procedure_code,dx1,paid_amount\nC1,1,M1,1999-12-31,professional,2026-01-05,90837,F32.1,80\n";

        Assert.Equal(new DateOnly(1999, 12, 31), Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv))).Claim!.MemberBirthDate);
    }

    [Theory]
    [InlineData("1999-02-30", "row 2", "must be a date (yyyy-MM-dd or yyyyMMdd)")]
    [InlineData("31/12/1999", "row 2", "must be a date (yyyy-MM-dd or yyyyMMdd)")]
    [InlineData("2026-01-06", "row 2", "is after the claim's first date of service")]
    public void Csv_BadBirthDate_RejectsTheClaimWithRowAndReason(string value, string location, string reason)
    {
        var csv = $"claim_id,line_number,member_id,member_birth_date,claim_type,service_from,procedure_code,dx1,paid_amount\nC1,1,{TestFiles.Sentinel.MemberId},{value},professional,2026-01-05,90837,F32.1,80\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.False(outcome.IsAccepted);
        var reject = Assert.Single(outcome.Rejects);
        Assert.Equal((location, "member_birth_date", reason), (reject.Location, reject.Field, reject.Reason));
        Assert.DoesNotContain(value, reject.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_BirthDateDifferingBetweenRowsOfAClaim_RejectsTheClaim()
    {
        var csv = "claim_id,line_number,member_id,member_birth_date,claim_type,service_from,procedure_code,dx1,paid_amount\n" +
                  "C1,1,M1,2012-04-30,professional,2026-01-05,90837,F32.1,80\n" +
                  "C1,2,M1,2012-05-30,professional,2026-01-12,90837,F32.1,80\n";

        var reject = Assert.Single(Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv))).Rejects);

        Assert.Equal(("row 3", "member_birth_date", "differs from the claim's first row"), (reject.Location, reject.Field, reject.Reason));
    }

    // ---- Eligibility CSV: optional member_birth_date ----

    [Fact]
    public void Eligibility_WithAndWithoutTheColumn_FillsTheBirthDateWhenGiven()
    {
        var with = "member_id,plan,coverage_start,coverage_end,member_birth_date\nM1,MEDICAID,2026-01-01,,2015-03-04\nM2,MEDICAID,2026-01-01,,\n";
        var without = "member_id,plan,coverage_start,coverage_end\nM1,MEDICAID,2026-01-01,\n";

        Assert.Equal([new DateOnly(2015, 3, 4), null], EligibilityCsvReader.Read(TestFiles.Text(with)).Select(o => o.Span!.MemberBirthDate));
        Assert.Null(Assert.Single(EligibilityCsvReader.Read(TestFiles.Text(without))).Span!.MemberBirthDate);
    }

    [Fact]
    public void Eligibility_BadBirthDate_RejectsTheRowWithRowAndReason()
    {
        var csv = $"member_id,plan,coverage_start,coverage_end,dob\nM1,MEDICAID,2026-01-01,,2015-03-04\nM2,MEDICAID,2026-01-01,,{SentinelBirth}x\n";

        var outcomes = EligibilityCsvReader.Read(TestFiles.Text(csv)).ToList();

        Assert.NotNull(outcomes[0].Span);
        Assert.Null(outcomes[1].Span);
        var reject = Assert.Single(outcomes[1].Rejects);
        Assert.Equal(("row 3", "member_birth_date"), (reject.Location, reject.Field));
        Assert.DoesNotContain(SentinelBirth, reject.ToString(), StringComparison.Ordinal);
    }

    private static List<ClaimReadOutcome> ReadX12(List<string> set) => X12ClaimReader.Read(TestFiles.Text(X12Samples.File(set))).ToList();

    /// <summary>An 837P set: billing provider, one subscriber (HL*2, with <paramref name="subscriberDmg"/> after its NM1*IL)
    /// and, when <paramref name="patient"/> is given, a patient level HL*3 under it with those segments; then the claims.</summary>
    private static List<string> Hierarchy(string? subscriberDmg, string[]? patient = null, int claims = 1)
    {
        var set = new List<string>
        {
            "ST*837*0001*005010X222A1",
            "BHT*0019*00*B1*20260301*1200*CH",
            "NM1*41*2*SUBMITTER*****46*S1",
            "NM1*40*2*RECEIVER*****46*R1",
            "HL*1**20*1",
            "NM1*85*2*CLINIC*****XX*1234567893",
            patient is null ? "HL*2*1*22*0" : "HL*2*1*22*1",
            patient is null ? "SBR*P*18*******MC" : "SBR*P********MC",
            $"NM1*IL*1*DOE*JANE****MI*{X12Samples.Member}",
        };
        if (subscriberDmg is not null)
        {
            set.Add(subscriberDmg);
        }

        if (patient is not null)
        {
            set.Add("HL*3*2*23*0");
            set.AddRange(patient);
        }

        for (var i = 1; i <= claims; i++)
        {
            set.AddRange(Claim("C" + i));
        }

        set.Add($"SE*{set.Count + 1}*0001");
        return set;
    }

    private static string[] Claim(string id) => [$"CLM*{id}*100***11:B:1*Y*A*Y*Y", "HI*ABK:F329", "LX*1", "SV1*HC:90837*100*UN*1***1", "DTP*472*D8*20260211"];
}
