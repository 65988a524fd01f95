using Mets.Claims.Analytics;
using static Mets.Claims.Tests.Analytics.ClaimFactory;

namespace Mets.Claims.Tests.Analytics;

public class ClassificationTests
{
    private readonly ClaimClassifier _classifier = new(BhCodeSets.Default);

    [Fact]
    public void Default_CodeSets_AreVersionedAndLabelledAsPublicProxies()
    {
        Assert.Equal("2026.2-public-proxy", BhCodeSets.Default.Version);
        Assert.Contains("PUBLIC PROXY for NCQA", BhCodeSets.Default.Label, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_AnotherVersionOfTheCodeSets_IsUsedByTheClassifier()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mets-code-sets-{Guid.NewGuid():N}.json");
        using (var stream = typeof(BhCodeSets).Assembly.GetManifestResourceStream("Mets.Claims.CodeSets.bh-code-sets.v1.json")!)
        using (var reader = new StreamReader(stream))
        {
            // A later version that also counts dementia (F01-F09) as mental illness.
            var json = reader.ReadToEnd()
                .Replace("\"2026.2-public-proxy\"", "\"2027.1-test\"", StringComparison.Ordinal)
                .Replace("\"mentalIllness\": [ \"F20-F29\"", "\"mentalIllness\": [ \"F01-F09\", \"F20-F29\"", StringComparison.Ordinal);
            File.WriteAllText(path, json);
        }

        try
        {
            var sets = BhCodeSets.LoadFile(path);

            Assert.Equal("2027.1-test", sets.Version);
            Assert.Equal(BhDiagnosisFamilies.MentalIllness, new ClaimClassifier(sets).ClassifyDiagnosis(new DiagnosisCode("F0390", DiagnosisCodeSystem.Icd10Cm)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_FileWithoutVersion_IsRefusedWithAClearError()
    {
        var error = Assert.Throws<InvalidDataException>(() => BhCodeSets.Load(TestFiles.Text("{ \"label\": \"x\" }")));

        Assert.Contains("version", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("F329", BhDiagnosisFamilies.MentalIllness | BhDiagnosisFamilies.MajorDepression)]
    [InlineData("F250", BhDiagnosisFamilies.MentalIllness | BhDiagnosisFamilies.Schizophrenia)]
    [InlineData("F1120", BhDiagnosisFamilies.SubstanceUseDisorder)]
    [InlineData("F0390", BhDiagnosisFamilies.None)]
    [InlineData("X780XXA", BhDiagnosisFamilies.SelfHarm)]
    [InlineData("T391X2A", BhDiagnosisFamilies.SelfHarm)]
    [InlineData("T402X2A", BhDiagnosisFamilies.SelfHarm | BhDiagnosisFamilies.Overdose)]
    [InlineData("T404X1A", BhDiagnosisFamilies.Overdose)]
    [InlineData("T404X5A", BhDiagnosisFamilies.None)]
    [InlineData("I10", BhDiagnosisFamilies.None)]
    public void ClassifyDiagnosis_Icd10Code_FindsItsFamilies(string code, BhDiagnosisFamilies expected)
    {
        Assert.Equal(expected, _classifier.ClassifyDiagnosis(new DiagnosisCode(code, DiagnosisCodeSystem.Icd10Cm)));
    }

    [Fact]
    public void ClassifyDiagnosis_Icd9Code_IsKeptButNotClassified()
    {
        Assert.Equal(BhDiagnosisFamilies.None, _classifier.ClassifyDiagnosis(new DiagnosisCode("29620", DiagnosisCodeSystem.Icd9Cm)));
    }

    [Fact]
    public void ClassifyLine_BehavioralHealthCodes_AreFlagged()
    {
        var line = Line(D("2026-01-01"), D("2026-01-01"), pos: "53", revenue: "0905", procedure: "H0015", taxonomy: "261QM0801X");

        var traits = _classifier.ClassifyLine(line);

        Assert.Equal(BhLineTraits.BhPlaceOfService | BhLineTraits.BhRevenueCode | BhLineTraits.BhProcedure | BhLineTraits.SubstanceUseService | BhLineTraits.MentalHealthProvider, traits);
    }

    [Fact]
    public void Classify_SettingsAndUtilization_AreDerived()
    {
        var stay = Stay("S1", "2026-01-01", "2026-01-05", "F332");
        var ed = Emergency("E1", "2026-01-10", "F1020");
        var visit = Visit("V1", "2026-01-11", "F411");
        var medical = Visit("V2", "2026-01-12", "J069", procedure: "99213", taxonomy: null);
        var fill = Fill("R1", "2026-01-12", "00049491030", 30);

        Assert.Equal((ClaimSetting.InpatientStay, true), (stay.Setting, stay.IsBhInpatientStay));
        Assert.Equal((ClaimSetting.EmergencyVisit, true), (ed.Setting, ed.IsBhEmergencyVisit));
        Assert.Equal([D("2026-01-11")], visit.BhVisitDates);
        Assert.Empty(medical.BhVisitDates);
        Assert.False(medical.IsBehavioralHealth);
        Assert.Equal(("sertraline", DrugClass.Antidepressant), (fill.Fills[0].Drug, fill.Fills[0].Class));
    }

    [Fact]
    public void CodeRangeSet_RangesPrefixesAndExactCodes_Match()
    {
        var set = new CodeRangeSet(["F20-F29", "90832-90838", "G2214", "103T"]);

        Assert.True(set.Contains("F259"));
        Assert.False(set.Contains("F30"));
        Assert.True(set.Contains("90837"));
        Assert.False(set.Contains("90839"));
        Assert.True(set.Contains("G2214"));
        Assert.True(set.Contains("103TC0700X"));
        Assert.False(set.Contains(null));
    }
}
