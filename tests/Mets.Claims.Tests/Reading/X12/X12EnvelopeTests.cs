using Mets.Claims.Reading.X12;

namespace Mets.Claims.Tests.Reading.X12;

/// <summary>Several transaction sets per group, several groups per interchange and several interchanges per file,
/// with their counts checked; a rejected unit never hands out its claims as accepted on the second read.</summary>
public class X12EnvelopeTests
{
    private static (X12ClaimReader Reader, List<ClaimReadOutcome> Outcomes) Read(string text, IReadOnlySet<long>? skip = null)
    {
        var reader = X12ClaimReader.Open(TestFiles.Text(text), new X12ReadOptions { SkipTransactionSets = skip ?? new HashSet<long>() });
        return (reader, reader.ReadClaims().ToList());
    }

    [Fact]
    public void Read_SeveralTransactionSetsInAGroup_ReadsThemAll()
    {
        var (reader, outcomes) = Read(X12Samples.File(X12Samples.Set("0001", "A", claims: 2), X12Samples.Set("0002", "B"), X12Samples.Set("0003", "C", claims: 3)));

        Assert.Equal(["A1", "A2", "B1", "C1", "C2", "C3"], outcomes.Select(o => o.Claim!.ClaimId));
        var group = Assert.Single(Assert.Single(reader.Interchanges).Groups);
        Assert.Equal([1L, 2L, 3L], group.Sets.Select(s => s.Ordinal));
        Assert.Equal(3, group.DeclaredTransactionSets);
        Assert.Null(reader.FirstEnvelopeProblem);
    }

    [Fact]
    public void Read_SeveralGroupsInAnInterchange_ReadsThemAll()
    {
        var text = X12Samples.Interchange("000000701", [X12Samples.Group("71", X12Samples.Set("0001", "A")), X12Samples.Group("72", X12Samples.Set("0001", "B"), X12Samples.Set("0002", "C"))]);

        var (reader, outcomes) = Read(text);

        Assert.Equal(["A1", "B1", "C1"], outcomes.Select(o => o.Claim!.ClaimId));
        var interchange = Assert.Single(reader.Interchanges);
        Assert.Equal((2, 2), (interchange.DeclaredGroups, interchange.Groups.Count));
        Assert.False(interchange.IsRejected);
    }

    [Fact]
    public void Read_SeveralInterchangesWithTheirOwnSeparators_ReadsThemAll()
    {
        var text = X12Samples.Interchange("000000801", [X12Samples.Group("81", X12Samples.Set("0001", "A"))])
            + "\n\n"
            + X12Samples.Interchange("000000802", [X12Samples.Group("82", X12Samples.Set("0001", "B"))], element: '|', component: '>', terminator: '!');

        var (reader, outcomes) = Read(text);

        Assert.Equal(["A1", "B1"], outcomes.Select(o => o.Claim!.ClaimId));
        Assert.Equal(["000000801", "000000802"], reader.Interchanges.Select(i => i.Header!.ControlNumber));
        Assert.Equal('|', reader.Interchanges[1].Header!.Delimiters.Element);
        Assert.Equal("90837", outcomes[1].Claim!.Lines[0].ProcedureCode);
        Assert.True(reader.Interchanges.All(i => !i.IsRejected));
    }

    [Theory]
    [InlineData("GE*2*91", "GE*1*91", "GE01", "5")]
    [InlineData("IEA*1*000000901", "IEA*2*000000901", "IEA01", "021")]
    public void Read_WrongCount_RejectsTheGroupOrInterchangeAfterItsClaimsWereHandedOut(string original, string broken, string element, string code)
    {
        var text = X12Samples.Interchange("000000901", [X12Samples.Group("91", X12Samples.Set("0001", "A"), X12Samples.Set("0002", "B"))]).Replace(original, broken, StringComparison.Ordinal);

        var (reader, outcomes) = Read(text);

        Assert.Equal(2, outcomes.Count(o => o.IsAccepted));
        Assert.Contains(element, reader.FirstEnvelopeProblem, StringComparison.Ordinal);
        var interchange = Assert.Single(reader.Interchanges);
        Assert.Equal(code, interchange.Problem?.Ta1NoteCode ?? string.Join('/', interchange.Groups[0].SyntaxErrorCodes));
        Assert.True(reader.NeedsRereadWithoutRejectedSets);
        Assert.Equal([1L, 2L], reader.RejectedTransactionSets.Order());
        Assert.True(reader.NothingAccepted);

        var (second, again) = Read(text, reader.RejectedTransactionSets);

        Assert.Equal(2, again.Count);
        Assert.All(again, o => Assert.Equal("CLM", Assert.Single(o.Rejects).Field));
        Assert.False(second.NeedsRereadWithoutRejectedSets);
    }

    [Fact]
    public void Read_OneOfTwoInterchangesBroken_TheOtherStands()
    {
        var text = X12Samples.Interchange("000000111", [X12Samples.Group("11", X12Samples.Set("0001", "A"))])
            + X12Samples.Interchange("000000112", [X12Samples.Group("12", X12Samples.Set("0001", "B"))]).Replace("IEA*1*000000112", "IEA*1*000000113", StringComparison.Ordinal);

        var (reader, _) = Read(text);
        var (_, outcomes) = Read(text, reader.RejectedTransactionSets);

        Assert.Equal([true, false], outcomes.Select(o => o.IsAccepted));
        Assert.False(reader.Interchanges[0].IsRejected);
        Assert.Equal("001", reader.Interchanges[1].Problem!.Ta1NoteCode);
        Assert.False(reader.NothingAccepted);
        Assert.Equal("ISA", Assert.Single(reader.EnvelopeRejects).Field);
    }

    [Fact]
    public void Read_SetRejectedAtItsStart_NeverHandsOutItsClaims()
    {
        var (reader, outcomes) = Read(X12Samples.File(X12Samples.Set("0001", "A"), X12Samples.Set("0002", "B", version: "004010X098A1")));

        Assert.Equal([true, false], outcomes.Select(o => o.IsAccepted));
        Assert.False(reader.NeedsRereadWithoutRejectedSets);
        Assert.Equal([2L], reader.RejectedTransactionSets);
        Assert.Contains(reader.EnvelopeRejects, r => r.Field == "ST" && r.Reason.Contains("IK5 R, code I6", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_IsaBeforeTheIea_StopsWithAClearReason()
    {
        var first = X12Samples.File(X12Samples.Set("0001", "A"));
        var text = first[..first.LastIndexOf("IEA", StringComparison.Ordinal)] + first;

        var (reader, _) = Read(text);

        Assert.Contains("an ISA before the IEA trailer", reader.FirstEnvelopeProblem, StringComparison.Ordinal);
        Assert.Equal("022", reader.Interchanges[0].Problem!.Ta1NoteCode);
    }

    [Fact]
    public void Read_DataAfterTheLastIea_IsReportedAndTheInterchangeStands()
    {
        var (reader, outcomes) = Read(X12Samples.File(X12Samples.Set("0001", "A")) + "THIS IS NOT AN INTERCHANGE~");

        Assert.True(Assert.Single(outcomes).IsAccepted);
        Assert.False(reader.NothingAccepted);
        Assert.Contains(reader.EnvelopeRejects, r => r.Reason.StartsWith("Data after the IEA trailer", StringComparison.Ordinal));
    }
}
