namespace Mets.Claims;

/// <summary>The kind of bill a claim is: a professional (837P / CMS-1500), institutional (837I / UB-04)
/// or pharmacy claim.</summary>
public enum ClaimType
{
    Professional,
    Institutional,
    Pharmacy,
}

/// <summary>Claim frequency (X12 CLM05-3): an original claim, a replacement of an earlier version, or
/// a void that withdraws it.</summary>
public enum ClaimFrequency
{
    Original,
    Replacement,
    Void,
}

/// <summary>Adjudication status of a claim line. Denied lines are kept but not counted as utilization.</summary>
public enum ClaimLineStatus
{
    Paid,
    Denied,
    Pending,
}

/// <summary>The code system of a diagnosis. ICD-9 codes (older X12 files) are kept but never classified.</summary>
public enum DiagnosisCodeSystem
{
    Icd10Cm,
    Icd9Cm,
}

/// <summary>A diagnosis code, normalized to upper case without the dot (F32.9 -> F329).</summary>
public sealed record DiagnosisCode(string Code, DiagnosisCodeSystem System);

/// <summary>One service line of a claim. Codes are normalized (upper case, no separators).</summary>
public sealed record ClaimLine(
    int LineNumber,
    DateOnly ServiceFrom,
    DateOnly ServiceTo,
    string? PlaceOfService,
    string? RevenueCode,
    string? ProcedureCode,
    IReadOnlyList<string> Modifiers,
    string? RenderingNpi,
    string? RenderingTaxonomy,
    string? Ndc,
    int? DaysSupply,
    decimal? Quantity,
    decimal? AllowedAmount,
    decimal PaidAmount,
    ClaimLineStatus Status);

/// <summary>
/// One version of a claim as read from a file. <see cref="ClaimId"/> is the key that later
/// replacements and voids refer to. Provider identifiers are kept as sent (an NPI failing its check
/// digit is a warning, not a rejection).
/// </summary>
public sealed record Claim(
    string ClaimId,
    ClaimFrequency Frequency,
    string MemberId,
    ClaimType Type,
    DateOnly? AdmissionDate,
    DateOnly? DischargeDate,
    string? PlaceOfService,
    string? BillType,
    IReadOnlyList<DiagnosisCode> Diagnoses,
    string? BillingNpi,
    IReadOnlyList<ClaimLine> Lines)
{
    /// <summary>
    /// The member's (patient's) date of birth as the claim gives it (X12 <c>DMG*D8</c> of the patient loop, a
    /// birth-date column of a CSV file), or null when the file does not carry it. Protected health
    /// information: stored with the claim, used for the measures' age rules, never logged or put in
    /// evidence.
    /// </summary>
    public DateOnly? MemberBirthDate { get; init; }

    /// <summary>The principal (first) diagnosis, when the claim has one.</summary>
    public DiagnosisCode? PrincipalDiagnosis => Diagnoses.Count > 0 ? Diagnoses[0] : null;

    /// <summary>First date of service over all lines.</summary>
    public DateOnly FirstServiceDate => Lines.Count == 0 ? AdmissionDate ?? default : Lines.Min(l => l.ServiceFrom);

    /// <summary>Last date of service over all lines (or the discharge date when later).</summary>
    public DateOnly LastServiceDate
    {
        get
        {
            var last = Lines.Count == 0 ? default : Lines.Max(l => l.ServiceTo);
            return DischargeDate is { } d && d > last ? d : last;
        }
    }
}

/// <summary>
/// One finding in a file's reject report. <see cref="Location"/> is a row ("row 12") or segment
/// ("segment 40") number, <see cref="Field"/> the column or element, <see cref="Reason"/> what is
/// wrong. None of them ever carries a value from the file.
/// </summary>
public sealed record RejectEntry(string Location, string Field, string Reason);

/// <summary>What a reader produced for one claim: the claim, or the reasons it was rejected whole.</summary>
public sealed class ClaimReadOutcome
{
    private ClaimReadOutcome(Claim? claim, IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, int lineCount)
    {
        Claim = claim;
        Rejects = rejects;
        Warnings = warnings;
        LineCount = lineCount;
    }

    public Claim? Claim { get; }

    /// <summary>Why the claim was rejected (empty when accepted).</summary>
    public IReadOnlyList<RejectEntry> Rejects { get; }

    /// <summary>Findings that do not reject the claim (e.g. an NPI failing its check digit).</summary>
    public IReadOnlyList<RejectEntry> Warnings { get; }

    /// <summary>Lines (CSV rows or X12 service lines) the claim had in the file.</summary>
    public int LineCount { get; }

    public bool IsAccepted => Claim is not null;

    public static ClaimReadOutcome Accepted(Claim claim, IReadOnlyList<RejectEntry> warnings) =>
        new(claim, [], warnings, claim.Lines.Count);

    public static ClaimReadOutcome Rejected(IReadOnlyList<RejectEntry> rejects, IReadOnlyList<RejectEntry> warnings, int lineCount) =>
        new(null, rejects, warnings, lineCount);
}

/// <summary>A file whose structure is broken (missing columns, bad or mismatched X12 envelope). The
/// message names the problem and never contains a value from the file.</summary>
public sealed class ClaimsFileStructureException : Exception
{
    public ClaimsFileStructureException()
    {
    }

    public ClaimsFileStructureException(string message)
        : base(message)
    {
    }

    public ClaimsFileStructureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
