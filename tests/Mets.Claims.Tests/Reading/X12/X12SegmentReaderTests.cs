using System.Text;
using Mets.Claims.Reading.X12;

namespace Mets.Claims.Tests.Reading.X12;

/// <summary>Clear reasons for broken envelopes: each ends in a rejected interchange with the TA1 note code that
/// says what is wrong, never in another exception.</summary>
public class X12SegmentReaderTests
{
    private static string Professional => File.ReadAllText(TestFiles.DataPath("x12-837", "bh", "bh-professional.837"));

    private static X12InterchangeResult ReadOnlyInterchange(string text)
    {
        var reader = X12ClaimReader.Open(TestFiles.Text(text));
        _ = reader.ReadClaims().ToList();
        return Assert.Single(reader.Interchanges);
    }

    [Fact]
    public void Samples_IsaIsExactly106Characters()
    {
        Assert.Equal('~', Professional[105]);
        Assert.Equal(106, X12Samples.File(X12Samples.Set("0001", "C")).IndexOf('~', StringComparison.Ordinal) + 1);
    }

    [Fact]
    public void WrongTerminator_SmallFile_IsReportedAsTheTerminatorNotATruncation()
    {
        // The ISA declares '~' (the character after ISA16) but every later segment ends with a line break.
        var text = Professional[..106] + Professional[106..].Replace("~", string.Empty, StringComparison.Ordinal);
        Assert.True(text.Length < 4096);

        var interchange = ReadOnlyInterchange(text);

        Assert.Equal("004", interchange.Problem!.Ta1NoteCode);
        Assert.Contains("segment terminator the ISA declares", interchange.Problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("truncated", interchange.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongTerminator_LargeFile_IsReportedAsTheTerminatorNotAnOversizedSegment()
    {
        var sets = Enumerable.Range(1, 80).Select(i => X12Samples.Set(i.ToString("0000", System.Globalization.CultureInfo.InvariantCulture), "C", claims: 500)).ToArray();
        var good = X12Samples.File(sets);
        var text = good[..106] + good[106..].Replace('~', '!');
        Assert.True(Encoding.ASCII.GetByteCount(text) > 2 << 20, "the file must be well over the 1 MB segment limit");

        var interchange = ReadOnlyInterchange(text);

        Assert.Equal("004", interchange.Problem!.Ta1NoteCode);
        Assert.Contains("segment terminator the ISA declares", interchange.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongTerminator_OtherPrintableCharacterOnOneLine_IsReportedAsTheTerminator()
    {
        var text = Professional[..106] + Professional[106..].Replace("~\n", "!", StringComparison.Ordinal);

        Assert.Equal("004", ReadOnlyInterchange(text).Problem!.Ta1NoteCode);
    }

    [Fact]
    public void TruncatedFile_IsReportedAsTruncated()
    {
        var text = Professional[..(Professional.Length / 2)];

        var interchange = ReadOnlyInterchange(text);

        Assert.Equal("023", interchange.Problem!.Ta1NoteCode);
        Assert.Contains("truncated", interchange.Problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*ZZ*METSTEST       *", "*ZZ*METSTEST*", "ISA06 has 8 characters", "006")]        // short ISA (sender id not padded)
    [InlineData("*ZZ*METSPLAN       *", "*ZZ*METSPLAN        *", "ISA08 has 16 characters", "008")] // long ISA
    [InlineData("*260301*1200*", "*26031*1200*", "ISA09 has 5 characters", "014")]
    [InlineData("*000000101*0*T*", "*00000101*0*T*", "ISA13 has 8 characters", "018")]
    public void IsaNot106Characters_IsAMalformedIsaNamingTheElement(string original, string broken, string message, string noteCode)
    {
        var text = Professional.Replace(original, broken, StringComparison.Ordinal);
        Assert.NotEqual(106, text.IndexOf('~', StringComparison.Ordinal) + 1);

        var interchange = ReadOnlyInterchange(text);

        Assert.StartsWith("The ISA segment is malformed: " + message, interchange.Problem!.Message, StringComparison.Ordinal);
        Assert.Equal(noteCode, interchange.Problem.Ta1NoteCode);
        // Read by its separators, not by fixed offsets: the fields a TA1 needs are right.
        Assert.Equal(("METSTEST", "METSPLAN", "000000101".Length), (interchange.Header!.SenderId, interchange.Header.ReceiverId.Trim(), 9));
        Assert.Equal(new X12Delimiters('*', ':', '^', '~'), interchange.Header.Delimiters);
    }

    [Theory]
    [InlineData("*00501*", "*00401*", "017")]
    [InlineData("*0*T*:~", "*0*X*:~", "020")]
    [InlineData("*0*T*:~", "*2*T*:~", "019")]
    [InlineData("ISA*00*", "ISA*99*", "010")]
    public void IsaWithAnInvalidValue_RejectsTheInterchangeWithItsNoteCode(string original, string broken, string noteCode)
    {
        var text = ReplaceFirst(Professional, original, broken);

        var interchange = ReadOnlyInterchange(text);

        Assert.Equal(noteCode, interchange.Problem!.Ta1NoteCode);
    }

    [Theory]
    [InlineData("ISA*00*short header~GS*HC~", "The file ends inside the ISA interchange header.")]
    [InlineData("ISA*00*short header~ and then a long text without any further separator, longer than a whole ISA would be, to the end", "The ISA segment is malformed: it does not have sixteen elements")]
    public void IsaWithoutSixteenElements_CannotBeAnsweredAndSaysWhy(string text, string message)
    {
        var reader = X12ClaimReader.Open(TestFiles.Text(text));

        Assert.Empty(reader.ReadClaims().ToList());

        Assert.Empty(reader.Interchanges);
        Assert.StartsWith(message, reader.FirstEnvelopeProblem, StringComparison.Ordinal);
        Assert.True(reader.NothingAccepted);
    }

    [Fact]
    public void NotX12_SaysTheFileDoesNotStartWithAnIsa()
    {
        var reader = X12ClaimReader.Open(TestFiles.Text("claim_id,member_id\nC1,M1\n"));

        Assert.Empty(reader.ReadClaims().ToList());

        Assert.Contains("ISA", reader.FirstEnvelopeProblem, StringComparison.Ordinal);
    }

    private static string ReplaceFirst(string text, string original, string replacement)
    {
        var at = text.IndexOf(original, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + original.Length)..];
    }
}
