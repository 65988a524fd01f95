using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Mets.Claims;
using Mets.Claims.Acknowledgments;
using Mets.Claims.Analytics;
using Mets.Claims.Reading.X12;
using Mets.Claims.Storage;

namespace Mets.Azure.Cosmos.Claims;

/// <summary>The <c>kind</c> of each item in the claims containers (indexed: every query filters on it).</summary>
internal static class ItemKinds
{
    public const string File = "file";
    public const string Report = "report";
    public const string Members = "members";
    public const string Trigger = "trigger";
    public const string Acknowledgment = "acknowledgment";
    public const string Sequence = "sequence";
    public const string Claim = "claim";
    public const string Coverage = "coverage";
    public const string Analysis = "analysis";
}

/// <summary>Item ids: Cosmos DB ids may not contain '/', '\', '?' or '#'; claim ids and plans come from files.</summary>
internal static class ItemIds
{
    public const string File = "file";
    public const string Analysis = "analysis";
    public const string Acknowledgment = "acknowledgment";

    /// <summary>The partition (and item id) of the commit-sequence counter in <c>claims-files</c>: never a SHA-256.</summary>
    public const string CommitSequence = "commit-sequence";

    /// <summary>The partition (and item id) of the acknowledgment control-number counter in <c>claims-files</c>: never a SHA-256.</summary>
    public const string AcknowledgmentNumber = "acknowledgment-number";

    public static string ClaimVersion(string claimId, string fileHash, int seq) =>
        string.Create(CultureInfo.InvariantCulture, $"claim-{Escape(claimId)}-{fileHash}-{seq}");

    public static string Coverage(string plan, DateOnly start, string fileHash) =>
        string.Create(CultureInfo.InvariantCulture, $"coverage-{Escape(plan)}-{start:yyyyMMdd}-{fileHash}");

    public static string Report(int chunk) => string.Create(CultureInfo.InvariantCulture, $"report-{chunk:D4}");

    public static string Members(int batch, int part) => string.Create(CultureInfo.InvariantCulture, $"members-{batch:D6}-{part:D2}");

    /// <summary>Members another file (<paramref name="contributor"/>) adds to this file's: see StageAsync.</summary>
    public static string MembersFrom(string contributor, int batch, int part) => string.Create(CultureInfo.InvariantCulture, $"members-{contributor}-{batch:D6}-{part:D2}");

    public static string Trigger(string triggerId) => "trigger-" + Escape(triggerId);

    public static string ClaimIndex(string claimId) => Escape(claimId);

    /// <summary>Percent-escapes the characters an id may not hold (and '%', spaces and control characters).</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                text.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) => c <= ' ' || c == '\u007f' || c is '/' or '\\' or '?' or '#' or '%';
}

/// <summary>Counts of a file as stored (ClaimsFileCounts without its computed share).</summary>
internal sealed record CountsBody(int ClaimsRead, int ClaimsAccepted, int ClaimsRejected, long LinesRead, long LinesAccepted, int Warnings)
{
    public static CountsBody From(ClaimsFileCounts counts) =>
        new(counts.ClaimsRead, counts.ClaimsAccepted, counts.ClaimsRejected, counts.LinesRead, counts.LinesAccepted, counts.Warnings);

    public ClaimsFileCounts ToCounts() => new(ClaimsRead, ClaimsAccepted, ClaimsRejected, LinesRead, LinesAccepted, Warnings);
}

/// <summary>
/// <c>claims-files/{contentHash}/file</c>: the status record. <see cref="Attempt"/> grows with every
/// BeginFileAsync; staged items carry it, and only the committed attempt's items count. The write that sets
/// <see cref="Status"/> to Committed (with <see cref="CommitSequence"/>) is what makes the file visible.
/// </summary>
internal sealed record FileItem(
    string Id,
    string ContentHash,
    string Kind,
    string FileName,
    ClaimsFileKind FileKind,
    ClaimsFileStatus Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset UpdatedAt,
    long Rows,
    long Bytes,
    long? TotalBytes,
    CountsBody Counts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? QuarantineReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? AnalyzedAsOf,
    int Attempt,
    int StagedClaims,
    int StagedBatches,
    int ReportChunks,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CommitSequence)
{
    public bool IsCommitted => Status is ClaimsFileStatus.Committed or ClaimsFileStatus.Processed;

    public FileState State => new(Status, Attempt, CommitSequence);

    public FileItem WithProgress(ClaimsFileProgress progress, DateTimeOffset now) =>
        this with { Rows = progress.Rows, Bytes = progress.Bytes, TotalBytes = progress.TotalBytes ?? TotalBytes, UpdatedAt = now };
}

/// <summary>What readers need to know about a file a version came from.</summary>
internal sealed record FileState(ClaimsFileStatus Status, int Attempt, long? CommitSequence)
{
    public bool IsCommitted => Status is ClaimsFileStatus.Committed or ClaimsFileStatus.Processed && CommitSequence is not null;

    /// <summary>Committed and quarantined files never change again (BeginFileAsync refuses them), so their state can be cached.</summary>
    public bool IsFinal => IsCommitted || Status == ClaimsFileStatus.Quarantined;
}

/// <summary><c>claims-files/{contentHash}/report-NNNN</c>: up to <c>ReportChunkEntries</c> report entries, rejects first.</summary>
internal sealed record ReportItem(string Id, string ContentHash, string Kind, IReadOnlyList<RejectEntry> Rejects, IReadOnlyList<RejectEntry> Warnings);

/// <summary><c>claims-files/{contentHash}/members-BBBBBB-PP</c>: members a staging batch touched (of one attempt); also
/// <c>members-{otherHash}-BBBBBB-PP</c>: members another file staged at the same time adds (see StageAsync).</summary>
internal sealed record MembersItem(string Id, string ContentHash, string Kind, int Attempt, int Batch, IReadOnlyList<string> Members);

/// <summary><c>claims-files/{contentHash}/trigger-{id}</c>.</summary>
internal sealed record TriggerItem(string Id, string ContentHash, string Kind, ClaimsTrigger Trigger);

/// <summary>A counter in a partition of its own in <c>claims-files</c>: <c>commit-sequence/commit-sequence</c> (the last
/// commit sequence handed out) and <c>acknowledgment-number/acknowledgment-number</c> (the last acknowledgment control
/// number handed out). <see cref="ContentHash"/> holds the partition key, the counter's name.</summary>
internal sealed record SequenceItem(string Id, string ContentHash, string Kind, long Value);

/// <summary><c>claims-files/{contentHash}/acknowledgment</c>: the TA1/999 answering an X12 file, replaced when saved again.</summary>
internal sealed record AcknowledgmentItem(
    string Id,
    string ContentHash,
    string Kind,
    ClaimsAcknowledgmentKind AcknowledgmentKind,
    X12AcknowledgmentCode Code,
    string ControlNumber,
    DateTimeOffset CreatedAt,
    string Content)
{
    public static AcknowledgmentItem From(string contentHash, ClaimsAcknowledgment acknowledgment) => new(
        ItemIds.Acknowledgment, contentHash, ItemKinds.Acknowledgment, acknowledgment.Kind, acknowledgment.Code, acknowledgment.ControlNumber, acknowledgment.CreatedAt, acknowledgment.Content);

    public ClaimsAcknowledgment ToAcknowledgment() => new(AcknowledgmentKind, Code, ControlNumber, CreatedAt, Content);
}

/// <summary>
/// An item of kind <c>claim</c> or <c>coverage</c> in a member's partition of <c>claims</c>, always tied to the
/// file (and attempt) that staged it. A claim item is one version of a claim: with its <see cref="Claim"/> body
/// in its owner's partition, or as a marker (no body) in the partition of another member that holds a version
/// of the same claim, so that every such partition can tell on its own which version is current.
/// </summary>
internal sealed record VersionItem(
    string Id,
    string MemberId,
    string Kind,
    string FileHash,
    int Attempt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClaimId = null,
    int Seq = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClaimFrequency? Frequency = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Owner = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ClaimBody? Claim = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Plan = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? CoverageStart = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? CoverageEnd = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? MemberBirthDate = null);

/// <summary><c>claim-index/{claimId}</c>: every version of a claim id ever staged, from any file.</summary>
internal sealed record IndexItem(string Id, string ClaimId, IReadOnlyList<IndexEntry> Versions);

/// <summary>One staged version of a claim: its file, position in the file, member, frequency and attempt.</summary>
internal sealed record IndexEntry(string FileHash, int Seq, string Member, ClaimFrequency Frequency, int Attempt);

/// <summary><c>claims/{memberId}/analysis</c>: the member's month aggregates and care gaps, replaced as one write.</summary>
internal sealed record AnalysisItem(string Id, string MemberId, string Kind, IReadOnlyList<MonthBody> Months, IReadOnlyList<CareGap> Gaps);

/// <summary>A claim's body as stored (its id, member and frequency are on the item). Amounts are strings:
/// Cosmos DB keeps numbers as doubles, and money stays decimal. <see cref="MemberBirthDate"/> (PHI, for the measures'
/// age rules) is left out when the file gave none, so items written before it existed read back as "no birth date".</summary>
internal sealed record ClaimBody(
    ClaimType Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? AdmissionDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? DischargeDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PlaceOfService,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BillType,
    IReadOnlyList<DiagnosisCode> Diagnoses,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BillingNpi,
    IReadOnlyList<LineBody> Lines,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateOnly? MemberBirthDate = null)
{
    public static ClaimBody From(Claim claim) => new(
        claim.Type, claim.AdmissionDate, claim.DischargeDate, claim.PlaceOfService, claim.BillType, claim.Diagnoses, claim.BillingNpi,
        claim.Lines.Select(LineBody.From).ToList(), claim.MemberBirthDate);

    public Claim ToClaim(string claimId, ClaimFrequency frequency, string memberId) => new(
        claimId, frequency, memberId, Type, AdmissionDate, DischargeDate, PlaceOfService, BillType, Diagnoses, BillingNpi,
        Lines.Select(l => l.ToLine()).ToList()) { MemberBirthDate = MemberBirthDate };
}

/// <summary>A claim line as stored (amounts as strings, empty fields left out).</summary>
internal sealed record LineBody(
    int LineNumber,
    DateOnly ServiceFrom,
    DateOnly ServiceTo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PlaceOfService,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RevenueCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProcedureCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Modifiers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RenderingNpi,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RenderingTaxonomy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Ndc,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DaysSupply,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Quantity,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AllowedAmount,
    string PaidAmount,
    ClaimLineStatus Status)
{
    public static LineBody From(ClaimLine line) => new(
        line.LineNumber, line.ServiceFrom, line.ServiceTo, line.PlaceOfService, line.RevenueCode, line.ProcedureCode,
        line.Modifiers.Count == 0 ? null : line.Modifiers, line.RenderingNpi, line.RenderingTaxonomy, line.Ndc, line.DaysSupply,
        Amounts.Format(line.Quantity), Amounts.Format(line.AllowedAmount), Amounts.Format(line.PaidAmount), line.Status);

    public ClaimLine ToLine() => new(
        LineNumber, ServiceFrom, ServiceTo, PlaceOfService, RevenueCode, ProcedureCode, Modifiers ?? [], RenderingNpi, RenderingTaxonomy, Ndc,
        DaysSupply, Amounts.Parse(Quantity), Amounts.Parse(AllowedAmount), Amounts.Parse(PaidAmount) ?? 0m, Status);
}

/// <summary>A member-month as stored (amounts as strings).</summary>
internal sealed record MonthBody(
    DateOnly Month,
    bool Enrolled,
    int BhInpatientStays,
    int BhEmergencyVisits,
    int OutpatientBhVisits,
    string BhPaid,
    string TotalPaid,
    int AntipsychoticFills,
    int AntidepressantFills,
    int SubstanceUseMedicationFills,
    int OtherFills)
{
    public static MonthBody From(MemberMonth month) => new(
        month.Month, month.Enrolled, month.BhInpatientStays, month.BhEmergencyVisits, month.OutpatientBhVisits,
        Amounts.Format(month.BhPaid), Amounts.Format(month.TotalPaid),
        month.AntipsychoticFills, month.AntidepressantFills, month.SubstanceUseMedicationFills, month.OtherFills);

    public MemberMonth ToMonth(string memberId) => new(
        memberId, Month, Enrolled, BhInpatientStays, BhEmergencyVisits, OutpatientBhVisits, Amounts.Parse(BhPaid) ?? 0m, Amounts.Parse(TotalPaid) ?? 0m,
        AntipsychoticFills, AntidepressantFills, SubstanceUseMedicationFills, OtherFills);
}

internal static class Amounts
{
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string? Format(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static decimal? Parse(string? text) => text is null ? null : decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
