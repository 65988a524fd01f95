using System.Globalization;

namespace Mets.Claims.Reading.X12;

/// <summary>An element error inside a segment (999 IK4): position in the segment (IK401-1), component
/// position in a composite (IK401-2), the data element reference number (IK402) and the implementation
/// data element syntax error code (IK403: 1 required element missing, 4 too short, 5 too long, 6 invalid
/// character, 7 invalid code value, 8 invalid date, I10 "not used" element present, I12 pattern match failure...).</summary>
public sealed record X12ElementError(int Position, int? Component, int? ReferenceNumber, string Code);

/// <summary>A segment error (999 IK3): segment id (IK301), its position in the transaction set with ST = 1
/// (IK302), the loop it belongs to (IK303, when in a loop), the implementation segment syntax error code
/// (IK304: 1 unrecognized segment id, 3 required segment missing, 8 segment has data element errors, I6
/// implementation dependent segment missing...), the claim it belongs to (CLM01, for CTX; null outside a
/// claim) and its element errors.</summary>
public sealed record X12SegmentError(string SegmentId, long Position, string? LoopId, string Code, string? ClaimId, IReadOnlyList<X12ElementError> Elements);

/// <summary>How a unit of an interchange was acknowledged: A accepted, E accepted with errors noted, P partially
/// accepted (a group with accepted and rejected transaction sets), R rejected.</summary>
public enum X12AcknowledgmentCode
{
    Accepted,
    AcceptedWithErrors,
    PartiallyAccepted,
    Rejected,
}

/// <summary>One transaction set (ST/SE) as the reader found it.</summary>
public sealed class X12TransactionSetResult
{
    internal X12TransactionSetResult(long ordinal, long firstSegment, string identifier, string controlNumber, string implementationReference)
    {
        Ordinal = ordinal;
        FirstSegment = firstSegment;
        Identifier = identifier;
        ControlNumber = controlNumber;
        ImplementationReference = implementationReference;
    }

    /// <summary>1-based position of the ST among all transaction sets of the file.</summary>
    public long Ordinal { get; }

    /// <summary>Segment number of the ST in the file.</summary>
    public long FirstSegment { get; }

    /// <summary>ST01 (837 expected).</summary>
    public string Identifier { get; }

    /// <summary>ST02.</summary>
    public string ControlNumber { get; }

    /// <summary>ST03 (005010X222A1 / 005010X223A2 ...).</summary>
    public string ImplementationReference { get; }

    /// <summary>IK502-IK506: why the set is rejected or what kind of errors it has (1 not supported, 2 trailer
    /// missing, 3 control numbers differ, 4 segment count differs, 23 control number not unique, I5 segments in
    /// error, I6 implementation convention not supported).</summary>
    public List<string> SyntaxErrorCodes { get; } = [];

    /// <summary>The IK3/IK4 errors, in file order (capped by the reader).</summary>
    public List<X12SegmentError> SegmentErrors { get; } = [];

    /// <summary>Errors found beyond the cap (counted, not listed).</summary>
    public int ErrorsNotListed { get; internal set; }

    /// <summary>Rejected for a reason of its own (header, hierarchy, trailer).</summary>
    public bool IsRejected { get; internal set; }

    /// <summary>What rejected it, naming elements and never values; null when not rejected.</summary>
    public string? RejectionReason { get; internal set; }

    /// <summary>Segment the rejection was found at.</summary>
    public long RejectionSegment { get; internal set; }

    /// <summary>CLM loops read in the set.</summary>
    public int Claims { get; internal set; }

    /// <summary>True when the reader handed out an accepted claim of this set before the set was rejected:
    /// whoever staged it must start over without this set (<see cref="X12ClaimReader.NeedsRereadWithoutRejectedSets"/>).</summary>
    public bool HandedOutAcceptedClaims { get; internal set; }

    public bool HasErrors => SegmentErrors.Count > 0 || ErrorsNotListed > 0;

    /// <summary>The IK501 code, given whether its group and interchange stand.</summary>
    public X12AcknowledgmentCode CodeWithin(X12GroupResult group) =>
        IsRejected || group.IsRejected ? X12AcknowledgmentCode.Rejected
        : HasErrors ? X12AcknowledgmentCode.AcceptedWithErrors
        : X12AcknowledgmentCode.Accepted;
}

/// <summary>One functional group (GS/GE) as the reader found it.</summary>
public sealed class X12GroupResult
{
    internal X12GroupResult(long firstSegment, string functionalIdentifier, string applicationSender, string applicationReceiver, string controlNumber, string version)
    {
        FirstSegment = firstSegment;
        FunctionalIdentifier = functionalIdentifier;
        ApplicationSender = applicationSender;
        ApplicationReceiver = applicationReceiver;
        ControlNumber = controlNumber;
        Version = version;
    }

    public long FirstSegment { get; }

    /// <summary>GS01 (HC expected).</summary>
    public string FunctionalIdentifier { get; }

    /// <summary>GS02.</summary>
    public string ApplicationSender { get; }

    /// <summary>GS03.</summary>
    public string ApplicationReceiver { get; }

    /// <summary>GS06.</summary>
    public string ControlNumber { get; }

    /// <summary>GS08.</summary>
    public string Version { get; }

    /// <summary>GE01 when it was read as a number.</summary>
    public int? DeclaredTransactionSets { get; internal set; }

    public List<X12TransactionSetResult> Sets { get; } = [];

    /// <summary>AK905-AK909: 1 group not supported, 2 version not supported, 3 trailer missing, 4 control numbers
    /// differ, 5 transaction set count differs, 6 control number violates syntax, 19 control number not unique.</summary>
    public List<string> SyntaxErrorCodes { get; } = [];

    /// <summary>What rejected the group; null when it stands.</summary>
    public string? RejectionReason { get; internal set; }

    public long RejectionSegment { get; internal set; }

    public bool IsRejected => SyntaxErrorCodes.Count > 0;

    public int AcceptedSets => IsRejected ? 0 : Sets.Count(s => s.CodeWithin(this) != X12AcknowledgmentCode.Rejected);

    /// <summary>The AK901 code.</summary>
    public X12AcknowledgmentCode Code
    {
        get
        {
            if (IsRejected || Sets.Count == 0)
            {
                return X12AcknowledgmentCode.Rejected;
            }

            var codes = Sets.Select(s => s.CodeWithin(this)).ToList();
            return codes.All(c => c == X12AcknowledgmentCode.Rejected) ? X12AcknowledgmentCode.Rejected
                : codes.Any(c => c == X12AcknowledgmentCode.Rejected) ? X12AcknowledgmentCode.PartiallyAccepted
                : codes.Any(c => c == X12AcknowledgmentCode.AcceptedWithErrors) ? X12AcknowledgmentCode.AcceptedWithErrors
                : X12AcknowledgmentCode.Accepted;
        }
    }
}

/// <summary>One interchange (ISA/IEA) as the reader found it. A rejected interchange is answered with a TA1
/// (TA104 R and the note code TA105); an accepted one with a 999 per functional group.</summary>
public sealed class X12InterchangeResult
{
    internal X12InterchangeResult(long firstSegment, X12InterchangeHeader? header)
    {
        FirstSegment = firstSegment;
        Header = header;
    }

    public long FirstSegment { get; }

    /// <summary>The ISA fields; null when they could not be found (then no acknowledgment can be addressed).</summary>
    public X12InterchangeHeader? Header { get; }

    /// <summary>Why the interchange is rejected; null when it stands.</summary>
    public X12EnvelopeProblem? Problem { get; internal set; }

    /// <summary>IEA01 when it was read as a number.</summary>
    public int? DeclaredGroups { get; internal set; }

    public List<X12GroupResult> Groups { get; } = [];

    public bool IsRejected => Problem is not null;

    /// <summary>Every transaction set of the interchange.</summary>
    public IEnumerable<X12TransactionSetResult> Sets => Groups.SelectMany(g => g.Sets);

    /// <summary>The reject report entries for what this interchange rejected: the interchange itself, or its
    /// rejected groups and transaction sets. They name segments and elements, never values.</summary>
    public IEnumerable<RejectEntry> Rejects()
    {
        if (Problem is not null)
        {
            var claims = Sets.Sum(s => s.Claims);
            yield return new RejectEntry(Location(FirstSegment), "ISA", string.Create(CultureInfo.InvariantCulture,
                $"interchange rejected (TA1 note {Problem.Ta1NoteCode}): {Problem.Message} Nothing in it is applied ({claims} claims)."));
            yield break;
        }

        foreach (var group in Groups)
        {
            if (group.IsRejected)
            {
                yield return new RejectEntry(Location(group.RejectionSegment == 0 ? group.FirstSegment : group.RejectionSegment), "GS", string.Create(CultureInfo.InvariantCulture,
                    $"functional group rejected (999 AK9 R, code {string.Join('/', group.SyntaxErrorCodes)}): {group.RejectionReason} Nothing in it is applied ({group.Sets.Sum(s => s.Claims)} claims)."));
                continue;
            }

            foreach (var set in group.Sets.Where(s => s.IsRejected))
            {
                yield return new RejectEntry(Location(set.RejectionSegment == 0 ? set.FirstSegment : set.RejectionSegment), "ST", string.Create(CultureInfo.InvariantCulture,
                    $"transaction set rejected (999 IK5 R, code {string.Join('/', set.SyntaxErrorCodes)}): {set.RejectionReason} None of its {set.Claims} claims is applied."));
            }
        }
    }

    private static string Location(long segment) => "segment " + segment.ToString(CultureInfo.InvariantCulture);
}
