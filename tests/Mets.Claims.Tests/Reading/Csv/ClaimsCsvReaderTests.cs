using Mets.Claims.Reading.Csv;

namespace Mets.Claims.Tests.Reading.Csv;

public class ClaimsCsvReaderTests
{
    internal const string Header =
        "claim_id,line_number,claim_frequency,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,modifiers,dx1,dx2,dx3,rendering_npi,billing_npi,rendering_taxonomy,ndc,days_supply,quantity,allowed_amount,paid_amount,status";

    [Fact]
    public void Read_ValidClaimsWithSeveralLines_GroupsRowsIntoClaims()
    {
        var csv = Header + "\n" +
            "C1,1,original,M1,professional,2026-03-02,,,,11,,,90834,95,F32.1,F41.1,,1234567893,1234567893,2084P0800X,,,1,120.00,95.50,paid\n" +
            "C1,2,original,M1,professional,2026-03-09,2026-03-09,,,11,,,90834,,F32.1,,,1234567893,1234567893,2084P0800X,,,1,120.00,95.50,paid\n" +
            "C2,1,7,M2,I,20260301,20260305,2026-03-01,2026-03-05,,0111,0114,,,F20.9,,,,1234567893,,,,4,4000,3500.25,\n" +
            "C3,1,,M1,rx,2026-03-03,,,,,,,,,,,,,,,00002-3227-30,30,30,,12.10,paid\n";

        var outcomes = ClaimsCsvReader.Read(TestFiles.Text(csv)).ToList();

        Assert.All(outcomes, o => Assert.True(o.IsAccepted, string.Join("; ", o.Rejects)));
        Assert.Equal(3, outcomes.Count);
        var c1 = outcomes[0].Claim!;
        Assert.Equal("C1", c1.ClaimId);
        Assert.Equal(2, c1.Lines.Count);
        Assert.Equal(["F321", "F411"], c1.Diagnoses.Select(d => d.Code));
        Assert.Equal("95", Assert.Single(c1.Lines[0].Modifiers));
        Assert.Equal(95.50m, c1.Lines[1].PaidAmount);
        Assert.Equal("11", c1.PlaceOfService);
        var c2 = outcomes[1].Claim!;
        Assert.Equal(ClaimFrequency.Replacement, c2.Frequency);
        Assert.Equal(ClaimType.Institutional, c2.Type);
        Assert.Equal("111", c2.BillType);
        Assert.Equal(new DateOnly(2026, 3, 5), c2.DischargeDate);
        Assert.Equal(3500.25m, c2.Lines[0].PaidAmount);
        var c3 = outcomes[2].Claim!;
        Assert.Equal(ClaimType.Pharmacy, c3.Type);
        Assert.Equal("00002322730", c3.Lines[0].Ndc);
        Assert.Equal(30, c3.Lines[0].DaysSupply);
        Assert.Empty(c3.Diagnoses);
    }

    [Fact]
    public void Read_HeaderAliasesInAnyCase_AreMatched()
    {
        var csv = "CLAIM NUMBER,Line,Member,Type,Date_Of_Service,CPT,Principal_Diagnosis,Paid\n" +
                  "C1,1,M1,Professional,2026-01-05,90791,F43.10,80\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.True(outcome.IsAccepted);
        Assert.Equal("90791", outcome.Claim!.Lines[0].ProcedureCode);
        Assert.Equal("F4310", outcome.Claim.PrincipalDiagnosis!.Code);
    }

    [Fact]
    public void Read_OneBadLine_RejectsTheWholeClaimWithRowFieldAndReason()
    {
        var csv = Header + "\n" +
            $"C1,1,original,{TestFiles.Sentinel.MemberId},professional,2026-03-02,,,,11,,,90834,,{TestFiles.Sentinel.Diagnosis},,,,,,,,1,100,90,paid\n" +
            $"C1,2,original,{TestFiles.Sentinel.MemberId},professional,2026-13-45,,,,11,,,90834,,{TestFiles.Sentinel.Diagnosis},,,,,,,,1,100,90,paid\n" +
            $"C2,1,original,{TestFiles.Sentinel.MemberId},professional,2026-03-02,,,,11,,,90834,,{TestFiles.Sentinel.Diagnosis},,,,,,,,1,100,90,paid\n";

        var outcomes = ClaimsCsvReader.Read(TestFiles.Text(csv)).ToList();

        Assert.Equal(2, outcomes.Count);
        Assert.False(outcomes[0].IsAccepted);
        Assert.Equal(2, outcomes[0].LineCount);
        var reject = Assert.Single(outcomes[0].Rejects);
        Assert.Equal("row 3", reject.Location);
        Assert.Equal("service_from", reject.Field);
        Assert.True(outcomes[1].IsAccepted);
        Assert.DoesNotContain(outcomes[0].Rejects, r => r.ToString().Contains(TestFiles.Sentinel.MemberId, StringComparison.Ordinal) || r.ToString().Contains("2026-13-45", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dx1", "F3", "is not an ICD-10-CM code")]
    [InlineData("paid_amount", "-5", "zero or more")]
    [InlineData("procedure_code", "9083", "CPT or HCPCS")]
    [InlineData("place_of_service", "123", "place of service")]
    [InlineData("claim_type", "dental", "professional, institutional or pharmacy")]
    [InlineData("member_id", "", "is required")]
    [InlineData("line_number", "0", "positive whole number")]
    [InlineData("rendering_taxonomy", "12345", "taxonomy")]
    public void Read_InvalidField_NamesTheFieldWithoutItsValue(string column, string value, string reasonPart)
    {
        var values = new Dictionary<string, string>
        {
            ["claim_id"] = "C9", ["line_number"] = "1", ["member_id"] = "M9", ["claim_type"] = "professional",
            ["service_from"] = "2026-02-01", ["place_of_service"] = "11", ["procedure_code"] = "90837",
            ["dx1"] = "F33.1", ["paid_amount"] = "10.00",
        };
        values[column] = value;
        var columns = Header.Split(',');
        var row = string.Join(',', columns.Select(c => values.GetValueOrDefault(c, string.Empty)));

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(Header + "\n" + row + "\n")));

        Assert.False(outcome.IsAccepted);
        var reject = Assert.Single(outcome.Rejects);
        Assert.Equal(column, reject.Field);
        Assert.Contains(reasonPart, reject.Reason, StringComparison.Ordinal);
        if (value.Length > 1)
        {
            Assert.DoesNotContain(value, reject.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_InvalidNpiCheckDigit_IsAWarningAndTheRawValueIsKept()
    {
        var csv = Header + "\nC1,1,,M1,professional,2026-03-02,,,,11,,,90834,,F32.1,,,9999999999,1234567890,,,,1,100,90,paid\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.True(outcome.IsAccepted);
        Assert.Equal("9999999999", outcome.Claim!.Lines[0].RenderingNpi);
        Assert.Equal("1234567890", outcome.Claim.BillingNpi);
        Assert.Equal(2, outcome.Warnings.Count);
        Assert.All(outcome.Warnings, w => Assert.DoesNotContain("999999", w.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_PharmacyLineWithoutDaysSupply_IsRejected()
    {
        var csv = Header + "\nR1,1,,M1,pharmacy,2026-03-02,,,,,,,,,,,,,,,00002322730,,30,,10,paid\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.Equal("days_supply", Assert.Single(outcome.Rejects).Field);
    }

    [Fact]
    public void Read_RowsOfOneClaimDisagreeOnMember_RejectsTheClaim()
    {
        var csv = Header + "\n" +
            "C1,1,,M1,professional,2026-03-02,,,,11,,,90834,,F32.1,,,,,,,,1,100,90,paid\n" +
            "C1,2,,M2,professional,2026-03-02,,,,11,,,90834,,F32.1,,,,,,,,1,100,90,paid\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.Equal("member_id", Assert.Single(outcome.Rejects).Field);
    }

    [Fact]
    public void Read_MissingRequiredColumn_ThrowsStructureErrorNamingTheColumn()
    {
        var csv = "claim_id,line_number,member_id,claim_type,service_from\nC1,1,M1,professional,2026-01-01\n";

        var error = Assert.Throws<ClaimsFileStructureException>(() => ClaimsCsvReader.Read(TestFiles.Text(csv)).ToList());

        Assert.Contains("paid_amount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ShortRowWithMissingTrailingFields_IsReadAsEmptyFields()
    {
        var csv = "claim_id,line_number,member_id,claim_type,service_from,paid_amount,procedure_code,dx1,ndc\nC1,1,M1,professional,2026-01-01,5,90832,F32.0\n";

        var outcome = Assert.Single(ClaimsCsvReader.Read(TestFiles.Text(csv)));

        Assert.True(outcome.IsAccepted, string.Join("; ", outcome.Rejects));
        Assert.Null(outcome.Claim!.Lines[0].Ndc);
    }
}
