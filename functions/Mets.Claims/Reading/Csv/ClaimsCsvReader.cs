using System.Globalization;
using Mets.Domain.Diagnoses;
using Mets.Domain.Identifiers;
using Sylvan.Data.Csv;

namespace Mets.Claims.Reading.Csv;

/// <summary>
/// Streams a METS claims CSV (docs/claims-csv.md): one row per claim line, the rows of a claim next
/// to each other. Yields one outcome per claim; a bad row rejects its whole claim. A missing
/// required column throws <see cref="ClaimsFileStructureException"/> before any claim is read.
/// Diagnoses go through the ICD-10-CM validator (dot optional): a <c>dx1</c> that fails rejects the
/// claim, another diagnosis column that fails is dropped with a warning; with a code set configured, the
/// codes are also checked against the release in effect on the claim's date of service.
/// </summary>
public static class ClaimsCsvReader
{
    private const char Comma = ',';

    public static IEnumerable<ClaimReadOutcome> Read(Stream content, Action<long>? rowRead = null, Icd10CmValidator? diagnoses = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return ReadIterator(content, rowRead, diagnoses ?? Icd10CmValidator.StructureOnly);
    }

    private static IEnumerable<ClaimReadOutcome> ReadIterator(Stream content, Action<long>? rowRead, Icd10CmValidator diagnoses)
    {
        using var text = new StreamReader(content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        using var csv = Open(text);
        var header = new CsvHeader(Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToList(), ClaimsCsvColumns.Aliases);
        header.Require(ClaimsCsvColumns.Required);
        var columns = new Ordinals(header);

        ClaimGroup? group = null;
        var pools = new ReaderPools();
        long row = 1;
        while (NextRow(csv))
        {
            row++;
            rowRead?.Invoke(row);
            if (group is not null && !Field(csv, columns.ClaimId).SequenceEqual(group.ClaimId))
            {
                yield return group.Complete();
                group = null;
            }

            if (Field(csv, columns.ClaimId).IsEmpty)
            {
                yield return ClaimReadOutcome.Rejected([new RejectEntry(Location(row), ClaimsCsvColumns.ClaimId, "is required")], [], 1);
                continue;
            }

            group ??= new ClaimGroup(Field(csv, columns.ClaimId).ToString(), pools, diagnoses);
            group.Add(csv, columns, row);
        }

        if (group is not null)
        {
            yield return group.Complete();
        }
    }

    internal static CsvDataReader Open(TextReader text)
    {
        try
        {
            return CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = Comma, Culture = CultureInfo.InvariantCulture });
        }
        catch (Exception e) when (e is CsvFormatException or FormatException or InvalidDataException)
        {
            throw new ClaimsFileStructureException("The header row cannot be read as CSV.", e);
        }
    }

    internal static bool NextRow(CsvDataReader csv)
    {
        try
        {
            return csv.Read();
        }
        catch (Exception e) when (e is CsvFormatException or FormatException)
        {
            throw new ClaimsFileStructureException($"Row {csv.RowNumber} is not well-formed CSV (unbalanced quotes or an oversized record).", e);
        }
    }

    internal static ReadOnlySpan<char> Field(CsvDataReader csv, int ordinal) =>
        ordinal < 0 || ordinal >= csv.RowFieldCount ? [] : csv.GetFieldSpan(ordinal).Trim();

    internal static string Location(long row) => "row " + row.ToString(CultureInfo.InvariantCulture);

    private sealed class Ordinals(CsvHeader header)
    {
        public int ClaimId { get; } = header[ClaimsCsvColumns.ClaimId];
        public int LineNumber { get; } = header[ClaimsCsvColumns.LineNumber];
        public int Frequency { get; } = header[ClaimsCsvColumns.ClaimFrequency];
        public int MemberId { get; } = header[ClaimsCsvColumns.MemberId];
        public int MemberBirthDate { get; } = header[ClaimsCsvColumns.MemberBirthDate];
        public int ClaimType { get; } = header[ClaimsCsvColumns.ClaimType];
        public int ServiceFrom { get; } = header[ClaimsCsvColumns.ServiceFrom];
        public int ServiceTo { get; } = header[ClaimsCsvColumns.ServiceTo];
        public int Admission { get; } = header[ClaimsCsvColumns.AdmissionDate];
        public int Discharge { get; } = header[ClaimsCsvColumns.DischargeDate];
        public int PlaceOfService { get; } = header[ClaimsCsvColumns.PlaceOfService];
        public int BillType { get; } = header[ClaimsCsvColumns.BillType];
        public int RevenueCode { get; } = header[ClaimsCsvColumns.RevenueCode];
        public int Procedure { get; } = header[ClaimsCsvColumns.ProcedureCode];
        public int Modifiers { get; } = header[ClaimsCsvColumns.Modifiers];
        public int RenderingNpi { get; } = header[ClaimsCsvColumns.RenderingNpi];
        public int BillingNpi { get; } = header[ClaimsCsvColumns.BillingNpi];
        public int Taxonomy { get; } = header[ClaimsCsvColumns.RenderingTaxonomy];
        public int Ndc { get; } = header[ClaimsCsvColumns.Ndc];
        public int DaysSupply { get; } = header[ClaimsCsvColumns.DaysSupply];
        public int Quantity { get; } = header[ClaimsCsvColumns.Quantity];
        public int Allowed { get; } = header[ClaimsCsvColumns.AllowedAmount];
        public int Paid { get; } = header[ClaimsCsvColumns.PaidAmount];
        public int Status { get; } = header[ClaimsCsvColumns.Status];
        public int[] Diagnoses { get; } = ClaimsCsvColumns.Diagnoses.Select(d => header[d]).ToArray();
    }

    /// <summary>The rows of one claim, validated as they arrive.</summary>
    private sealed class ClaimGroup(string claimId, ReaderPools pools, Icd10CmValidator validator)
    {
        private readonly List<ClaimLine> _lines = new(4);
        private readonly List<DiagnosisCode> _diagnoses = new(4);
        private readonly List<(DiagnosisCode Code, long Row, string Column)> _diagnosisSources = new(4);
        private List<RejectEntry>? _rejects;
        private List<RejectEntry>? _warnings;
        private int _rows;
        private long _firstRow;
        private bool _headerSet;
        private ClaimFrequency _frequency;
        private string _memberId = string.Empty;
        private DateOnly? _birthDate;
        private ClaimType _type;
        private DateOnly? _admission;
        private DateOnly? _discharge;
        private string? _billType;
        private string? _billingNpi;
        private string? _claimPlaceOfService;

        public string ClaimId { get; } = claimId;

        public ClaimReadOutcome Complete()
        {
            if (_rejects is null && !ClaimCodes.IsIdentifier(ClaimId))
            {
                Reject(_firstRow, ClaimsCsvColumns.ClaimId, "must be 1 to 50 printable characters");
            }

            if (_rejects is null && _lines.Count > 0)
            {
                CheckCodeSet();
            }

            if (_rejects is null && _type != ClaimType.Pharmacy && _diagnoses.Count == 0)
            {
                Reject(_firstRow, ClaimsCsvColumns.Diagnoses[0], "a medical claim needs a principal diagnosis");
            }

            if (_rejects is null && _birthDate is { } born && _lines.Count > 0 && born > _lines.Min(l => l.ServiceFrom))
            {
                Reject(_firstRow, ClaimsCsvColumns.MemberBirthDate, "is after the claim's first date of service");
            }

            return _rejects is null
                ? ClaimReadOutcome.Accepted(
                    new Claim(ClaimId, _frequency, _memberId, _type, _admission, _discharge, _claimPlaceOfService, _billType, _diagnoses, _billingNpi, _lines) { MemberBirthDate = _birthDate },
                    (IReadOnlyList<RejectEntry>?)_warnings ?? [])
                : ClaimReadOutcome.Rejected(_rejects, (IReadOnlyList<RejectEntry>?)_warnings ?? [], _rows);
        }

        public void Add(CsvDataReader csv, Ordinals c, long row)
        {
            if (_rows++ == 0)
            {
                _firstRow = row;
            }

            var frequency = ParseFrequency(csv, c, row);
            var memberId = Field(csv, c.MemberId);
            if (!ClaimCodes.IsIdentifier(memberId))
            {
                Reject(row, ClaimsCsvColumns.MemberId, memberId.IsEmpty ? "is required" : "must be 1 to 50 printable characters");
            }

            var birthDate = OptionalDate(csv, c.MemberBirthDate, ClaimsCsvColumns.MemberBirthDate, row);
            var type = ParseType(csv, c, row);
            var admission = OptionalDate(csv, c.Admission, ClaimsCsvColumns.AdmissionDate, row);
            var discharge = OptionalDate(csv, c.Discharge, ClaimsCsvColumns.DischargeDate, row);
            if (admission is { } a && discharge is { } d && d < a)
            {
                Reject(row, ClaimsCsvColumns.DischargeDate, "is before the admission date");
            }

            var billType = Optional(csv, c.BillType, ClaimsCsvColumns.BillType, row, ClaimCodes.TryNormalizeBillType, "must be a 3-digit type of bill");
            var billingNpi = Npi(csv, c.BillingNpi, ClaimsCsvColumns.BillingNpi, row);

            if (!_headerSet)
            {
                _headerSet = true;
                _frequency = frequency;
                if (!pools.Members.TryGet(memberId, out _memberId!))
                {
                    _memberId = memberId.ToString();
                    pools.Members.Add(memberId, _memberId);
                }
                _birthDate = birthDate;
                _type = type;
                _admission = admission;
                _discharge = discharge;
                _billType = billType;
                _billingNpi = billingNpi;
            }
            else
            {
                if (frequency != _frequency)
                {
                    Reject(row, ClaimsCsvColumns.ClaimFrequency, "differs from the claim's first row");
                }

                if (!memberId.SequenceEqual(_memberId))
                {
                    Reject(row, ClaimsCsvColumns.MemberId, "differs from the claim's first row");
                }

                if (birthDate != _birthDate)
                {
                    Reject(row, ClaimsCsvColumns.MemberBirthDate, "differs from the claim's first row");
                }

                if (type != _type)
                {
                    Reject(row, ClaimsCsvColumns.ClaimType, "differs from the claim's first row");
                }

                if (admission != _admission || discharge != _discharge)
                {
                    Reject(row, ClaimsCsvColumns.AdmissionDate, "admission or discharge date differs from the claim's first row");
                }

                if (billType != _billType)
                {
                    Reject(row, ClaimsCsvColumns.BillType, "differs from the claim's first row");
                }
            }

            ReadDiagnoses(csv, c, row);
            ReadLine(csv, c, row, type);
        }

        private void ReadDiagnoses(CsvDataReader csv, Ordinals c, long row)
        {
            for (var i = 0; i < c.Diagnoses.Length; i++)
            {
                var text = Field(csv, c.Diagnoses[i]);
                if (text.IsEmpty)
                {
                    continue;
                }

                var column = ClaimsCsvColumns.Diagnoses[i];
                if (!pools.Diagnoses.TryGet(text, out var diagnosis))
                {
                    if (!Icd10CmValidator.TryNormalize(text, IcdCodeNotation.DecimalPointOptional, out var code, out var reason))
                    {
                        if (i == 0)
                        {
                            Reject(row, column, "is not an ICD-10-CM code: " + reason);
                        }
                        else
                        {
                            Warn(row, column, "is not an ICD-10-CM code: " + reason + "; the code is dropped");
                        }

                        continue;
                    }

                    diagnosis = new DiagnosisCode(code, DiagnosisCodeSystem.Icd10Cm);
                    pools.Diagnoses.Add(text, diagnosis);
                }

                if (!_diagnoses.Contains(diagnosis))
                {
                    _diagnoses.Add(diagnosis);
                    _diagnosisSources.Add((diagnosis, row, column));
                }
            }
        }

        /// <summary>Membership in the ICD-10-CM release in effect on the claim's date of service (when one is
        /// configured): the principal diagnosis rejects the claim, another one is dropped with a warning.</summary>
        private void CheckCodeSet()
        {
            if (!validator.ChecksMembership || _diagnosisSources.Count == 0)
            {
                return;
            }

            var date = ClaimCodes.CodeSetDate(_type, _billType, _lines, _discharge);
            for (var i = 0; i < _diagnosisSources.Count; i++)
            {
                var (code, row, column) = _diagnosisSources[i];
                if (validator.IsValidOn(code.Code, date, out var reason))
                {
                    continue;
                }

                if (i == 0 && column == ClaimsCsvColumns.Diagnoses[0])
                {
                    Reject(row, column, "the principal diagnosis " + reason);
                    return;
                }

                Warn(row, column, "a secondary diagnosis " + reason + "; the code is dropped");
                _diagnoses.Remove(code);
            }
        }

        private void Warn(long row, string column, string reason) => (_warnings ??= []).Add(new RejectEntry(Location(row), column, reason));

        private void ReadLine(CsvDataReader csv, Ordinals c, long row, ClaimType type)
        {
            var lineText = Field(csv, c.LineNumber);
            if (!int.TryParse(lineText, NumberStyles.None, CultureInfo.InvariantCulture, out var lineNumber) || lineNumber < 1)
            {
                Reject(row, ClaimsCsvColumns.LineNumber, "must be a positive whole number");
            }
            else if (HasLine(lineNumber))
            {
                Reject(row, ClaimsCsvColumns.LineNumber, "repeats an earlier line of the same claim");
            }

            var fromText = Field(csv, c.ServiceFrom);
            var from = default(DateOnly);
            if (fromText.IsEmpty)
            {
                Reject(row, ClaimsCsvColumns.ServiceFrom, "is required");
            }
            else if (!ClaimCodes.TryParseDate(fromText, out from))
            {
                Reject(row, ClaimsCsvColumns.ServiceFrom, "must be a date (yyyy-MM-dd or yyyyMMdd)");
            }

            var to = OptionalDate(csv, c.ServiceTo, ClaimsCsvColumns.ServiceTo, row) ?? from;
            if (to < from)
            {
                Reject(row, ClaimsCsvColumns.ServiceTo, "is before the service start date");
            }

            var pos = Optional(csv, c.PlaceOfService, ClaimsCsvColumns.PlaceOfService, row, ClaimCodes.TryNormalizePlaceOfService, "must be a 2-digit CMS place of service");
            _claimPlaceOfService ??= pos;
            var revenue = Optional(csv, c.RevenueCode, ClaimsCsvColumns.RevenueCode, row, ClaimCodes.TryNormalizeRevenueCode, "must be a 4-digit revenue code");
            var procedure = Optional(csv, c.Procedure, ClaimsCsvColumns.ProcedureCode, row, ClaimCodes.TryNormalizeProcedure, "must be a 5-character CPT or HCPCS code");
            IReadOnlyList<string> modifiers = [];
            var modifierText = Field(csv, c.Modifiers);
            if (!modifierText.IsEmpty && !ClaimCodes.TryParseModifiers(modifierText, out modifiers))
            {
                Reject(row, ClaimsCsvColumns.Modifiers, "must be up to four 2-character modifiers");
            }

            var renderingNpi = Npi(csv, c.RenderingNpi, ClaimsCsvColumns.RenderingNpi, row);
            string? taxonomy = null;
            var taxonomyText = Field(csv, c.Taxonomy);
            if (!taxonomyText.IsEmpty)
            {
                var taxonomyPool = pools.For(ClaimsCsvColumns.RenderingTaxonomy);
                if (taxonomyPool.TryGet(taxonomyText, out var known))
                {
                    taxonomy = known;
                }
                else if (ClaimCodes.IsTaxonomy(taxonomyText))
                {
                    taxonomy = taxonomyText.ToString().ToUpperInvariant();
                    taxonomyPool.Add(taxonomyText, taxonomy);
                }
                else
                {
                    Reject(row, ClaimsCsvColumns.RenderingTaxonomy, "must be a 10-character provider taxonomy code");
                }
            }

            var ndc = Optional(csv, c.Ndc, ClaimsCsvColumns.Ndc, row, ClaimCodes.TryNormalizeNdc, "must be an 11-digit NDC (or a dashed 10-digit form)");
            int? daysSupply = null;
            var daysText = Field(csv, c.DaysSupply);
            if (!daysText.IsEmpty)
            {
                if (int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is > 0 and <= 366)
                {
                    daysSupply = days;
                }
                else
                {
                    Reject(row, ClaimsCsvColumns.DaysSupply, "must be a whole number from 1 to 366");
                }
            }

            var quantity = OptionalAmount(csv, c.Quantity, ClaimsCsvColumns.Quantity, row);
            var allowed = OptionalAmount(csv, c.Allowed, ClaimsCsvColumns.AllowedAmount, row);
            var paidText = Field(csv, c.Paid);
            decimal paid = 0;
            if (paidText.IsEmpty)
            {
                Reject(row, ClaimsCsvColumns.PaidAmount, "is required");
            }
            else if (!ClaimCodes.TryParseAmount(paidText, out paid) || paid < 0)
            {
                Reject(row, ClaimsCsvColumns.PaidAmount, "must be a decimal amount of zero or more");
            }

            var status = ParseStatus(csv, c, row);

            if (type == ClaimType.Pharmacy)
            {
                if (ndc is null)
                {
                    Reject(row, ClaimsCsvColumns.Ndc, "a pharmacy line needs an NDC");
                }

                if (daysSupply is null)
                {
                    Reject(row, ClaimsCsvColumns.DaysSupply, "a pharmacy line needs a days supply");
                }
            }
            else if (Field(csv, c.Procedure).IsEmpty && Field(csv, c.RevenueCode).IsEmpty)
            {
                Reject(row, ClaimsCsvColumns.ProcedureCode, "a medical line needs a procedure or revenue code");
            }

            if (_rejects is null)
            {
                _lines.Add(new ClaimLine(lineNumber, from, to, pos, revenue, procedure, modifiers, renderingNpi, taxonomy, ndc, daysSupply, quantity, allowed, paid, status));
            }
        }

        private bool HasLine(int lineNumber)
        {
            foreach (var line in _lines)
            {
                if (line.LineNumber == lineNumber)
                {
                    return true;
                }
            }

            return false;
        }

        private ClaimFrequency ParseFrequency(CsvDataReader csv, Ordinals c, long row)
        {
            var text = Field(csv, c.Frequency);
            if (text.IsEmpty || Is(text, "original") || Is(text, "1") || Is(text, "o"))
            {
                return ClaimFrequency.Original;
            }

            if (Is(text, "replacement") || Is(text, "7") || Is(text, "r"))
            {
                return ClaimFrequency.Replacement;
            }

            if (Is(text, "void") || Is(text, "8") || Is(text, "v"))
            {
                return ClaimFrequency.Void;
            }

            Reject(row, ClaimsCsvColumns.ClaimFrequency, "must be original, replacement or void");
            return ClaimFrequency.Original;
        }

        private ClaimType ParseType(CsvDataReader csv, Ordinals c, long row)
        {
            var text = Field(csv, c.ClaimType);
            if (Is(text, "professional") || Is(text, "p") || Is(text, "837p"))
            {
                return ClaimType.Professional;
            }

            if (Is(text, "institutional") || Is(text, "i") || Is(text, "837i") || Is(text, "facility"))
            {
                return ClaimType.Institutional;
            }

            if (Is(text, "pharmacy") || Is(text, "rx") || Is(text, "ncpdp"))
            {
                return ClaimType.Pharmacy;
            }

            Reject(row, ClaimsCsvColumns.ClaimType, text.IsEmpty ? "is required" : "must be professional, institutional or pharmacy");
            return ClaimType.Professional;
        }

        private ClaimLineStatus ParseStatus(CsvDataReader csv, Ordinals c, long row)
        {
            var text = Field(csv, c.Status);
            if (text.IsEmpty || Is(text, "paid") || Is(text, "p"))
            {
                return ClaimLineStatus.Paid;
            }

            if (Is(text, "denied") || Is(text, "d"))
            {
                return ClaimLineStatus.Denied;
            }

            if (Is(text, "pending") || Is(text, "pended"))
            {
                return ClaimLineStatus.Pending;
            }

            Reject(row, ClaimsCsvColumns.Status, "must be paid, denied or pending");
            return ClaimLineStatus.Paid;
        }

        private string? Npi(CsvDataReader csv, int ordinal, string column, long row)
        {
            var text = Field(csv, ordinal);
            if (text.IsEmpty)
            {
                return null;
            }

            var pool = pools.For(ClaimsCsvColumns.BillingNpi);
            if (pool.TryGet(text, out var known))
            {
                return known;
            }

            var value = text.ToString();
            if (Domain.Identifiers.Npi.TryParse(value, out _, out var reason))
            {
                pool.Add(text, value);
            }
            else
            {
                (_warnings ??= []).Add(new RejectEntry(Location(row), column, $"not a valid NPI ({reason}); kept as sent"));
            }

            return value;
        }

        private DateOnly? OptionalDate(CsvDataReader csv, int ordinal, string column, long row)
        {
            var text = Field(csv, ordinal);
            if (text.IsEmpty)
            {
                return null;
            }

            if (ClaimCodes.TryParseDate(text, out var date))
            {
                return date;
            }

            Reject(row, column, "must be a date (yyyy-MM-dd or yyyyMMdd)");
            return null;
        }

        private decimal? OptionalAmount(CsvDataReader csv, int ordinal, string column, long row)
        {
            var text = Field(csv, ordinal);
            if (text.IsEmpty)
            {
                return null;
            }

            if (ClaimCodes.TryParseAmount(text, out var amount) && amount >= 0)
            {
                return amount;
            }

            Reject(row, column, "must be a decimal number of zero or more");
            return null;
        }

        private delegate bool Normalizer(ReadOnlySpan<char> text, out string code);

        private string? Optional(CsvDataReader csv, int ordinal, string column, long row, Normalizer normalize, string reason)
        {
            var text = Field(csv, ordinal);
            if (text.IsEmpty)
            {
                return null;
            }

            var pool = pools.For(column);
            if (pool.TryGet(text, out var known))
            {
                return known;
            }

            if (normalize(text, out var code))
            {
                pool.Add(text, code);
                return code;
            }

            Reject(row, column, reason);
            return null;
        }

        private void Reject(long row, string column, string reason) =>
            (_rejects ??= []).Add(new RejectEntry(Location(row), column, reason));

        private static bool Is(ReadOnlySpan<char> text, string value) => text.Equals(value, StringComparison.OrdinalIgnoreCase);
    }
}
