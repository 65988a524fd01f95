using System.Globalization;
using Mets.Domain.Diagnoses;
using Mets.Domain.Identifiers;

namespace Mets.Claims.Reading.X12;

/// <summary>Settings of one read of an X12 file.</summary>
public sealed class X12ReadOptions
{
    /// <summary>The ICD-10-CM check (structure, and code-set membership by date of service when configured).</summary>
    public Icd10CmValidator Diagnoses { get; init; } = Icd10CmValidator.StructureOnly;

    /// <summary>Transaction sets (by <see cref="X12TransactionSetResult.Ordinal"/>) whose claims are not handed
    /// out as accepted: the ones a first read of the same file rejected.</summary>
    public IReadOnlySet<long> SkipTransactionSets { get; init; } = new HashSet<long>();

    /// <summary>Segment errors listed per file for the 999 (more are counted, not listed).</summary>
    public int MaxSegmentErrors { get; init; } = 1_000;
}

/// <summary>
/// Streams the claims of a file of ASC X12 837 5010 interchanges, professional (005010X222A1/A2) or
/// institutional (005010X223A2/A3): several interchanges per file, several functional groups per
/// interchange, several transaction sets per group. Besides the claims it records, per interchange, group
/// and transaction set, what a TA1 or 999 has to say (<see cref="Interchanges"/>):
/// <list type="bullet">
/// <item>An interchange whose ISA/IEA envelope is broken (malformed ISA, segment terminator other than the
/// declared one, IEA01/IEA02 mismatch, the file ending inside it, content outside a group) is rejected whole
/// (TA1). A broken ISA, a wrong terminator or a premature end stop the reading; interchanges read before stand.</item>
/// <item>A functional group with GS01 other than HC, an unsupported GS08, a missing GE or a GE01/GE02 mismatch is
/// rejected whole (999 AK9 R).</item>
/// <item>A transaction set with ST01 other than 837, an unsupported ST03, a missing SE, an SE01/SE02 mismatch, a
/// duplicate ST02 or a broken hierarchy (HL) is rejected (999 IK5 R).</item>
/// <item>An implementation-guide error inside a claim (CLM loop) rejects that claim only; the set is accepted
/// with errors (IK5 E) and the 999 lists the segment and element (IK3/IK4).</item>
/// </list>
/// Claims of a rejected unit are handed out as rejected. When a unit is rejected after some of its claims
/// were handed out as accepted (a trailer count found wrong at the end), <see cref="NeedsRereadWithoutRejectedSets"/>
/// is true: read the file again with <see cref="X12ReadOptions.SkipTransactionSets"/> =
/// <see cref="RejectedTransactionSets"/>. Diagnoses come from HI (ABK/ABF/ABN for ICD-10-CM, BK/BF for
/// ICD-9-CM, kept but not classified); a principal diagnosis that fails the ICD-10-CM check rejects the
/// claim, a secondary one is dropped with a warning.
/// </summary>
public sealed class X12ClaimReader
{
    private static readonly HashSet<string> Known837Segments = new(StringComparer.Ordinal)
    {
        "AMT", "BHT", "CAS", "CL1", "CLM", "CN1", "CR1", "CR2", "CR3", "CR4", "CR5", "CR6", "CR7", "CR8", "CRC", "CTP", "CUR", "DMG", "DN1", "DN2",
        "DSB", "DTP", "FRM", "HCP", "HI", "HL", "HSD", "III", "K3", "LIN", "LQ", "LX", "MEA", "MIA", "MOA", "N2", "N3", "N4", "NM1", "NTE", "OI",
        "PAT", "PER", "PRV", "PS1", "PWK", "QTY", "REF", "SBR", "SV1", "SV2", "SV3", "SV4", "SV5", "SV6", "SV7", "SVD", "TOO", "UR",
    };

    private readonly X12SegmentReader _segments;
    private readonly X12ReadOptions _options;
    private readonly List<RejectEntry> _fileWarnings = [];
    private readonly List<RejectEntry> _fileRejects = [];
    private readonly List<X12InterchangeResult> _interchanges = [];
    private readonly HashSet<string> _groupControls = new(StringComparer.Ordinal);
    private readonly HashSet<string> _setControls = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hlIds = new(StringComparer.Ordinal);
    private bool _componentFallbackWarned;
    private bool _stopped;
    private bool _interchangeEnded;
    private int _errorsListed;

    // Envelope state.
    private X12InterchangeResult? _interchange;
    private X12GroupResult? _group;
    private X12TransactionSetResult? _set;
    private long _setOrdinal;
    private bool _skipping;
    private ClaimType _transactionType;

    // Hierarchy state.
    private string? _billingNpi;
    private string? _memberId;
    private X12Segment? _subscriberName;
    private bool _memberErrorNoted;
    private PatientBirth _subscriberBirth;
    private PatientBirth _patientBirth;
    private string _level = string.Empty;

    private ClaimBuilder? _claim;
    private int? _skippedClaimLines;
    private long _skippedClaimSegment;

    private X12ClaimReader(X12SegmentReader segments, X12ReadOptions options)
    {
        _segments = segments;
        _options = options;
    }

    /// <summary>Bytes consumed so far (for progress).</summary>
    public long BytesRead => _segments.BytesRead;

    /// <summary>File-level findings that do not reject anything (e.g. a component separator other than
    /// the one ISA16 declares).</summary>
    public IReadOnlyList<RejectEntry> FileWarnings => _fileWarnings;

    /// <summary>What the envelopes said, per interchange (complete once <see cref="ReadClaims"/> is enumerated).</summary>
    public IReadOnlyList<X12InterchangeResult> Interchanges => _interchanges;

    /// <summary>Report entries for the rejected interchanges, groups and transaction sets, and for content that is
    /// not an interchange at all.</summary>
    public IReadOnlyList<RejectEntry> EnvelopeRejects => [.. _fileRejects, .. _interchanges.SelectMany(i => i.Rejects())];

    /// <summary>The first reason something was rejected at envelope level (null when every unit stands).</summary>
    public string? FirstEnvelopeProblem
    {
        get
        {
            foreach (var interchange in _interchanges)
            {
                if (interchange.Problem is { } problem)
                {
                    return problem.Message;
                }

                foreach (var group in interchange.Groups)
                {
                    if (group.RejectionReason is { } groupReason)
                    {
                        return groupReason;
                    }

                    if (group.Sets.FirstOrDefault(set => set.IsRejected) is { } set)
                    {
                        return set.RejectionReason;
                    }
                }
            }

            return _fileRejects.Count > 0 ? _fileRejects[0].Reason : null;
        }
    }

    /// <summary>True when nothing of the file stands: no interchange, or every transaction set rejected.</summary>
    public bool NothingAccepted => !_interchanges.Any(i => !i.IsRejected && i.Groups.Any(g => g.AcceptedSets > 0));

    /// <summary>Ordinals of every transaction set rejected on its own or with its group or interchange.</summary>
    public IReadOnlySet<long> RejectedTransactionSets =>
        _interchanges.SelectMany(i => i.Groups.SelectMany(g => g.Sets.Where(s => i.IsRejected || s.CodeWithin(g) == X12AcknowledgmentCode.Rejected)))
            .Select(s => s.Ordinal).ToHashSet();

    /// <summary>True when an accepted claim was handed out from a unit rejected later: read again, skipping
    /// <see cref="RejectedTransactionSets"/>, so that nothing of a rejected unit is applied.</summary>
    public bool NeedsRereadWithoutRejectedSets =>
        _interchanges.Any(i => i.Groups.Any(g => g.Sets.Any(s => s.HandedOutAcceptedClaims && (i.IsRejected || s.CodeWithin(g) == X12AcknowledgmentCode.Rejected))));

    /// <summary>Reads every claim; throws <see cref="ClaimsFileStructureException"/> at the end when any
    /// interchange, group or transaction set was rejected (for callers that want all or nothing).</summary>
    public static IEnumerable<ClaimReadOutcome> Read(Stream content) => ReadStrict(Open(content));

    public static X12ClaimReader Open(Stream content) => Open(content, new X12ReadOptions());

    public static X12ClaimReader Open(Stream content, X12ReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new X12ClaimReader(X12SegmentReader.Create(content), options);
    }

    private static IEnumerable<ClaimReadOutcome> ReadStrict(X12ClaimReader reader)
    {
        foreach (var outcome in reader.ReadClaims())
        {
            yield return outcome;
        }

        if (reader.FirstEnvelopeProblem is { } problem)
        {
            throw new ClaimsFileStructureException(problem);
        }
    }

    public IEnumerable<ClaimReadOutcome> ReadClaims()
    {
        var first = true;
        while (!_stopped)
        {
            var isa = _segments.ReadInterchangeHeader();
            if (isa is null)
            {
                if (first)
                {
                    _fileRejects.Add(new RejectEntry("segment 1", "ISA", "The file is empty: it has no ISA interchange header."));
                }

                break;
            }

            var read = isa.Value;
            if (read.Header is null)
            {
                _fileRejects.Add(first
                    ? new RejectEntry("segment 1", "ISA", read.Problem?.Message ?? "The file does not start with an ISA interchange header.")
                    : new RejectEntry(Location(_segments.SegmentNumber), "ISA", "Data after the IEA trailer is not an interchange (ISA): it is not read."));
                break;
            }

            first = false;
            BeginInterchange(read);
            if (!read.CanContinue)
            {
                _stopped = true;
                break;
            }

            while (!_interchangeEnded)
            {
                if (!TryNext(out var segment))
                {
                    break;
                }

                var completed = Handle(segment);
                if (completed is not null)
                {
                    yield return completed;
                }
            }

            if (!_interchangeEnded)
            {
                _stopped = true;
                var pending = FlushClaim();
                if (pending is not null)
                {
                    yield return pending;
                }
            }
        }
    }

    private void BeginInterchange(X12IsaRead read)
    {
        _interchange = new X12InterchangeResult(_segments.SegmentNumber, read.Header) { Problem = read.Problem };
        _interchanges.Add(_interchange);
        _interchangeEnded = false;
        _group = null;
        _set = null;
        _skipping = false;
        _groupControls.Clear();
    }

    /// <summary>The next segment of the interchange; false at the end of the file or when the envelope broke
    /// (the interchange is then rejected and the reading stops).</summary>
    private bool TryNext(out X12Segment segment)
    {
        try
        {
            if (_segments.TryRead(out segment))
            {
                return true;
            }

            RejectInterchange(new X12EnvelopeProblem("The interchange has no IEA trailer: the file is truncated.", "023"));
            return false;
        }
        catch (X12EnvelopeException e)
        {
            RejectInterchange(e.Problem);
            segment = default;
            return false;
        }
    }

    private ClaimReadOutcome? Handle(X12Segment s)
    {
        switch (s.Id)
        {
            case "ISA":
                RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: an ISA before the IEA trailer of the interchange before it.", "022"));
                _stopped = true;
                return FlushClaim();
            case "IEA":
                return EndInterchange(s);
            case "GS":
                return StartGroup(s);
            case "ST":
                return StartSet(s);
            case "SE":
                return EndSet(s);
            case "GE":
                return EndGroup(s);
        }

        if (_set is null)
        {
            RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: a {SafeId(s.Id)} segment outside a transaction set.", "024"));
            return null;
        }

        if (_skipping)
        {
            return SkipContent(s);
        }

        return s.Id switch
        {
            "HL" => Hierarchy(s),
            "CLM" => StartClaim(s),
            _ => Other(s),
        };
    }

    private ClaimReadOutcome? StartGroup(X12Segment s)
    {
        if (_set is not null)
        {
            CloseSetWithoutTrailer(s);
        }

        var completed = FlushClaim();
        if (_group is not null)
        {
            RejectGroup(_group, "3", s, $"Segment {s.Number}: the functional group has no GE trailer before the next GS.");
        }

        var group = new X12GroupResult(s.Number, s[1], s[2], s[3], s[6], s[8]);
        _interchange!.Groups.Add(group);
        _group = group;
        _setControls.Clear();
        if (s[1] != "HC")
        {
            RejectGroup(group, "1", s, $"Segment {s.Number}: GS01 is not HC (health care claim).");
        }

        if (!s[8].StartsWith("005010X222", StringComparison.Ordinal) && !s[8].StartsWith("005010X223", StringComparison.Ordinal))
        {
            RejectGroup(group, "2", s, $"Segment {s.Number}: GS08 is not an 837 5010 professional (005010X222) or institutional (005010X223) version.");
        }

        if (s[6].Length is < 1 or > 9 || !ClaimCodes.IsDigits(s[6]))
        {
            RejectGroup(group, "6", s, $"Segment {s.Number}: GS06 is not a group control number of 1 to 9 digits.");
        }
        else if (!_groupControls.Add(s[6]))
        {
            RejectGroup(group, "19", s, $"Segment {s.Number}: GS06 repeats the control number of an earlier group of the interchange.");
        }

        return completed;
    }

    private ClaimReadOutcome? StartSet(X12Segment s)
    {
        if (_set is not null)
        {
            CloseSetWithoutTrailer(s);
        }

        var completed = FlushClaim();
        _setOrdinal++;
        var set = new X12TransactionSetResult(_setOrdinal, s.Number, s[1], s[2], s[3]);
        _set = set;
        _skipping = false;
        _hlIds.Clear();
        _billingNpi = null;
        ResetSubscriber();
        _level = string.Empty;
        if (_group is null)
        {
            RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: a transaction set (ST) outside a functional group.", "024"));
            return completed;
        }

        _group.Sets.Add(set);
        if (s[1] != "837")
        {
            RejectSet(set, s[1].Length == 3 && s[1].All(char.IsAsciiLetterOrDigit) ? "1" : "6", s, $"Segment {s.Number}: ST01 is not 837.");
        }

        if (s[2].Length is < 4 or > 9 || !s[2].All(char.IsAsciiLetterOrDigit))
        {
            RejectSet(set, "7", s, $"Segment {s.Number}: ST02 is not a transaction set control number of 4 to 9 characters.");
        }
        else if (!_setControls.Add(s[2]))
        {
            RejectSet(set, "23", s, $"Segment {s.Number}: ST02 repeats the control number of an earlier transaction set of the group.");
        }

        var version = s[3];
        if (version.StartsWith("005010X222", StringComparison.Ordinal))
        {
            _transactionType = ClaimType.Professional;
        }
        else if (version.StartsWith("005010X223", StringComparison.Ordinal))
        {
            _transactionType = ClaimType.Institutional;
        }
        else
        {
            RejectSet(set, "I6", s, $"Segment {s.Number}: ST03 is not an 837 5010 professional (005010X222) or institutional (005010X223) guide.");
        }

        _skipping |= _group.IsRejected || _interchange!.IsRejected || _options.SkipTransactionSets.Contains(set.Ordinal);
        return completed;
    }

    private ClaimReadOutcome? EndSet(X12Segment s)
    {
        var set = _set;
        if (set is null)
        {
            RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: SE without ST.", "024"));
            return null;
        }

        if (s[2] != set.ControlNumber)
        {
            RejectSet(set, "3", s, $"Segment {s.Number}: SE02 does not match the ST02 control number.");
        }

        var expected = s.Number - set.FirstSegment + 1;
        if (!long.TryParse(s[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count != expected)
        {
            RejectSet(set, "4", s, $"Segment {s.Number}: SE01 does not match the number of segments in the transaction set.");
        }

        var completed = FlushClaim();
        _set = null;
        _skipping = false;
        return completed;
    }

    private ClaimReadOutcome? EndGroup(X12Segment s)
    {
        if (_set is not null)
        {
            CloseSetWithoutTrailer(s);
        }

        var completed = FlushClaim();
        var group = _group;
        if (group is null)
        {
            RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: GE without GS.", "024"));
            return completed;
        }

        if (s[2] != group.ControlNumber)
        {
            RejectGroup(group, "4", s, $"Segment {s.Number}: GE02 does not match the GS06 control number.");
        }

        if (int.TryParse(s[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            group.DeclaredTransactionSets = count;
        }

        if (group.DeclaredTransactionSets != group.Sets.Count)
        {
            RejectGroup(group, "5", s, $"Segment {s.Number}: GE01 does not match the number of transaction sets in the group.");
        }

        _group = null;
        return completed;
    }

    private ClaimReadOutcome? EndInterchange(X12Segment s)
    {
        if (_set is not null)
        {
            CloseSetWithoutTrailer(s);
        }

        var completed = FlushClaim();
        if (_group is not null)
        {
            RejectGroup(_group, "3", s, $"Segment {s.Number}: the functional group has no GE trailer before the IEA.");
            _group = null;
        }

        var interchange = _interchange!;
        if (interchange.Header is { } header && s[2].Trim() != header.ControlNumber)
        {
            RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: IEA02 does not match the ISA13 control number.", "001"));
        }

        if (int.TryParse(s[1], NumberStyles.None, CultureInfo.InvariantCulture, out var groups))
        {
            interchange.DeclaredGroups = groups;
        }

        if (interchange.DeclaredGroups != interchange.Groups.Count)
        {
            RejectInterchange(new X12EnvelopeProblem($"Segment {s.Number}: IEA01 does not match the number of functional groups.", "021"));
        }

        _interchangeEnded = true;
        return completed;
    }

    /// <summary>A set still open when another envelope segment arrives: its SE is missing.</summary>
    private void CloseSetWithoutTrailer(X12Segment next)
    {
        var set = _set!;
        RejectSet(set, "2", next, $"Segment {next.Number}: the transaction set has no SE trailer before this {SafeId(next.Id)}.");
        _set = null;
    }

    private void RejectSet(X12TransactionSetResult set, string code, X12Segment at, string reason)
    {
        if (!set.IsRejected)
        {
            set.IsRejected = true;
            set.RejectionReason = reason;
            set.RejectionSegment = at.Number;
        }

        AddCode(set.SyntaxErrorCodes, code);
        if (ReferenceEquals(set, _set))
        {
            EnterSkipMode();
        }
    }

    private void RejectGroup(X12GroupResult group, string code, X12Segment at, string reason)
    {
        if (!group.IsRejected)
        {
            group.RejectionReason = reason;
            group.RejectionSegment = at.Number;
        }

        AddCode(group.SyntaxErrorCodes, code);
        if (ReferenceEquals(group, _group) && _set is not null)
        {
            EnterSkipMode();
        }
    }

    private void RejectInterchange(X12EnvelopeProblem problem)
    {
        var interchange = _interchange!;
        interchange.Problem ??= problem;
        if (_set is not null)
        {
            EnterSkipMode();
        }
    }

    private static void AddCode(List<string> codes, string code)
    {
        if (!codes.Contains(code) && codes.Count < 5)
        {
            codes.Add(code);
        }
    }

    /// <summary>The rest of the current set is not handed out as accepted; a claim being read counts as rejected.</summary>
    private void EnterSkipMode()
    {
        _skipping = true;
        if (_claim is not null)
        {
            _skippedClaimLines = _claim.LineCount;
            _skippedClaimSegment = _claim.FirstSegment;
            _claim = null;
        }
    }

    private ClaimReadOutcome? SkipContent(X12Segment s)
    {
        switch (s.Id)
        {
            case "CLM":
                var completed = FlushClaim();
                _set!.Claims++;
                _skippedClaimLines = 0;
                _skippedClaimSegment = s.Number;
                return completed;
            case "LX" when _skippedClaimLines is not null:
                _skippedClaimLines++;
                return null;
            case "HL":
                return FlushClaim();
            default:
                return null;
        }
    }

    private ClaimReadOutcome? Hierarchy(X12Segment s)
    {
        var completed = FlushClaim();
        var id = s[1];
        var parent = s[2];
        var loop = s[3] switch { "20" => "2000A", "22" => "2000B", "23" => "2000C", _ => null };
        if (id.Length == 0 || !_hlIds.Add(id))
        {
            return RejectHierarchy(s, loop, new X12ElementError(1, null, 628, id.Length == 0 ? "1" : "7"), completed, $"Segment {s.Number}: HL01 is missing or repeats an earlier hierarchical id.");
        }

        if (parent.Length > 0 && !_hlIds.Contains(parent))
        {
            return RejectHierarchy(s, loop, new X12ElementError(2, null, 734, "7"), completed, $"Segment {s.Number}: HL02 names a parent level that does not precede it.");
        }

        _level = s[3];
        switch (_level)
        {
            case "20":
                if (parent.Length > 0)
                {
                    return RejectHierarchy(s, loop, new X12ElementError(2, null, 734, "I10"), completed, $"Segment {s.Number}: a billing provider level (HL03 20) cannot have a parent (HL02).");
                }

                _billingNpi = null;
                ResetSubscriber();
                break;
            case "22":
                if (parent.Length == 0)
                {
                    return RejectHierarchy(s, loop, new X12ElementError(2, null, 734, "1"), completed, $"Segment {s.Number}: a subscriber level (HL03 22) needs a parent billing provider (HL02).");
                }

                ResetSubscriber();
                break;
            case "23":
                if (parent.Length == 0)
                {
                    return RejectHierarchy(s, loop, new X12ElementError(2, null, 734, "1"), completed, $"Segment {s.Number}: a patient level (HL03 23) needs a parent subscriber (HL02).");
                }

                _patientBirth = default;
                break;
            default:
                return RejectHierarchy(s, loop, new X12ElementError(3, null, 735, "7"), completed, $"Segment {s.Number}: HL03 is not a billing provider (20), subscriber (22) or patient (23) level.");
        }

        return completed;
    }

    private ClaimReadOutcome? RejectHierarchy(X12Segment s, string? loop, X12ElementError element, ClaimReadOutcome? completed, string reason)
    {
        NoteSegmentError(s, loop, "8", element, claimId: null);
        RejectSet(_set!, "I5", s, reason);
        return completed;
    }

    private void ResetSubscriber()
    {
        _memberId = null;
        _subscriberName = null;
        _memberErrorNoted = false;
        _subscriberBirth = default;
        _patientBirth = default;
    }

    /// <summary>
    /// The patient's date of birth for the claim starting now: the DMG of the patient's name loop, 2010CA when the
    /// claim sits in a 2000C patient level (a dependent: the subscriber's own DMG is never used for them), else
    /// 2010BA (the subscriber is the patient, SBR02 18). An unusable DMG gives no date and one warning, on the
    /// first claim that would have used it.
    /// </summary>
    private (DateOnly? BirthDate, RejectEntry? Warning) TakeBirthDate()
    {
        ref var birth = ref _level == "23" ? ref _patientBirth : ref _subscriberBirth;
        var warning = birth.Warning;
        birth.Warning = null;
        return (birth.Date, warning);
    }

    private static PatientBirth ReadBirthDate(X12Segment s, string loop)
    {
        // DMG01 D8 and DMG02 CCYYMMDD (a calendar date): anything else leaves the age unknown.
        if (s[1] == "D8" && s[2].Length == 8 && ClaimCodes.TryParseDate(s[2], out var date))
        {
            return new PatientBirth(date, null);
        }

        var field = s[1] == "D8" ? "DMG02" : "DMG01";
        var reason = s[1] == "D8"
            ? "the patient's birth date is not a date (CCYYMMDD); the member's age is unknown from this claim"
            : "the patient's birth date is not given as D8 CCYYMMDD; the member's age is unknown from this claim";
        return new PatientBirth(null, new RejectEntry($"segment {s.Number}", $"{field} ({loop})", reason));
    }

    /// <summary>What a DMG of 2010BA or 2010CA gave: a birth date, or the warning for a DMG that could not be read
    /// (pending until a claim takes it).</summary>
    private struct PatientBirth(DateOnly? date, RejectEntry? warning)
    {
        public DateOnly? Date { get; } = date;

        public RejectEntry? Warning { get; set; } = warning;
    }

    private ClaimReadOutcome? StartClaim(X12Segment s)
    {
        var completed = FlushClaim();
        _set!.Claims++;
        var (birthDate, birthWarning) = TakeBirthDate();
        _claim = new ClaimBuilder(this, s, _transactionType, _memberId, _billingNpi, birthDate, birthWarning);
        if (_memberId is null || !ClaimCodes.IsIdentifier(_memberId))
        {
            NoteMissingMember(s, _claim.ClaimIdForContext);
        }

        return completed;
    }

    /// <summary>The subscriber of 2010BA has no usable member id: one IK3 per subscriber level (on its NM1, or
    /// "required segment missing" where the claim needed it).</summary>
    private void NoteMissingMember(X12Segment clm, string? claimId)
    {
        if (_memberErrorNoted)
        {
            return;
        }

        _memberErrorNoted = true;
        if (_subscriberName is not { } name)
        {
            NoteSegmentError(clm, "2010BA", "3", null, claimId, segmentId: "NM1");
            return;
        }

        var element = name[8] is not ("MI" or "II") ? new X12ElementError(8, null, 66, name[8].Length == 0 ? "1" : "7")
            : name[9].Length == 0 ? new X12ElementError(9, null, 67, "1")
            : name[9].Length > 80 ? new X12ElementError(9, null, 67, "5")
            : name[9].Any(char.IsControl) ? new X12ElementError(9, null, 67, "6")
            : null;
        if (element is not null)
        {
            NoteSegmentError(name, "2010BA", "8", element, claimId);
        }
    }

    private ClaimReadOutcome? Other(X12Segment s)
    {
        if (_claim is not null)
        {
            _claim.Add(s);
            return null;
        }

        if (!Known837Segments.Contains(s.Id))
        {
            NoteSegmentError(s, null, "1", null, claimId: null);
            RejectSet(_set!, "I5", s, $"Segment {s.Number}: an unrecognized segment id ({SafeId(s.Id)}).");
            return null;
        }

        switch (s.Id)
        {
            case "NM1" when s[1] == "85" && _level == "20":
                _billingNpi = s[8] == "XX" ? s[9] : null;
                break;
            case "NM1" when s[1] == "IL" && _level == "22":
                _subscriberName = s;
                _memberId = s[8] is "MI" or "II" && s[9].Length > 0 ? s[9] : null;
                break;
            case "DMG" when _level == "22":
                _subscriberBirth = ReadBirthDate(s, "2010BA");
                break;
            case "DMG" when _level == "23":
                _patientBirth = ReadBirthDate(s, "2010CA");
                break;
        }

        return null;
    }

    private ClaimReadOutcome? FlushClaim()
    {
        if (_claim is not null)
        {
            var outcome = _claim.Complete();
            _claim = null;
            if (outcome.IsAccepted && _set is not null)
            {
                _set.HandedOutAcceptedClaims = true;
            }

            return outcome;
        }

        if (_skippedClaimLines is { } lines)
        {
            _skippedClaimLines = null;
            return ClaimReadOutcome.Rejected(
                [new RejectEntry(Location(_skippedClaimSegment), "CLM", "the claim's transaction set, functional group or interchange is rejected (see the acknowledgment)")],
                [],
                Math.Max(1, lines));
        }

        return null;
    }

    /// <summary>Records an implementation-guide error of the current transaction set for the 999 (IK3, with
    /// an IK4 when <paramref name="element"/> is given).</summary>
    private void NoteSegmentError(X12Segment s, string? loop, string code, X12ElementError? element, string? claimId, string? segmentId = null)
    {
        var set = _set;
        if (set is null)
        {
            return;
        }

        if (_errorsListed >= _options.MaxSegmentErrors)
        {
            set.ErrorsNotListed++;
            return;
        }

        _errorsListed++;
        var position = s.Number - set.FirstSegment + 1;
        var id = segmentId ?? s.Id;
        var last = set.SegmentErrors.Count > 0 ? set.SegmentErrors[^1] : null;
        if (last is not null && last.Position == position && last.SegmentId == id && last.Code == code && element is not null)
        {
            set.SegmentErrors[^1] = last with { Elements = [.. last.Elements, element] };
            return;
        }

        set.SegmentErrors.Add(new X12SegmentError(id, position, loop, code, claimId, element is null ? [] : [element]));
    }

    /// <summary>Splits a composite element on ISA16; when the element does not use ISA16 but uses '>'
    /// (seen in public samples), splits on that and records one file warning.</summary>
    internal string[] Composite(X12Segment s, int position)
    {
        var element = s[position];
        var declared = _segments.Delimiters.Component;
        if (element.Contains(declared, StringComparison.Ordinal) || declared == '>' || !element.Contains('>', StringComparison.Ordinal))
        {
            return element.Split(declared);
        }

        if (!_componentFallbackWarned)
        {
            _componentFallbackWarned = true;
            _fileWarnings.Add(new RejectEntry($"segment {s.Number}", "ISA16", "composite elements use '>' rather than the declared component separator; read with '>'"));
        }

        return element.Split('>');
    }

    private static string SafeId(string id) => id.Length is >= 2 and <= 3 && id.All(char.IsAsciiLetterOrDigit) ? id : "unrecognized";

    private static string Location(long segment) => "segment " + segment.ToString(CultureInfo.InvariantCulture);

    private static string Location(X12Segment segment) => Location(segment.Number);

    /// <summary>Where an IG error of the claim sits for the 999: its loop, IK304 and the element (IK4).</summary>
    private readonly record struct Syntax(string? Loop, string Code, X12ElementError? Element)
    {
        public static Syntax At(string? loop, int position, int? component, int reference, string code) =>
            new(loop, "8", new X12ElementError(position, component, reference, code));

        public static Syntax Missing(string? loop, string code = "3") => new(loop, code, null);
    }

    /// <summary>Collects one CLM loop (2300 with its 2400 lines).</summary>
    private sealed class ClaimBuilder
    {
        private readonly X12ClaimReader _reader;
        private readonly List<RejectEntry> _rejects = [];
        private readonly List<RejectEntry> _warnings = [];
        private readonly List<DiagnosisCode> _diagnoses = [];
        private readonly List<(DiagnosisCode Code, X12Segment Segment, string Field, bool Principal)> _icd10 = [];
        private readonly List<LineBuilder> _lines = [];
        private readonly X12Segment _clm;
        private readonly ClaimType _type;
        private readonly string? _memberId;
        private readonly string? _billingNpi;
        private readonly DateOnly? _birthDate;
        private readonly string _claimId;
        private readonly ClaimFrequency _frequency;
        private readonly string? _placeOfService;
        private readonly string? _billType;
        private string? _originalReference;
        private DateOnly? _statementFrom;
        private DateOnly? _statementTo;
        private DateOnly? _claimServiceDate;
        private DateOnly? _admission;
        private bool _dischargeHourSent;
        private bool _principalSeen;
        private X12Segment? _firstHi;
        private string? _patientStatus;
        private string? _renderingNpi;
        private string? _renderingTaxonomy;
        private bool _inOtherSubscriber;
        private bool _lastNameWasRendering;

        public ClaimBuilder(X12ClaimReader reader, X12Segment clm, ClaimType type, string? memberId, string? billingNpi, DateOnly? birthDate, RejectEntry? birthWarning)
        {
            _reader = reader;
            _clm = clm;
            _type = type;
            _memberId = memberId;
            _billingNpi = billingNpi;
            _birthDate = birthDate;
            if (birthWarning is not null)
            {
                _warnings.Add(birthWarning);
            }

            FirstSegment = clm.Number;
            _claimId = clm[1];
            ClaimIdForContext = _claimId.Length > 0 && ClaimCodes.IsIdentifier(_claimId) ? (_claimId.Length > 35 ? _claimId[..35] : _claimId) : null;
            if (!ClaimCodes.IsIdentifier(_claimId))
            {
                var code = _claimId.Length == 0 ? "1" : _claimId.Length > 50 ? "5" : "6";
                Reject(clm, "CLM01", "the claim submitter's identifier is missing or longer than 50 characters", Syntax.At("2300", 1, null, 1028, code));
            }

            var facility = reader.Composite(clm, 5);
            var code1 = facility.Length > 0 ? facility[0] : string.Empty;
            var frequency = facility.Length > 2 ? facility[2] : string.Empty;
            _frequency = frequency switch
            {
                "1" or "" => ClaimFrequency.Original,
                "7" => ClaimFrequency.Replacement,
                "8" => ClaimFrequency.Void,
                _ => ClaimFrequency.Original,
            };
            if (frequency is not ("1" or "7" or "8" or ""))
            {
                _warnings.Add(new RejectEntry(Location(clm), "CLM05-3", "claim frequency other than 1, 7 or 8 is read as an original claim"));
            }

            if (type == ClaimType.Professional)
            {
                if (ClaimCodes.TryNormalizePlaceOfService(code1, out var pos))
                {
                    _placeOfService = pos;
                }
                else
                {
                    Reject(clm, "CLM05-1", "must be a 2-digit place of service", Syntax.At("2300", 5, 1, 1331, code1.Length == 0 ? "1" : "7"));
                }
            }
            else if (code1.Length == 2 && ClaimCodes.IsDigits(code1) && frequency.Length == 1)
            {
                _billType = code1 + frequency;
            }
            else
            {
                Reject(clm, "CLM05-1", "must be a 2-digit facility type code with a frequency code",
                    frequency.Length == 0 ? Syntax.At("2300", 5, 3, 1325, "1") : Syntax.At("2300", 5, 1, 1331, code1.Length == 0 ? "1" : "7"));
            }

            if (memberId is null || !ClaimCodes.IsIdentifier(memberId))
            {
                _rejects.Add(new RejectEntry(Location(clm), "NM109 (2010BA)", "the subscriber has no member identifier (NM1*IL with MI qualifier)"));
            }

            WarnNpi(clm, "NM109 (2010AA)", billingNpi);
        }

        public long FirstSegment { get; }

        public int LineCount => _lines.Count;

        /// <summary>CLM01 for the 999's CTX business unit identifier (at most 35 characters), null when unusable.</summary>
        public string? ClaimIdForContext { get; }

        private const string LineLoop = "2400";

        private string RenderingLoop(bool line) =>
            _type == ClaimType.Professional ? (line ? "2420A" : "2310B") : (line ? "2420C" : "2310D");

        public void Add(X12Segment s)
        {
            var line = _lines.Count > 0 ? _lines[^1] : null;
            if (!Known837Segments.Contains(s.Id))
            {
                Reject(s, "segment", "an unrecognized segment id", Syntax.Missing(line is null ? "2300" : LineLoop, "1"));
                return;
            }

            switch (s.Id)
            {
                case "LX":
                    _inOtherSubscriber = false;
                    _lines.Add(new LineBuilder(s));
                    return;
                case "SBR":
                    _inOtherSubscriber = true;
                    return;
                case "SV1" when line is not null:
                    ReadProfessionalService(s, line);
                    return;
                case "SV2" when line is not null:
                    ReadInstitutionalService(s, line);
                    return;
                case "DTP":
                    ReadDate(s, line);
                    return;
                case "HI" when line is null:
                    ReadDiagnoses(s);
                    return;
                case "REF" when line is null && s[1] == "F8":
                    _originalReference = s[2];
                    return;
                case "CL1" when line is null:
                    _patientStatus = s[3];
                    return;
                case "LIN" when line is not null && s[2] == "N4":
                    if (ClaimCodes.TryNormalizeNdc(s[3], out var ndc))
                    {
                        line.Ndc = ndc;
                    }
                    else
                    {
                        Reject(s, "LIN03", "must be an 11-digit NDC", Syntax.At("2410", 3, null, 234, s[3].Length == 0 ? "1" : "7"));
                    }

                    return;
                case "SVD" when line is not null:
                    if (ClaimCodes.TryParseAmount(s[2], out var paid))
                    {
                        line.Paid += paid;
                    }

                    return;
                case "NM1":
                    _lastNameWasRendering = s[1] == "82" && (line is not null || !_inOtherSubscriber);
                    if (_lastNameWasRendering && s[8] == "XX")
                    {
                        WarnNpi(s, "NM109 (NM1*82)", s[9]);
                        if (line is not null)
                        {
                            line.RenderingNpi = s[9];
                        }
                        else
                        {
                            _renderingNpi = s[9];
                        }
                    }

                    return;
                case "PRV" when _lastNameWasRendering && s[1] == "PE" && s[2] == "PXC":
                    if (!ClaimCodes.IsTaxonomy(s[3]))
                    {
                        Reject(s, "PRV03", "must be a 10-character provider taxonomy code", Syntax.At(RenderingLoop(line is not null), 3, null, 127, s[3].Length == 0 ? "1" : "7"));
                    }
                    else if (line is not null)
                    {
                        line.Taxonomy = s[3].ToUpperInvariant();
                    }
                    else
                    {
                        _renderingTaxonomy = s[3].ToUpperInvariant();
                    }

                    return;
            }
        }

        public ClaimReadOutcome Complete()
        {
            if (_lines.Count == 0)
            {
                Reject(_clm, "LX", "the claim has no service lines", Syntax.Missing(LineLoop), segmentId: "LX", atClaim: true);
            }

            if (_type == ClaimType.Institutional && _statementFrom is null && _lines.Any(l => l.From is null))
            {
                Reject(_clm, "DTP*434", "an institutional claim needs a statement period when lines carry no service date", Syntax.Missing("2300"), segmentId: "DTP", atClaim: true);
            }

            var claimLines = new List<ClaimLine>(_lines.Count);
            foreach (var line in _lines)
            {
                var from = line.From ?? _claimServiceDate ?? _statementFrom;
                var to = line.To ?? (line.From is null ? _statementTo ?? from : line.From);
                if (from is null || to is null)
                {
                    Reject(line.Lx, "DTP*472", "the service line has no date of service", Syntax.Missing(LineLoop, "I6"), segmentId: "DTP", location: line.Segment);
                    continue;
                }

                if (line.Procedure is null && line.Revenue is null)
                {
                    if (line.ServiceSeen)
                    {
                        _rejects.Add(new RejectEntry(Location(line.Segment), _type == ClaimType.Professional ? "SV1" : "SV2", "the service line has no SV1/SV2 with a procedure or revenue code"));
                    }
                    else
                    {
                        Reject(line.Lx, _type == ClaimType.Professional ? "SV1" : "SV2", "the service line has no SV1/SV2 with a procedure or revenue code",
                            Syntax.Missing(LineLoop), segmentId: _type == ClaimType.Professional ? "SV1" : "SV2");
                    }

                    continue;
                }

                claimLines.Add(new ClaimLine(
                    line.Number, from.Value, to.Value, line.PlaceOfService ?? _placeOfService, line.Revenue, line.Procedure, line.Modifiers,
                    line.RenderingNpi ?? _renderingNpi, line.Taxonomy ?? _renderingTaxonomy, line.Ndc, null, line.Units, null, line.Paid, ClaimLineStatus.Paid));
            }

            DateOnly? discharge = null;
            if (_type == ClaimType.Institutional && (_dischargeHourSent || (_billType is { } bt && bt.StartsWith("11", StringComparison.Ordinal) && _patientStatus != "30")))
            {
                discharge = _statementTo;
            }

            CheckCodeSet(claimLines, discharge);
            if (!_principalSeen && _firstHi is { } hi)
            {
                Reject(hi, "HI01-1", "the claim has no principal diagnosis (HI*ABK or HI*BK)", Syntax.At("2300", 1, 1, 1270, "7"));
            }
            else if (!_principalSeen)
            {
                Reject(_clm, "HI", "the claim has no principal diagnosis (HI*ABK or HI*BK)", Syntax.Missing("2300"), segmentId: "HI", atClaim: true);
            }

            if (_rejects.Count > 0)
            {
                return ClaimReadOutcome.Rejected(_rejects, _warnings, Math.Max(1, _lines.Count));
            }

            var key = _frequency != ClaimFrequency.Original && !string.IsNullOrEmpty(_originalReference) && ClaimCodes.IsIdentifier(_originalReference) ? _originalReference : _claimId;
            var birthDate = _birthDate;
            if (birthDate is { } born && claimLines.Count > 0 && born > claimLines.Min(l => l.ServiceFrom))
            {
                _warnings.Add(new RejectEntry(Location(_clm), "DMG02", "the patient's birth date is after the date of service; the member's age is unknown from this claim"));
                birthDate = null;
            }

            var claim = new Claim(key, _frequency, _memberId!, _type, _admission, discharge, _placeOfService, _billType, _diagnoses, _billingNpi, claimLines) { MemberBirthDate = birthDate };
            return ClaimReadOutcome.Accepted(claim, _warnings);
        }

        /// <summary>Code-set membership by date of service (an application-level edit: reject report only,
        /// not the 999): the principal diagnosis rejects the claim, a secondary one is dropped with a warning.</summary>
        private void CheckCodeSet(List<ClaimLine> lines, DateOnly? discharge)
        {
            if (!_reader._options.Diagnoses.ChecksMembership || lines.Count == 0 || _icd10.Count == 0)
            {
                return;
            }

            var date = ClaimCodes.CodeSetDate(_type, _billType, lines, discharge);
            foreach (var (code, segment, field, principal) in _icd10)
            {
                if (_reader._options.Diagnoses.IsValidOn(code.Code, date, out var reason))
                {
                    continue;
                }

                if (principal)
                {
                    _rejects.Add(new RejectEntry(Location(segment), field, "the principal diagnosis " + reason));
                }
                else
                {
                    _warnings.Add(new RejectEntry(Location(segment), field, "a secondary diagnosis " + reason + "; the code is dropped"));
                    _diagnoses.Remove(code);
                }
            }
        }

        private void ReadProfessionalService(X12Segment s, LineBuilder line)
        {
            line.Segment = s;
            line.ServiceSeen = true;
            ReadProcedure(s, 1, line);
            if (s[4].Length > 0)
            {
                line.Units = ParseQuantity(s, 4, "SV104");
            }

            if (s[5].Length > 0)
            {
                if (ClaimCodes.TryNormalizePlaceOfService(s[5], out var pos))
                {
                    line.PlaceOfService = pos;
                }
                else
                {
                    Reject(s, "SV105", "must be a 2-digit place of service", Syntax.At(LineLoop, 5, null, 1331, "7"));
                }
            }
        }

        private void ReadInstitutionalService(X12Segment s, LineBuilder line)
        {
            line.Segment = s;
            line.ServiceSeen = true;
            if (ClaimCodes.TryNormalizeRevenueCode(s[1], out var revenue))
            {
                line.Revenue = revenue;
            }
            else
            {
                Reject(s, "SV201", "must be a 4-digit revenue code", Syntax.At(LineLoop, 1, null, 234, s[1].Length == 0 ? "1" : "7"));
            }

            if (s[2].Length > 0)
            {
                ReadProcedure(s, 2, line);
            }

            if (s[5].Length > 0)
            {
                line.Units = ParseQuantity(s, 5, "SV205");
            }
        }

        private void ReadProcedure(X12Segment s, int position, LineBuilder line)
        {
            var field = s.Id + position.ToString("00", CultureInfo.InvariantCulture);
            var parts = _reader.Composite(s, position);
            if (parts.Length < 2 || parts[0] is not ("HC" or "HP" or "ER" or "WK" or "IV"))
            {
                Reject(s, field, "must be a composite with a procedure code qualifier (HC) and code",
                    parts[0].Length == 0 ? Syntax.At(LineLoop, position, 1, 235, "1")
                    : parts.Length < 2 ? Syntax.At(LineLoop, position, 2, 234, "1")
                    : Syntax.At(LineLoop, position, 1, 235, "7"));
                return;
            }

            if (!ClaimCodes.TryNormalizeProcedure(parts[1], out var procedure))
            {
                Reject(s, field, "the procedure code is not a 5-character CPT or HCPCS code", Syntax.At(LineLoop, position, 2, 234, "7"));
                return;
            }

            line.Procedure = procedure;
            var modifiers = new List<string>();
            for (var i = 2; i < Math.Min(parts.Length, 6); i++)
            {
                if (parts[i].Length == 0)
                {
                    continue;
                }

                if (parts[i].Length != 2)
                {
                    Reject(s, field, "a procedure modifier is not 2 characters", Syntax.At(LineLoop, position, i + 1, 1339, parts[i].Length < 2 ? "4" : "5"));
                    return;
                }

                modifiers.Add(parts[i].ToUpperInvariant());
            }

            line.Modifiers = modifiers;
        }

        private decimal? ParseQuantity(X12Segment s, int position, string field)
        {
            if (ClaimCodes.TryParseAmount(s[position], out var quantity) && quantity >= 0)
            {
                return quantity;
            }

            Reject(s, field, "must be a decimal quantity", Syntax.At(LineLoop, position, null, 380, "6"));
            return null;
        }

        private void ReadDate(X12Segment s, LineBuilder? line)
        {
            var qualifier = s[1];
            if (qualifier is not ("472" or "434" or "435" or "096"))
            {
                return;
            }

            if (qualifier == "096")
            {
                _dischargeHourSent = true;
                return;
            }

            var format = s[2];
            var value = s[3];
            DateOnly from, to;
            if (format == "D8" && ClaimCodes.TryParseDate(value, out from))
            {
                to = from;
            }
            else if (format == "RD8" && value.Length == 17 && value[8] == '-' && ClaimCodes.TryParseDate(value.AsSpan(0, 8), out from) && ClaimCodes.TryParseDate(value.AsSpan(9), out to) && to >= from)
            {
            }
            else if (format == "DT" && value.Length >= 8 && ClaimCodes.TryParseDate(value.AsSpan(0, 8), out from))
            {
                to = from;
            }
            else
            {
                var loop = line is null ? "2300" : LineLoop;
                Reject(s, "DTP03", "must be a date (D8 CCYYMMDD, RD8 CCYYMMDD-CCYYMMDD or DT CCYYMMDDHHMM)",
                    format is "D8" or "RD8" or "DT" ? Syntax.At(loop, 3, null, 1251, value.Length == 0 ? "1" : "8") : Syntax.At(loop, 2, null, 1250, "7"));
                return;
            }

            switch (qualifier)
            {
                case "472" when line is not null:
                    line.From = from;
                    line.To = to;
                    break;
                case "472":
                    _claimServiceDate = from;
                    break;
                case "434":
                    _statementFrom = from;
                    _statementTo = to;
                    break;
                case "435":
                    _admission = from;
                    break;
            }
        }

        private void ReadDiagnoses(X12Segment s)
        {
            _firstHi ??= s;
            for (var i = 1; i < s.Elements.Length; i++)
            {
                if (s[i].Length == 0)
                {
                    continue;
                }

                var parts = _reader.Composite(s, i);
                var qualifier = parts[0];
                var text = parts.Length > 1 ? parts[1] : string.Empty;
                var field = "HI" + i.ToString("00", CultureInfo.InvariantCulture) + "-2";
                var principal = qualifier is "ABK" or "BK" && !_principalSeen;
                _principalSeen |= principal;
                DiagnosisCode? diagnosis = null;
                string? reason = null;
                switch (qualifier)
                {
                    case "ABK" or "ABF" or "ABN":
                        if (Icd10CmValidator.TryNormalize(text, IcdCodeNotation.WithoutDecimalPoint, out var icd10, out var why))
                        {
                            diagnosis = new DiagnosisCode(icd10, DiagnosisCodeSystem.Icd10Cm);
                        }
                        else
                        {
                            reason = "is not an ICD-10-CM code: " + why;
                        }

                        break;
                    case "BK" or "BF":
                        if (ClaimCodes.TryNormalizeIcd9(text, out var icd9))
                        {
                            diagnosis = new DiagnosisCode(icd9, DiagnosisCodeSystem.Icd9Cm);
                        }
                        else
                        {
                            reason = "is not an ICD-9-CM code";
                        }

                        break;
                }

                if (reason is not null)
                {
                    var syntax = Syntax.At("2300", i, 2, 1271, text.Length == 0 ? "1" : "7");
                    if (principal)
                    {
                        Reject(s, field, "the principal diagnosis " + reason, syntax);
                    }
                    else
                    {
                        _warnings.Add(new RejectEntry(Location(s), field, "a secondary diagnosis " + reason + "; the code is dropped"));
                        _reader.NoteSegmentError(s, syntax.Loop, syntax.Code, syntax.Element, ClaimIdForContext);
                    }

                    continue;
                }

                if (diagnosis is null || _diagnoses.Contains(diagnosis))
                {
                    continue;
                }

                if (principal)
                {
                    _diagnoses.Insert(0, diagnosis);
                }
                else
                {
                    _diagnoses.Add(diagnosis);
                }

                if (diagnosis.System == DiagnosisCodeSystem.Icd10Cm)
                {
                    _icd10.Add((diagnosis, s, field, principal));
                }
            }
        }

        private void WarnNpi(X12Segment s, string field, string? npi)
        {
            if (npi is not null && !Npi.TryParse(npi, out _, out var reason))
            {
                _warnings.Add(new RejectEntry(Location(s), field, $"not a valid NPI ({reason}); kept as sent"));
            }
        }

        /// <summary>Rejects the claim (reject report) and, when <paramref name="syntax"/> is an implementation-guide
        /// error, notes it for the 999 (IK3 on <paramref name="s"/>, or on <paramref name="segmentId"/> for a missing segment).</summary>
        private void Reject(X12Segment s, string field, string reason, Syntax? syntax = null, string? segmentId = null, X12Segment? location = null, bool atClaim = false)
        {
            _rejects.Add(new RejectEntry(Location(location ?? s), field, reason));
            if (syntax is { } x)
            {
                _reader.NoteSegmentError(atClaim ? _clm : s, x.Loop, x.Code, x.Element, ClaimIdForContext, segmentId);
            }
        }
    }

    private sealed class LineBuilder(X12Segment lx)
    {
        public X12Segment Lx { get; } = lx;

        public X12Segment Segment { get; set; } = lx;

        public bool ServiceSeen { get; set; }

        public int Number { get; } = int.TryParse(lx[1], CultureInfo.InvariantCulture, out var n) ? n : 0;

        public DateOnly? From { get; set; }

        public DateOnly? To { get; set; }

        public string? Procedure { get; set; }

        public IReadOnlyList<string> Modifiers { get; set; } = [];

        public string? Revenue { get; set; }

        public string? PlaceOfService { get; set; }

        public decimal? Units { get; set; }

        public string? Ndc { get; set; }

        public string? RenderingNpi { get; set; }

        public string? Taxonomy { get; set; }

        public decimal Paid { get; set; }
    }
}
