using System.Globalization;
using Mets.Domain.Identifiers;

namespace Mets.Claims.Reading.X12;

/// <summary>
/// Streams the claims of an ASC X12 837 5010 interchange, professional (005010X222A1/A2) or
/// institutional (005010X223A2/A3). Envelope control numbers and counts are checked against their
/// trailers and hierarchical levels against their parents: any mismatch throws
/// <see cref="ClaimsFileStructureException"/> (the caller quarantines the file). A problem inside a
/// claim (CLM loop) rejects that claim only. Diagnoses come from HI (ABK/ABF/ABN for ICD-10-CM, BK/BF
/// for ICD-9-CM, which are kept but not classified).
/// </summary>
public sealed class X12ClaimReader
{
    private readonly X12SegmentReader _segments;
    private readonly List<RejectEntry> _fileWarnings = [];
    private bool _componentFallbackWarned;

    // Envelope state.
    private string? _isaControl;
    private string? _gsControl;
    private int _transactionsInGroup;
    private int _groupsInInterchange;
    private string? _stControl;
    private long _stStartSegment;
    private bool _interchangeClosed;
    private ClaimType _transactionType;
    private readonly HashSet<string> _hlIds = new(StringComparer.Ordinal);

    // Hierarchy state.
    private string? _billingNpi;
    private string? _memberId;
    private string _level = string.Empty;

    private ClaimBuilder? _claim;

    private X12ClaimReader(X12SegmentReader segments) => _segments = segments;

    /// <summary>Bytes consumed so far (for progress).</summary>
    public long BytesRead => _segments.BytesRead;

    /// <summary>File-level findings that do not reject anything (e.g. a component separator other than
    /// the one ISA16 declares).</summary>
    public IReadOnlyList<RejectEntry> FileWarnings => _fileWarnings;

    public static IEnumerable<ClaimReadOutcome> Read(Stream content) => Open(content).ReadClaims();

    public static X12ClaimReader Open(Stream content) => new(X12SegmentReader.Open(content));

    public IEnumerable<ClaimReadOutcome> ReadClaims()
    {
        var isa = _segments.Isa;
        _isaControl = isa[13].Trim();
        if (isa[12].Trim() != "00501")
        {
            throw new ClaimsFileStructureException("ISA12 is not 00501: only X12 version 5010 is read.");
        }

        while (_segments.TryRead(out var segment))
        {
            if (_interchangeClosed)
            {
                if (segment.Id == "ISA")
                {
                    throw new ClaimsFileStructureException($"Segment {segment.Number}: only one interchange per file is read.");
                }

                throw new ClaimsFileStructureException($"Segment {segment.Number}: data after the IEA trailer.");
            }

            var completed = Handle(segment);
            if (completed is not null)
            {
                yield return completed;
            }
        }

        if (!_interchangeClosed)
        {
            throw new ClaimsFileStructureException("The interchange has no IEA trailer: the file is truncated.");
        }
    }

    private ClaimReadOutcome? Handle(X12Segment s)
    {
        switch (s.Id)
        {
            case "GS":
                RequireOutside(s, inGroup: false, inTransaction: false);
                _gsControl = s[6];
                _transactionsInGroup = 0;
                if (s[1] != "HC")
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: GS01 is not HC (health care claim).");
                }

                return null;
            case "ST":
                RequireOutside(s, inGroup: true, inTransaction: false);
                StartTransaction(s);
                return null;
            case "SE":
                return EndTransaction(s);
            case "GE":
                RequireOutside(s, inGroup: true, inTransaction: false);
                if (s[2] != _gsControl)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: GE02 does not match the GS06 control number.");
                }

                if (!int.TryParse(s[1], CultureInfo.InvariantCulture, out var count) || count != _transactionsInGroup)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: GE01 does not match the number of transaction sets in the group.");
                }

                _gsControl = null;
                _groupsInInterchange++;
                return null;
            case "IEA":
                RequireOutside(s, inGroup: false, inTransaction: false);
                if (s[2].Trim() != _isaControl)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: IEA02 does not match the ISA13 control number.");
                }

                if (!int.TryParse(s[1], CultureInfo.InvariantCulture, out var groups) || groups != _groupsInInterchange)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: IEA01 does not match the number of functional groups.");
                }

                _interchangeClosed = true;
                return null;
            case "ISA":
                throw new ClaimsFileStructureException($"Segment {s.Number}: a second ISA before the IEA trailer.");
        }

        if (_stControl is null)
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: a {SafeId(s.Id)} segment outside a transaction set.");
        }

        return s.Id switch
        {
            "HL" => Hierarchy(s),
            "CLM" => StartClaim(s),
            _ => Other(s),
        };
    }

    private void StartTransaction(X12Segment s)
    {
        if (s[1] != "837")
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: ST01 is not 837.");
        }

        var version = s[3];
        _transactionType = version.StartsWith("005010X222", StringComparison.Ordinal) ? ClaimType.Professional
            : version.StartsWith("005010X223", StringComparison.Ordinal) ? ClaimType.Institutional
            : throw new ClaimsFileStructureException($"Segment {s.Number}: ST03 is not an 837 5010 professional (005010X222) or institutional (005010X223) guide.");
        _stControl = s[2];
        _stStartSegment = s.Number;
        _transactionsInGroup++;
        _hlIds.Clear();
        _billingNpi = null;
        _memberId = null;
        _level = string.Empty;
    }

    private ClaimReadOutcome? EndTransaction(X12Segment s)
    {
        if (_stControl is null)
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: SE without ST.");
        }

        if (s[2] != _stControl)
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: SE02 does not match the ST02 control number.");
        }

        var expected = s.Number - _stStartSegment + 1;
        if (!long.TryParse(s[1], CultureInfo.InvariantCulture, out var count) || count != expected)
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: SE01 does not match the number of segments in the transaction set.");
        }

        _stControl = null;
        return FlushClaim();
    }

    private ClaimReadOutcome? Hierarchy(X12Segment s)
    {
        var completed = FlushClaim();
        var id = s[1];
        var parent = s[2];
        if (id.Length == 0 || !_hlIds.Add(id))
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: HL01 is missing or repeats an earlier hierarchical id.");
        }

        if (parent.Length > 0 && !_hlIds.Contains(parent))
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: HL02 names a parent level that does not precede it.");
        }

        _level = s[3];
        switch (_level)
        {
            case "20":
                if (parent.Length > 0)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: a billing provider level (HL03 20) cannot have a parent.");
                }

                _billingNpi = null;
                _memberId = null;
                break;
            case "22":
                if (parent.Length == 0)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: a subscriber level (HL03 22) needs a parent billing provider.");
                }

                _memberId = null;
                break;
            case "23":
                if (parent.Length == 0)
                {
                    throw new ClaimsFileStructureException($"Segment {s.Number}: a patient level (HL03 23) needs a parent subscriber.");
                }

                break;
            default:
                throw new ClaimsFileStructureException($"Segment {s.Number}: HL03 is not a billing provider (20), subscriber (22) or patient (23) level.");
        }

        return completed;
    }

    private ClaimReadOutcome? StartClaim(X12Segment s)
    {
        var completed = FlushClaim();
        _claim = new ClaimBuilder(this, s, _transactionType, _memberId, _billingNpi);
        return completed;
    }

    private ClaimReadOutcome? Other(X12Segment s)
    {
        if (_claim is not null)
        {
            _claim.Add(s);
            return null;
        }

        switch (s.Id)
        {
            case "NM1" when s[1] == "85" && _level == "20":
                _billingNpi = s[8] == "XX" ? s[9] : null;
                break;
            case "NM1" when s[1] == "IL" && _level == "22":
                _memberId = s[8] == "MI" ? s[9] : null;
                break;
        }

        return null;
    }

    private ClaimReadOutcome? FlushClaim()
    {
        if (_claim is null)
        {
            return null;
        }

        var outcome = _claim.Complete();
        _claim = null;
        return outcome;
    }

    private void RequireOutside(X12Segment s, bool inGroup, bool inTransaction)
    {
        if ((_gsControl is not null) != inGroup || (_stControl is not null) != inTransaction)
        {
            throw new ClaimsFileStructureException($"Segment {s.Number}: {SafeId(s.Id)} is out of envelope order (ISA/GS/ST ... SE/GE/IEA).");
        }
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

    private static string SafeId(string id) => id.Length <= 3 && id.All(char.IsAsciiLetterOrDigit) ? id : "unrecognized";

    /// <summary>Collects one CLM loop (2300 with its 2400 lines).</summary>
    private sealed class ClaimBuilder
    {
        private readonly X12ClaimReader _reader;
        private readonly List<RejectEntry> _rejects = [];
        private readonly List<RejectEntry> _warnings = [];
        private readonly List<DiagnosisCode> _diagnoses = [];
        private readonly List<LineBuilder> _lines = [];
        private readonly ClaimType _type;
        private readonly string? _memberId;
        private readonly string? _billingNpi;
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
        private string? _patientStatus;
        private string? _renderingNpi;
        private string? _renderingTaxonomy;
        private bool _inOtherSubscriber;
        private bool _lastNameWasRendering;

        public ClaimBuilder(X12ClaimReader reader, X12Segment clm, ClaimType type, string? memberId, string? billingNpi)
        {
            _reader = reader;
            _type = type;
            _memberId = memberId;
            _billingNpi = billingNpi;
            FirstSegment = clm.Number;
            _claimId = clm[1];
            if (!ClaimCodes.IsIdentifier(_claimId))
            {
                Reject(clm, "CLM01", "the claim submitter's identifier is missing or longer than 50 characters");
            }

            var facility = reader.Composite(clm, 5);
            var code = facility.Length > 0 ? facility[0] : string.Empty;
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
                if (ClaimCodes.TryNormalizePlaceOfService(code, out var pos))
                {
                    _placeOfService = pos;
                }
                else
                {
                    Reject(clm, "CLM05-1", "must be a 2-digit place of service");
                }
            }
            else if (code.Length == 2 && ClaimCodes.IsDigits(code) && frequency.Length == 1)
            {
                _billType = code + frequency;
            }
            else
            {
                Reject(clm, "CLM05-1", "must be a 2-digit facility type code with a frequency code");
            }

            if (memberId is null || !ClaimCodes.IsIdentifier(memberId))
            {
                Reject(clm, "NM109 (2010BA)", "the subscriber has no member identifier (NM1*IL with MI qualifier)");
            }

            WarnNpi(clm, "NM109 (2010AA)", billingNpi);
        }

        public long FirstSegment { get; }

        public void Add(X12Segment s)
        {
            var line = _lines.Count > 0 ? _lines[^1] : null;
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
                        Reject(s, "LIN03", "must be an 11-digit NDC");
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
                        Reject(s, "PRV03", "must be a 10-character provider taxonomy code");
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
                _rejects.Add(new RejectEntry($"segment {FirstSegment}", "LX", "the claim has no service lines"));
            }

            if (_type == ClaimType.Institutional && _statementFrom is null && _lines.Any(l => l.From is null))
            {
                _rejects.Add(new RejectEntry($"segment {FirstSegment}", "DTP*434", "an institutional claim needs a statement period when lines carry no service date"));
            }

            var claimLines = new List<ClaimLine>(_lines.Count);
            foreach (var line in _lines)
            {
                var from = line.From ?? _claimServiceDate ?? _statementFrom;
                var to = line.To ?? (line.From is null ? _statementTo ?? from : line.From);
                if (from is null || to is null)
                {
                    _rejects.Add(new RejectEntry(Location(line.Segment), "DTP*472", "the service line has no date of service"));
                    continue;
                }

                if (line.Procedure is null && line.Revenue is null)
                {
                    _rejects.Add(new RejectEntry(Location(line.Segment), _type == ClaimType.Professional ? "SV1" : "SV2", "the service line has no SV1/SV2 with a procedure or revenue code"));
                    continue;
                }

                claimLines.Add(new ClaimLine(
                    line.Number, from.Value, to.Value, line.PlaceOfService ?? _placeOfService, line.Revenue, line.Procedure, line.Modifiers,
                    line.RenderingNpi ?? _renderingNpi, line.Taxonomy ?? _renderingTaxonomy, line.Ndc, null, line.Units, null, line.Paid, ClaimLineStatus.Paid));
            }

            if (_diagnoses.Count == 0)
            {
                _rejects.Add(new RejectEntry($"segment {FirstSegment}", "HI", "the claim has no principal diagnosis (HI*ABK or HI*BK)"));
            }

            if (_rejects.Count > 0)
            {
                return ClaimReadOutcome.Rejected(_rejects, _warnings, Math.Max(1, _lines.Count));
            }

            DateOnly? discharge = null;
            if (_type == ClaimType.Institutional && (_dischargeHourSent || (_billType is { } bt && bt.StartsWith("11", StringComparison.Ordinal) && _patientStatus != "30")))
            {
                discharge = _statementTo;
            }

            var key = _frequency != ClaimFrequency.Original && !string.IsNullOrEmpty(_originalReference) && ClaimCodes.IsIdentifier(_originalReference) ? _originalReference : _claimId;
            var claim = new Claim(key, _frequency, _memberId!, _type, _admission, discharge, _placeOfService, _billType, _diagnoses, _billingNpi, claimLines);
            return ClaimReadOutcome.Accepted(claim, _warnings);
        }

        private void ReadProfessionalService(X12Segment s, LineBuilder line)
        {
            line.Segment = s;
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
                    Reject(s, "SV105", "must be a 2-digit place of service");
                }
            }
        }

        private void ReadInstitutionalService(X12Segment s, LineBuilder line)
        {
            line.Segment = s;
            if (ClaimCodes.TryNormalizeRevenueCode(s[1], out var revenue))
            {
                line.Revenue = revenue;
            }
            else
            {
                Reject(s, "SV201", "must be a 4-digit revenue code");
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
                Reject(s, field, "must be a composite with a procedure code qualifier (HC) and code");
                return;
            }

            if (!ClaimCodes.TryNormalizeProcedure(parts[1], out var procedure))
            {
                Reject(s, field, "the procedure code is not a 5-character CPT or HCPCS code");
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
                    Reject(s, field, "a procedure modifier is not 2 characters");
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

            Reject(s, field, "must be a decimal quantity");
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
                Reject(s, "DTP03", "must be a date (D8 CCYYMMDD, RD8 CCYYMMDD-CCYYMMDD or DT CCYYMMDDHHMM)");
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
            for (var i = 1; i < s.Elements.Length; i++)
            {
                if (s[i].Length == 0)
                {
                    continue;
                }

                var parts = _reader.Composite(s, i);
                var qualifier = parts[0];
                var code = parts.Length > 1 ? parts[1] : string.Empty;
                var field = "HI" + i.ToString("00", CultureInfo.InvariantCulture);
                var principal = qualifier is "ABK" or "BK";
                DiagnosisCode? diagnosis = null;
                switch (qualifier)
                {
                    case "ABK" or "ABF" or "ABN":
                        if (ClaimCodes.TryNormalizeIcd10(code, out var icd10))
                        {
                            diagnosis = new DiagnosisCode(icd10, DiagnosisCodeSystem.Icd10Cm);
                        }
                        else
                        {
                            Reject(s, field, "is not an ICD-10-CM code");
                        }

                        break;
                    case "BK" or "BF":
                        if (ClaimCodes.TryNormalizeIcd9(code, out var icd9))
                        {
                            diagnosis = new DiagnosisCode(icd9, DiagnosisCodeSystem.Icd9Cm);
                        }
                        else
                        {
                            Reject(s, field, "is not an ICD-9-CM code");
                        }

                        break;
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
            }
        }

        private void WarnNpi(X12Segment s, string field, string? npi)
        {
            if (npi is not null && !Npi.TryParse(npi, out _, out var reason))
            {
                _warnings.Add(new RejectEntry(Location(s), field, $"not a valid NPI ({reason}); kept as sent"));
            }
        }

        private void Reject(X12Segment s, string field, string reason) => _rejects.Add(new RejectEntry(Location(s), field, reason));

        private static string Location(X12Segment s) => "segment " + s.Number.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class LineBuilder(X12Segment lx)
    {
        public X12Segment Segment { get; set; } = lx;

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
