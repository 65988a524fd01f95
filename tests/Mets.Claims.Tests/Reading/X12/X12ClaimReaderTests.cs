using Mets.Claims.Reading.X12;

namespace Mets.Claims.Tests.Reading.X12;

public class X12ClaimReaderTests
{
    /// <summary>Every public sample (LinuxForHealth/x12, Apache-2.0): file, claims, lines.</summary>
    public static TheoryData<string, int, int> PublicSamples => new()
    {
        { "institutional-5010/institutional-claim.837i", 1, 2 },
        { "institutional-5010/out-of-network-repriced-claim.837i", 1, 1 },
        { "institutional-5010/ppo-repriced-claim.837i", 1, 2 },
        { "institutional-5010/two-claims-single-provider.837i", 2, 3 },
        { "professional-5010/demo.ambulance.example5.837", 1, 4 },
        { "professional-5010/demo.autoaccident.837", 1, 2 },
        { "professional-5010/demo.cob.2ndary.example4.837", 1, 1 },
        { "professional-5010/demo.cob.example3.A.837", 1, 3 },
        { "professional-5010/demo.cob.example3.B.837", 1, 3 },
        { "professional-5010/demo.cob.example3.C.837", 1, 3 },
        { "professional-5010/demo.cob.example4.837", 1, 1 },
        { "professional-5010/demo.drug.example10.1.837", 1, 2 },
        { "professional-5010/demo.drug.example10.2.837", 1, 6 },
        { "professional-5010/demo.drug.example10.3.837", 1, 6 },
        { "professional-5010/demo.example1.837", 1, 4 },
        { "professional-5010/demo.example11.837", 1, 2 },
        { "professional-5010/demo.example12.837", 1, 1 },
        { "professional-5010/demo.example2.837", 1, 4 },
        { "professional-5010/demo.example6.837", 1, 1 },
        { "professional-5010/demo.example7.837", 1, 2 },
        { "professional-5010/demo.example8.837", 1, 1 },
        { "professional-5010/demo.example9.837", 1, 1 },
    };

    [Theory]
    [MemberData(nameof(PublicSamples))]
    public void Read_PublicSample_ReadsEveryClaimAndLine(string file, int claims, int lines)
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", file));

        var outcomes = X12ClaimReader.Read(stream).ToList();

        Assert.All(outcomes, o => Assert.True(o.IsAccepted, string.Join("; ", o.Rejects)));
        Assert.Equal(claims, outcomes.Count);
        Assert.Equal(lines, outcomes.Sum(o => o.Claim!.Lines.Count));
        Assert.All(outcomes, o => Assert.False(string.IsNullOrEmpty(o.Claim!.MemberId)));
    }

    [Fact]
    public void Read_PublicSampleWithIcd9_KeepsCodesAsIcd9AndInvalidNpiAsWarning()
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "institutional-5010", "two-claims-single-provider.837i"));

        var outcomes = X12ClaimReader.Read(stream).ToList();

        var second = outcomes[1].Claim!;
        Assert.Equal("123405074", second.MemberId);
        Assert.Equal(new DiagnosisCode("30000", DiagnosisCodeSystem.Icd9Cm), second.PrincipalDiagnosis);
        Assert.Equal("131", second.BillType);
        Assert.Contains(outcomes[1].Warnings, w => w.Field.StartsWith("NM109", StringComparison.Ordinal));
        Assert.Equal("1234567890", second.BillingNpi);
    }

    [Fact]
    public void Read_CobSample_DoesNotTakeOtherSubscriberAsMember()
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "professional-5010", "demo.cob.example3.C.837"));

        var claim = Assert.Single(X12ClaimReader.Read(stream)).Claim!;

        Assert.Equal("22233444", claim.MemberId);
        Assert.Equal("1999996666", claim.Lines[0].RenderingNpi);
        Assert.Equal("204C00000X", claim.Lines[0].RenderingTaxonomy);
        Assert.Equal(40.00m, claim.Lines[0].PaidAmount);
    }

    [Fact]
    public void Read_SampleUsingGreaterThanAsComponentSeparator_ReadsCompositesWithAFileWarning()
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "professional-5010", "demo.example9.837"));
        var reader = X12ClaimReader.Open(stream);

        var claim = Assert.Single(reader.ReadClaims()).Claim!;

        Assert.Equal("00142", claim.Lines[0].ProcedureCode);
        Assert.Equal(["QK", "QS", "P1"], claim.Lines[0].Modifiers);
        Assert.Equal("22", claim.PlaceOfService);
        Assert.Equal("ISA16", Assert.Single(reader.FileWarnings).Field);
    }

    [Fact]
    public void Read_BehavioralHealthProfessionalFixture_ReadsCodesProvidersAndReplacement()
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));

        var outcomes = X12ClaimReader.Read(stream).ToList();

        Assert.Equal(5, outcomes.Count);
        var therapy = outcomes[0].Claim!;
        Assert.Equal(("BHP-1001", "MBH0001", "53"), (therapy.ClaimId, therapy.MemberId, therapy.PlaceOfService));
        Assert.Equal(["F332", "F411"], therapy.Diagnoses.Select(d => d.Code));
        Assert.Equal(("90837", "95"), (therapy.Lines[0].ProcedureCode, therapy.Lines[0].Modifiers[0]));
        Assert.Equal(("1122334455", "1041C0700X"), (therapy.Lines[0].RenderingNpi, therapy.Lines[0].RenderingTaxonomy));
        Assert.Equal(new DateOnly(2026, 2, 10), therapy.Lines[1].ServiceFrom);
        Assert.Equal("1234567893", therapy.BillingNpi);
        var replacement = outcomes[2].Claim!;
        Assert.Equal((ClaimFrequency.Replacement, "BHP-0999"), (replacement.Frequency, replacement.ClaimId));
        Assert.False(outcomes[3].IsAccepted);
        Assert.Equal("DTP*472", Assert.Single(outcomes[3].Rejects).Field);
        var ed = outcomes[4].Claim!;
        Assert.Equal(("MBH0002", "T401X1A"), (ed.MemberId, ed.PrincipalDiagnosis!.Code));
    }

    [Fact]
    public void Read_BehavioralHealthInstitutionalFixture_ReadsStayDatesBillTypeAndExternalCause()
    {
        using var stream = File.OpenRead(TestFiles.DataPath("x12-837", "bh", "bh-institutional.837i"));

        var outcomes = X12ClaimReader.Read(stream).ToList();

        Assert.Equal(2, outcomes.Count);
        var stay = outcomes[0].Claim!;
        Assert.Equal(ClaimType.Institutional, stay.Type);
        Assert.Equal("111", stay.BillType);
        Assert.Equal(new DateOnly(2026, 2, 1), stay.AdmissionDate);
        Assert.Equal(new DateOnly(2026, 2, 6), stay.DischargeDate);
        Assert.Equal(["F332", "R45851", "X780XXA"], stay.Diagnoses.Select(d => d.Code));
        Assert.Equal("0124", stay.Lines[0].RevenueCode);
        Assert.Equal(("0918", "96130"), (stay.Lines[1].RevenueCode, stay.Lines[1].ProcedureCode));
        var ed = outcomes[1].Claim!;
        Assert.Equal(("131", "0450"), (ed.BillType, ed.Lines[0].RevenueCode));
        Assert.Null(ed.DischargeDate);
    }

    [Theory]
    [InlineData("SE*54*0001~", "SE*53*0001~", "SE01")]
    [InlineData("SE*54*0001~", "SE*54*0009~", "SE02")]
    [InlineData("GE*1*101~", "GE*1*999~", "GE02")]
    [InlineData("IEA*1*000000101~", "IEA*1*000000999~", "IEA02")]
    [InlineData("IEA*1*000000101~", "IEA*2*000000101~", "IEA01")]
    [InlineData("HL*3*1*22*0~", "HL*3*7*22*0~", "HL02")]
    [InlineData("ST*837*0001*005010X222A2~", "ST*837*0001*004010X098A1~", "ST03")]
    public void Read_BrokenEnvelope_ThrowsStructureErrorNamingTheElement(string original, string broken, string element)
    {
        var text = File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837")).Replace(original, broken, StringComparison.Ordinal);
        Assert.Contains(broken, text, StringComparison.Ordinal);

        var error = Assert.Throws<ClaimsFileStructureException>(() => X12ClaimReader.Read(TestFiles.Text(text)).ToList());

        Assert.Contains(element, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MBH000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedFile_ThrowsStructureError()
    {
        var text = File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));
        var truncated = text[..(text.Length / 2)];

        Assert.Throws<ClaimsFileStructureException>(() => X12ClaimReader.Read(TestFiles.Text(truncated)).ToList());
    }

    [Fact]
    public void Read_SegmentTerminatorNeverUsed_ThrowsStructureErrorInsteadOfBuffering()
    {
        var isa = File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"))[..106];
        var text = isa + "\nGS*HC*A*B*20260301*1200*1*X*005010X222A2" + new string('x', 2 << 20);

        var error = Assert.Throws<ClaimsFileStructureException>(() => X12ClaimReader.Read(TestFiles.Text(text)).ToList());

        Assert.Contains("segment terminator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotAnInterchange_ThrowsStructureError()
    {
        Assert.Throws<ClaimsFileStructureException>(() => X12ClaimReader.Read(TestFiles.Text("claim_id,member_id\nC1,M1\n")).ToList());
    }

    [Fact]
    public void Read_SeparatorsDeclaredInIsa_AreUsed()
    {
        var text = File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"))
            .Replace('*', '|').Replace(':', '^').Replace("~\n", "\r\n", StringComparison.Ordinal);
        // ISA11 (repetition) was '^' and becomes the component separator; put the repetition back.
        text = text[..82] + "!" + text[83..];
        text = text[..105] + "\r\n" + text[107..];

        var outcomes = X12ClaimReader.Read(TestFiles.Text(text)).ToList();

        Assert.Equal(5, outcomes.Count);
        Assert.Equal("90837", outcomes[0].Claim!.Lines[0].ProcedureCode);
    }
}
