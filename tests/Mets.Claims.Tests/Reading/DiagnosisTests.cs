using Mets.Claims.Reading.Csv;
using Mets.Claims.Reading.X12;
using Mets.Domain.Diagnoses;

namespace Mets.Claims.Tests.Reading;

/// <summary>The one ICD-10-CM validator on claims: structure in both readers (a decimal point is an error only in
/// X12), code-set membership by date of service, principal rejects the claim, a secondary code is dropped.</summary>
public class DiagnosisTests
{
    private static readonly DateOnly Fy2026 = new(2025, 10, 1);

    /// <summary>The sample releases: FY2026 (order file, effective 2025-10-01) and FY2025 (code file, effective
    /// 2024-10-01, without F32.A and U09.9).</summary>
    internal static Icd10CmValidator SampleCodeSets()
    {
        using var order = File.OpenText(TestFiles.DataPath("icd10cm", "icd10cm_order_sample_2026.txt"));
        using var codes = File.OpenText(TestFiles.DataPath("icd10cm", "icd10cm_codes_sample_2025.txt"));
        return new Icd10CmValidator([Icd10CmCodeSet.Load(order, Fy2026), Icd10CmCodeSet.Load(codes, new DateOnly(2024, 10, 1))]);
    }

    private static ClaimReadOutcome Csv(string dx1, string? dx2 = null, string date = "2026-02-10", Icd10CmValidator? validator = null) =>
        Assert.Single(ClaimsCsvReader.Read(new ClaimsCsvBuilder().Row("C1", 1, "M1", "professional", date, pos: "11", procedure: "90837", dx1: dx1, dx2: dx2, paid: 10m).ToStream(), null, validator));

    private static ClaimReadOutcome X12(string principal, string? secondary = null, Icd10CmValidator? validator = null) =>
        Assert.Single(X12ClaimReader.Open(TestFiles.Text(X12Samples.File(X12Samples.Set("0001", "C", principal: principal, secondary: secondary))),
            new X12ReadOptions { Diagnoses = validator ?? Icd10CmValidator.StructureOnly }).ReadClaims());

    [Theory]
    [InlineData("U07.1", "U071")]
    [InlineData("U099", "U099")]
    [InlineData("F32.A", "F32A")]
    [InlineData("M1A.0710", "M1A0710")]
    public void Csv_ValidCodesOnceRefused_AreAccepted(string code, string expected)
    {
        var outcome = Csv(code);

        Assert.True(outcome.IsAccepted, string.Join("; ", outcome.Rejects));
        Assert.Equal(expected, outcome.Claim!.PrincipalDiagnosis!.Code);
    }

    [Theory]
    [InlineData("U071", "U071")]
    [InlineData("U099", "U099")]
    [InlineData("T401X1A", "T401X1A")]
    public void X12_ValidCodesOnceRefused_AreAccepted(string code, string expected)
    {
        var outcome = X12(code);

        Assert.True(outcome.IsAccepted, string.Join("; ", outcome.Rejects));
        Assert.Equal(expected, outcome.Claim!.PrincipalDiagnosis!.Code);
    }

    [Fact]
    public void Csv_F3X9AsPrincipal_RejectsTheClaimWithFieldAndReason()
    {
        var outcome = Csv("F3X9");

        Assert.False(outcome.IsAccepted);
        var reject = Assert.Single(outcome.Rejects);
        Assert.Equal(("row 2", "dx1"), (reject.Location, reject.Field));
        Assert.StartsWith("is not an ICD-10-CM code: the third character is a digit", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void X12_F3X9AsPrincipal_RejectsTheClaim()
    {
        var outcome = X12("F3X9");

        Assert.False(outcome.IsAccepted);
        Assert.Equal("HI01-2", Assert.Single(outcome.Rejects).Field);
    }

    [Fact]
    public void X12_DottedCode_IsAnErrorThatTheCsvAccepts()
    {
        var x12 = X12("F32.9");
        var csv = Csv("F32.9");

        Assert.False(x12.IsAccepted);
        Assert.Equal("the principal diagnosis is not an ICD-10-CM code: X12 carries ICD-10-CM codes without the decimal point", Assert.Single(x12.Rejects).Reason);
        Assert.True(csv.IsAccepted);
    }

    [Theory]
    [InlineData("T401X1")]    // the placeholder needs a seventh character
    [InlineData("S0101XX")]   // the seventh character is never X
    public void X12_PlaceholderRules_RejectThePrincipal(string code)
    {
        Assert.False(X12(code).IsAccepted);
    }

    [Fact]
    public void Secondary_FailingStructure_IsAWarningThatDropsOnlyThatCode()
    {
        var csv = Csv("F33.1", dx2: "F3X9");
        var x12 = X12("F331", secondary: "F33.2");

        foreach (var (outcome, field) in new[] { (csv, "dx2"), (x12, "HI02-2") })
        {
            Assert.True(outcome.IsAccepted);
            Assert.Equal(["F331"], outcome.Claim!.Diagnoses.Select(d => d.Code));
            var warning = Assert.Single(outcome.Warnings);
            Assert.Equal(field, warning.Field);
            Assert.EndsWith("the code is dropped", warning.Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("2026-02-10", true)]     // FY2026 has F32.A
    [InlineData("2025-09-30", false)]    // the FY2025 release (in effect on that date) does not
    public void CodeSet_PrincipalMembership_IsCheckedForTheDateOfService(string date, bool accepted)
    {
        var outcome = Csv("F32.A", date: date, validator: SampleCodeSets());

        Assert.Equal(accepted, outcome.IsAccepted);
        if (!accepted)
        {
            var reject = Assert.Single(outcome.Rejects);
            Assert.Equal("dx1", reject.Field);
            Assert.Equal("the principal diagnosis is not in the ICD-10-CM code set in effect on the date of service (effective 2024-10-01)", reject.Reason);
        }
    }

    [Fact]
    public void CodeSet_SecondaryNotInTheRelease_IsDroppedWithAWarning()
    {
        var csv = Csv("F33.1", dx2: "F33.9", validator: SampleCodeSets());
        var x12 = X12("F331", secondary: "F339", validator: SampleCodeSets());

        foreach (var outcome in new[] { csv, x12 })
        {
            Assert.True(outcome.IsAccepted);
            Assert.Equal(["F331"], outcome.Claim!.Diagnoses.Select(d => d.Code));
            Assert.Contains("not in the ICD-10-CM code set in effect on the date of service (effective 2025-10-01); the code is dropped", Assert.Single(outcome.Warnings).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CodeSet_HeaderAsPrincipal_RejectsAskingForAMoreSpecificCode()
    {
        var outcome = X12("F33", validator: SampleCodeSets());

        Assert.False(outcome.IsAccepted);
        Assert.Contains("is a header", Assert.Single(outcome.Rejects).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CodeSet_InpatientStay_UsesTheDischargeDate()
    {
        // Admitted in the FY2025 release, discharged in FY2026: F32.A counts as valid (CMS: the discharge date decides).
        var stay = new ClaimsCsvBuilder().Row("S1", 1, "M1", "institutional", "2025-09-28", "2025-10-02", admit: "2025-09-28", discharge: "2025-10-02", billType: "111", revenue: "0124", dx1: "F32.A", paid: 10m);
        var visit = new ClaimsCsvBuilder().Row("V1", 1, "M1", "professional", "2025-09-28", "2025-10-02", pos: "11", procedure: "90837", dx1: "F32.A", paid: 10m);

        Assert.True(Assert.Single(ClaimsCsvReader.Read(stay.ToStream(), null, SampleCodeSets())).IsAccepted);
        Assert.False(Assert.Single(ClaimsCsvReader.Read(visit.ToStream(), null, SampleCodeSets())).IsAccepted);
    }

    [Fact]
    public void Rejects_NeverRepeatTheDiagnosis()
    {
        var outcomes = new[] { Csv("F31.81X"), Csv("F3181", dx2: "F31.8X1"), X12("F31.81"), Csv("F3181", validator: SampleCodeSets()) };

        Assert.All(outcomes.SelectMany(o => o.Rejects.Concat(o.Warnings)), r =>
        {
            Assert.DoesNotContain("F318", r.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("F31.8", r.ToString(), StringComparison.Ordinal);
        });
        Assert.Equal(4, outcomes.Sum(o => o.Rejects.Count + o.Warnings.Count));
    }
}
