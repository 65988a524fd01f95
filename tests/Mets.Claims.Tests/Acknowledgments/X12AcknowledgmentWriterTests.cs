using System.Globalization;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Reading.X12;

namespace Mets.Claims.Tests.Acknowledgments;

public class X12AcknowledgmentWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 14, 5, 0, TimeSpan.Zero);

    /// <summary>Every envelope in the test data: the public samples (LinuxForHealth/x12) and the BH fixtures.</summary>
    public static TheoryData<string> Envelopes()
    {
        var data = new TheoryData<string>();
        foreach (var row in Reading.X12.X12ClaimReaderTests.PublicSamples)
        {
            data.Add((string)row[0]);
        }

        data.Add("bh/bh-professional.837");
        data.Add("bh/bh-institutional.837i");
        return data;
    }

    private static string Envelope(string file) => File.ReadAllText(TestFiles.DataPath("x12-837", file));

    private static (X12ClaimReader Reader, ClaimsAcknowledgment Ack, AckFile Parsed) Acknowledge(string text, long firstControlNumber = 42)
    {
        var reader = X12ClaimReader.Open(TestFiles.Text(text));
        _ = reader.ReadClaims().ToList();
        var ack = X12AcknowledgmentWriter.Write(reader.Interchanges, firstControlNumber, Now)!;
        return (reader, ack, AckFile.Parse(ack.Content));
    }

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void Write_EachTestDataEnvelope_Is999AcceptedAddressedBackWithTheInboundSeparators(string file)
    {
        var text = Envelope(file);
        var (reader, ack, parsed) = Acknowledge(text);
        var inbound = Assert.Single(reader.Interchanges);
        var group = Assert.Single(inbound.Groups);
        var set = Assert.Single(group.Sets);

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal(ClaimsAcknowledgmentKind.Implementation999, ack.Kind);
        Assert.Equal(".999", ack.FileExtension);
        Assert.Equal((inbound.Header!.ReceiverQualifier, inbound.Header.ReceiverId, inbound.Header.SenderQualifier, inbound.Header.SenderId),
            (reply.Header.SenderQualifier, reply.Header.SenderId, reply.Header.ReceiverQualifier, reply.Header.ReceiverId));
        Assert.Equal((inbound.Header.Delimiters.Element, inbound.Header.Delimiters.Component, inbound.Header.Delimiters.Segment, inbound.Header.UsageIndicator),
            (reply.Header.Delimiters.Element, reply.Header.Delimiters.Component, reply.Header.Delimiters.Segment, reply.Header.UsageIndicator));
        Assert.Equal(("000000042", "00501", "0"), (reply.Header.ControlNumber, reply.Header.Version, reply.Header.AcknowledgmentRequested));
        Assert.Equal(("260310", "1405"), (reply.Header.Date, reply.Header.Time));
        Assert.Equal($"GS*FA*{group.ApplicationReceiver}*{group.ApplicationSender}*20260310*1405*43*X*005010X231A1", reply.Segment("GS"));
        Assert.Equal("ST*999*0001*005010X231A1", reply.Segment("ST"));
        Assert.Equal($"AK1*HC*{group.ControlNumber}*{group.Version}", reply.Segment("AK1"));
        Assert.Equal($"AK2*837*{set.ControlNumber}*{set.ImplementationReference}", reply.Segment("AK2"));
        // The TA1 is there exactly when ISA14 asked for one.
        Assert.Equal(inbound.Header.AcknowledgmentRequested == "1" ? $"TA1*{inbound.Header.ControlNumber}*{inbound.Header.Date}*{inbound.Header.Time}*A*000" : null, reply.Segment("TA1"));
        if (file == "bh/bh-professional.837")
        {
            // One claim of this fixture has a service line without its date: accepted with errors.
            Assert.Equal(X12AcknowledgmentCode.AcceptedWithErrors, ack.Code);
            Assert.Equal(["IK3*DTP*42*2400*I6", "CTX*CLM01:BHP-1004", "IK5*E*I5", "AK9*E*1*1*1"], reply.Segments.SkipWhile(s => !s.StartsWith("IK3", StringComparison.Ordinal)).Take(4));
        }
        else
        {
            Assert.Equal(X12AcknowledgmentCode.Accepted, ack.Code);
            Assert.Empty(reply.All("IK3"));
            Assert.Equal("IK5*A", reply.Segment("IK5"));
            Assert.Equal("AK9*A*1*1*1", reply.Segment("AK9"));
        }
    }

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void Write_BrokenIeaOfEachEnvelope_IsATa1RejectionOnly(string file)
    {
        var text = Envelope(file);
        var iea = text.LastIndexOf("IEA*", StringComparison.Ordinal);
        var broken = text[..iea] + "IEA*1*999999998~\n";

        var (reader, ack, parsed) = Acknowledge(broken);

        var inbound = Assert.Single(reader.Interchanges).Header!;
        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal((ClaimsAcknowledgmentKind.InterchangeTa1, X12AcknowledgmentCode.Rejected, ".ta1"), (ack.Kind, ack.Code, ack.FileExtension));
        Assert.Equal([$"TA1*{inbound.ControlNumber}*{inbound.Date}*{inbound.Time}*R*001", "IEA*0*000000042"], reply.Segments);
    }

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void Write_BrokenSegmentCountOfEachEnvelope_Is999RejectingTheTransactionSet(string file)
    {
        var text = Envelope(file);
        var se = text.LastIndexOf("SE*", StringComparison.Ordinal);
        var count = int.Parse(text[(se + 3)..text.IndexOf('*', se + 3)], CultureInfo.InvariantCulture);
        var broken = text[..se] + "SE*" + (count + 1).ToString(CultureInfo.InvariantCulture) + text[text.IndexOf('*', se + 3)..];

        var (_, ack, parsed) = Acknowledge(broken);

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal((ClaimsAcknowledgmentKind.Implementation999, X12AcknowledgmentCode.Rejected), (ack.Kind, ack.Code));
        Assert.StartsWith("IK5*R*4", reply.Segment("IK5"), StringComparison.Ordinal);
        Assert.Equal("AK9*R*1*1*0", reply.Segment("AK9"));
    }

    [Theory]
    [InlineData("HI*ABK:F332*ABF:F411~", "HI*ABK:F33.2*ABF:F411~", "IK3*HI*18*2300*8", "IK4*1:2*1271*7")]          // a decimal point in X12
    [InlineData("HI*ABK:F332*ABF:F411~", "HI*ABK:F332*ABF:F3X1~", "IK3*HI*18*2300*8", "IK4*2:2*1271*7")]          // secondary: dropped, still noted
    [InlineData("HI*ABK:F332*ABF:F411~", "HI*ABF:F411~", "IK3*HI*18*2300*8", "IK4*1:1*1270*7")]                   // no principal diagnosis
    [InlineData("SV1*HC:90837:95*", "SV1*XX:90837:95*", "IK3*SV1*22*2400*8", "IK4*1:1*235*7")]
    [InlineData("53:B:1*Y*A*Y*Y~", "5X:B:1*Y*A*Y*Y~", "IK3*CLM*17*2300*8", "IK4*5:1*1331*7")]
    [InlineData("DTP*472*D8*20260210~\nLX*2", "DTP*472*D8*20261310~\nLX*2", "IK3*DTP*23*2400*8", "IK4*3*1251*8")]
    [InlineData("PRV*PE*PXC*1041C0700X~", "PRV*PE*PXC*1041C~", "IK3*PRV*20*2310B*8", "IK4*3*127*7")]
    public void Write_ImplementationGuideErrorInAClaim_IsAcceptedWithErrorsWithSegmentAndElement(string original, string broken, string ik3, string ik4)
    {
        var text = Envelope("bh/bh-professional.837");
        Assert.Contains(original, text, StringComparison.Ordinal);

        var (_, ack, parsed) = Acknowledge(text.Replace(original, broken, StringComparison.Ordinal));

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal(X12AcknowledgmentCode.AcceptedWithErrors, ack.Code);
        Assert.Equal([ik3, "CTX*CLM01:BHP-1001", ik4], reply.Segments.SkipWhile(s => s != ik3).Take(3));
        Assert.Equal("IK5*E*I5", reply.Segment("IK5"));
        Assert.Equal("AK9*E*1*1*1", reply.Segment("AK9"));
    }

    [Fact]
    public void Write_BrokenHierarchy_RejectsTheTransactionSetWithIk3Ik4()
    {
        var text = Envelope("bh/bh-professional.837").Replace("HL*3*1*22*0~", "HL*3*7*22*0~", StringComparison.Ordinal);

        var (_, ack, parsed) = Acknowledge(text);

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal(X12AcknowledgmentCode.Rejected, ack.Code);
        Assert.Equal(["IK3*HL*44*2000B*8", "IK4*2*734*7"], reply.Segments.SkipWhile(s => !s.StartsWith("IK3*HL", StringComparison.Ordinal)).Take(2));
        Assert.Equal("IK5*R*I5", reply.Segment("IK5"));
        Assert.Equal("AK9*R*1*1*0", reply.Segment("AK9"));
    }

    [Fact]
    public void Write_TwoSetsOneRejected_IsPartiallyAccepted()
    {
        var bad = X12Samples.Set("0002", "B");
        bad[^1] = "SE*99*0002";

        var (_, ack, parsed) = Acknowledge(X12Samples.File(X12Samples.Set("0001", "A"), bad));

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal(X12AcknowledgmentCode.PartiallyAccepted, ack.Code);
        Assert.Equal(["AK2*837*0001*005010X222A1", "IK5*A", "AK2*837*0002*005010X222A1", "IK5*R*4", "AK9*P*2*2*1"],
            reply.Segments.Where(s => s.StartsWith("AK2", StringComparison.Ordinal) || s.StartsWith("IK5", StringComparison.Ordinal) || s.StartsWith("AK9", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("GE*2*501", "GE*3*501", "AK9*R*3*2*0*5")]                          // transaction set count
    [InlineData("GE*2*501", "GE*2*502", "AK9*R*2*2*0*4")]                          // control number
    [InlineData("GS*HC*", "GS*HP*", "AK9*R*2*2*0*1")]                              // not a claims group
    [InlineData("*X*005010X222A1~\nST*837*0001", "*X*004010X098A1~\nST*837*0001", "AK9*R*2*2*0*2")]   // version
    public void Write_BrokenFunctionalGroup_RejectsTheGroupInAk9(string original, string broken, string ak9)
    {
        var text = X12Samples.File(X12Samples.Set("0001", "A"), X12Samples.Set("0002", "B"));
        Assert.Contains(original, text, StringComparison.Ordinal);

        var (_, ack, parsed) = Acknowledge(text.Replace(original, broken, StringComparison.Ordinal));

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal(X12AcknowledgmentCode.Rejected, ack.Code);
        Assert.Equal(ak9, reply.Segment("AK9"));
        Assert.All(reply.All("IK5"), ik5 => Assert.StartsWith("IK5*R", ik5, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ST*837*0002*005010X222A1", "ST*837*0001*005010X222A1", "SE*16*0002", "SE*16*0001", "IK5*R*23")]   // ST02 repeated in the group
    [InlineData("ST*837*0002*005010X222A1", "ST*837*0002*005010X999A1", null, null, "IK5*R*I6")]                // unsupported guide
    [InlineData("ST*837*0002*005010X222A1", "ST*835*0002*005010X222A1", null, null, "IK5*R*1")]                 // not an 837
    [InlineData("SE*16*0002", "SE*16*0009", null, null, "IK5*R*3")]                                              // SE02 differs
    [InlineData("SE*16*0002\nGE", "GE", null, null, "IK5*R*2")]                                                  // no SE
    public void Write_BrokenTransactionSetHeaderOrTrailer_RejectsThatSetWithItsCode(string original, string broken, string? original2, string? broken2, string ik5)
    {
        var text = X12Samples.File(X12Samples.Set("0001", "A"), X12Samples.Set("0002", "B")).Replace("~\n", "\n", StringComparison.Ordinal);
        Assert.Contains(original, text, StringComparison.Ordinal);
        text = text.Replace(original, broken, StringComparison.Ordinal);
        if (original2 is not null)
        {
            text = text.Replace(original2, broken2!, StringComparison.Ordinal);
        }

        var (_, _, parsed) = Acknowledge(text.Replace("\n", "~\n", StringComparison.Ordinal));

        var reply = Assert.Single(parsed.Interchanges);
        Assert.Equal(["IK5*A", ik5], reply.All("IK5"));
        Assert.Equal("AK9*P*2*2*1", reply.Segment("AK9"));
    }

    [Fact]
    public void Write_TwoGroupsAndTwoInterchanges_OneAcknowledgmentInterchangePerInboundOneGroupPerInboundGroup()
    {
        var first = X12Samples.Interchange("000000601", [X12Samples.Group("61", X12Samples.Set("0001", "A")), X12Samples.Group("62", X12Samples.Set("0001", "B"))]);
        var second = X12Samples.Interchange("000000602", [X12Samples.Group("63", X12Samples.Set("0001", "C"))], element: '|', component: '>', terminator: '!', acknowledgmentRequested: "1");

        var (_, ack, parsed) = Acknowledge(first + second, firstControlNumber: 999_999_998);

        Assert.Equal(2, parsed.Interchanges.Count);
        var (a, b) = (parsed.Interchanges[0], parsed.Interchanges[1]);
        Assert.Equal("999999998", a.Header.ControlNumber);
        Assert.Equal(["999999999", "1"], a.All("GS").Select(gs => gs.Split('*')[6]));     // numbers wrap after 999,999,999
        Assert.Equal(["AK1*HC*61*005010X222A1", "AK1*HC*62*005010X222A1"], a.All("AK1"));
        Assert.Equal(("000000002", '|', '>', '!'), (b.Header.ControlNumber, b.Header.Delimiters.Element, b.Header.Delimiters.Component, b.Header.Delimiters.Segment));
        Assert.Equal("TA1*000000602*260301*1200*A*000", b.Segment("TA1"));
        Assert.Equal("GS*FA*RECEIVERAPP*SENDERAPP*20260310*1405*3*X*005010X231A1", b.Segment("GS"));
        Assert.Equal("999999998", ack.ControlNumber);
        Assert.Equal(X12AcknowledgmentCode.Accepted, ack.Code);
    }

    [Fact]
    public void Write_NeverCopiesMemberIdsNamesOrBirthDates()
    {
        var text = X12Samples.File(X12Samples.Set("0001", "A", member: TestFiles.Sentinel.MemberId, principal: "F31.81"))
            .Replace("DOE*JANE", "ZZSURNAME*ZZGIVEN", StringComparison.Ordinal).Replace("19800101", "19770707", StringComparison.Ordinal)
            .Replace("MI*" + TestFiles.Sentinel.MemberId, "XX*" + TestFiles.Sentinel.MemberId, StringComparison.Ordinal);

        var (_, ack, parsed) = Acknowledge(text);

        Assert.Contains(parsed.Segments, s => s.StartsWith("IK4", StringComparison.Ordinal));
        foreach (var value in new[] { TestFiles.Sentinel.MemberId, "ZZSURNAME", "ZZGIVEN", "19770707", "F3181", "F31.81" })
        {
            Assert.DoesNotContain(value, ack.Content, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1, "000000001")]
    [InlineData(999_999_999, "999999999")]
    [InlineData(1_000_000_000, "000000001")]
    public void ControlNumber_IsNineDigitsAndWraps(long number, string expected) =>
        Assert.Equal(expected, X12AcknowledgmentWriter.ControlNumber(number));
}
