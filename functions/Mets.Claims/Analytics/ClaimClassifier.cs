using System.Collections.Concurrent;

namespace Mets.Claims.Analytics;

/// <summary>What a claim line is, in behavioral-health terms.</summary>
[Flags]
public enum BhLineTraits
{
    None = 0,
    BhPlaceOfService = 1,
    BhRevenueCode = 2,
    BhProcedure = 4,
    EmergencyDepartment = 8,
    InpatientRoomAndBoard = 16,
    PsychiatricInpatient = 32,
    SubstanceUseService = 64,
    MentalHealthProvider = 128,
    EvaluationAndManagement = 256,
}

/// <summary>What the diagnoses of a claim say (ICD-10-CM only; ICD-9 codes are never classified).</summary>
[Flags]
public enum BhDiagnosisFamilies
{
    None = 0,
    MentalIllness = 1,
    SubstanceUseDisorder = 2,
    SelfHarm = 4,
    Overdose = 8,
    MajorDepression = 16,
    Schizophrenia = 32,
}

/// <summary>The setting a claim describes.</summary>
public enum ClaimSetting
{
    Outpatient,
    InpatientStay,
    EmergencyVisit,
    PharmacyFill,
}

/// <summary>One pharmacy fill, with the drug and class found from its NDC.</summary>
public sealed record PharmacyFill(DateOnly FillDate, int DaysSupply, string Drug, DrugClass Class);

/// <summary>A claim with its behavioral-health classification.</summary>
public sealed record ClassifiedClaim(
    Claim Claim,
    ClaimSetting Setting,
    BhDiagnosisFamilies PrincipalDiagnosis,
    BhDiagnosisFamilies AnyDiagnosis,
    IReadOnlyList<BhLineTraits> LineFlags,
    bool IsBehavioralHealth,
    DateOnly StartDate,
    DateOnly EndDate,
    IReadOnlyList<DateOnly> BhVisitDates,
    IReadOnlyList<PharmacyFill> Fills,
    decimal PaidAmount)
{
    public string MemberId => Claim.MemberId;

    /// <summary>A BH inpatient stay: an inpatient stay with a BH principal diagnosis or psychiatric room and board.</summary>
    public bool IsBhInpatientStay => Setting == ClaimSetting.InpatientStay && IsBehavioralHealth;

    /// <summary>A BH ED visit: an ED visit with a BH principal diagnosis (mental illness, SUD, self-harm, overdose).</summary>
    public bool IsBhEmergencyVisit => Setting == ClaimSetting.EmergencyVisit && PrincipalDiagnosis != BhDiagnosisFamilies.None;

    /// <summary>An inpatient stay for nonacute care (skilled nursing, rehabilitation, residential, hospice...), by
    /// bill type, revenue code or place of service (the code sets' <c>nonacuteInpatient</c> proxy).</summary>
    public bool IsNonacuteStay { get; init; }

    /// <summary>A nonacute stay in psychiatric residential treatment (POS 56, revenue 1001): the follow-up
    /// measures do not treat it as a readmission or an admission that prevents follow-up.</summary>
    public bool IsPsychiatricResidential { get; init; }

    /// <summary>The member's date of birth as the claim gives it (see <see cref="Claim.MemberBirthDate"/>).</summary>
    public DateOnly? MemberBirthDate => Claim.MemberBirthDate;

    /// <summary>Evidence codes for trigger and gap records: diagnosis, place of service, revenue and
    /// procedure codes (never member identifiers).</summary>
    public IReadOnlyList<string> EvidenceCodes()
    {
        var codes = new List<string>(4);
        if (Claim.PrincipalDiagnosis is { } dx)
        {
            codes.Add((dx.System == DiagnosisCodeSystem.Icd10Cm ? "icd10:" : "icd9:") + dx.Code);
        }

        foreach (var line in Claim.Lines)
        {
            if (line.PlaceOfService is { } pos && !codes.Contains("pos:" + pos))
            {
                codes.Add("pos:" + pos);
            }

            if (line.RevenueCode is { } rev && !codes.Contains("rev:" + rev))
            {
                codes.Add("rev:" + rev);
            }

            if (line.ProcedureCode is { } proc && !codes.Contains("proc:" + proc))
            {
                codes.Add("proc:" + proc);
            }

            if (codes.Count >= 6)
            {
                break;
            }
        }

        return codes;
    }
}

/// <summary>Classifies claims with the configured BH code sets. Denied lines are ignored.</summary>
public sealed class ClaimClassifier(BhCodeSets codes)
{
    private const int MaxCached = 100_000;
    private readonly ConcurrentDictionary<DiagnosisCode, BhDiagnosisFamilies> _diagnoses = new();
    private readonly ConcurrentDictionary<(string?, string?, string?, string?), BhLineTraits> _lines = new();

    public BhCodeSets Codes { get; } = codes;

    /// <summary>The families of a diagnosis (memoized: codes repeat, code sets do not change).</summary>
    public BhDiagnosisFamilies ClassifyDiagnosis(DiagnosisCode diagnosis)
    {
        ArgumentNullException.ThrowIfNull(diagnosis);
        if (_diagnoses.TryGetValue(diagnosis, out var known))
        {
            return known;
        }

        var families = ComputeDiagnosis(diagnosis);
        if (_diagnoses.Count < MaxCached)
        {
            _diagnoses.TryAdd(diagnosis, families);
        }

        return families;
    }

    /// <summary>The BH traits of a line (memoized on place of service, revenue, procedure, taxonomy).</summary>
    public BhLineTraits ClassifyLine(ClaimLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var key = (line.PlaceOfService, line.RevenueCode, line.ProcedureCode, line.RenderingTaxonomy);
        if (_lines.TryGetValue(key, out var known))
        {
            return known;
        }

        var traits = ComputeLine(line);
        if (_lines.Count < MaxCached)
        {
            _lines.TryAdd(key, traits);
        }

        return traits;
    }

    private BhDiagnosisFamilies ComputeDiagnosis(DiagnosisCode diagnosis)
    {
        if (diagnosis.System != DiagnosisCodeSystem.Icd10Cm)
        {
            return BhDiagnosisFamilies.None;
        }

        var code = diagnosis.Code;
        var flags = BhDiagnosisFamilies.None;
        if (Codes.MentalIllness.Contains(code))
        {
            flags |= BhDiagnosisFamilies.MentalIllness;
        }

        if (Codes.SubstanceUseDisorder.Contains(code))
        {
            flags |= BhDiagnosisFamilies.SubstanceUseDisorder;
        }

        if (Codes.IsSelfHarm(code))
        {
            flags |= BhDiagnosisFamilies.SelfHarm;
        }

        if (Codes.IsOverdose(code))
        {
            flags |= BhDiagnosisFamilies.Overdose;
        }

        if (Codes.MajorDepression.Contains(code))
        {
            flags |= BhDiagnosisFamilies.MajorDepression;
        }

        if (Codes.Schizophrenia.Contains(code))
        {
            flags |= BhDiagnosisFamilies.Schizophrenia;
        }

        return flags;
    }

    private BhLineTraits ComputeLine(ClaimLine line)
    {
        var flags = BhLineTraits.None;
        if (Codes.BhPlacesOfService.Contains(line.PlaceOfService))
        {
            flags |= BhLineTraits.BhPlaceOfService;
        }

        if (Codes.EmergencyPlacesOfService.Contains(line.PlaceOfService) || Codes.EmergencyRevenue.Contains(line.RevenueCode) || Codes.EmergencyProcedures.Contains(line.ProcedureCode))
        {
            flags |= BhLineTraits.EmergencyDepartment;
        }

        if (Codes.BhRevenue.Contains(line.RevenueCode))
        {
            flags |= BhLineTraits.BhRevenueCode;
        }

        if (Codes.InpatientRoomAndBoardRevenue.Contains(line.RevenueCode))
        {
            flags |= BhLineTraits.InpatientRoomAndBoard;
        }

        if (Codes.PsychiatricInpatientRevenue.Contains(line.RevenueCode))
        {
            flags |= BhLineTraits.PsychiatricInpatient | BhLineTraits.InpatientRoomAndBoard;
        }

        if (Codes.BhVisitProcedures.Contains(line.ProcedureCode))
        {
            flags |= BhLineTraits.BhProcedure;
        }

        if (Codes.SudServiceProcedures.Contains(line.ProcedureCode))
        {
            flags |= BhLineTraits.SubstanceUseService;
        }

        if (Codes.EvaluationAndManagement.Contains(line.ProcedureCode))
        {
            flags |= BhLineTraits.EvaluationAndManagement;
        }

        if (Codes.MentalHealthTaxonomies.Contains(line.RenderingTaxonomy))
        {
            flags |= BhLineTraits.MentalHealthProvider;
        }

        return flags;
    }

    public ClassifiedClaim Classify(Claim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var principal = claim.PrincipalDiagnosis is { } p ? ClassifyDiagnosis(p) : BhDiagnosisFamilies.None;
        var any = BhDiagnosisFamilies.None;
        foreach (var dx in claim.Diagnoses)
        {
            any |= ClassifyDiagnosis(dx);
        }

        var lineFlags = new BhLineTraits[claim.Lines.Count];
        var all = BhLineTraits.None;
        decimal paid = 0;
        List<PharmacyFill>? fills = null;
        for (var i = 0; i < claim.Lines.Count; i++)
        {
            var line = claim.Lines[i];
            if (line.Status == ClaimLineStatus.Denied)
            {
                continue;
            }

            lineFlags[i] = ClassifyLine(line);
            all |= lineFlags[i];
            paid += line.PaidAmount;
            if (claim.Type == ClaimType.Pharmacy && line.DaysSupply is { } days)
            {
                var (drug, drugClass) = Codes.ClassifyDrug(line.Ndc, line.ServiceFrom);
                (fills ??= []).Add(new PharmacyFill(line.ServiceFrom, days, drug, drugClass));
            }
        }

        var setting = claim.Type == ClaimType.Pharmacy ? ClaimSetting.PharmacyFill
            : IsInpatientStay(claim, all) ? ClaimSetting.InpatientStay
            : (all & BhLineTraits.EmergencyDepartment) != 0 || Codes.EmergencyPlacesOfService.Contains(claim.PlaceOfService) ? ClaimSetting.EmergencyVisit
            : ClaimSetting.Outpatient;

        var bhLine = (all & (BhLineTraits.BhPlaceOfService | BhLineTraits.BhRevenueCode | BhLineTraits.BhProcedure | BhLineTraits.PsychiatricInpatient)) != 0;
        var isBh = setting != ClaimSetting.PharmacyFill && (principal != BhDiagnosisFamilies.None || bhLine);

        List<DateOnly>? visits = null;
        if (setting == ClaimSetting.Outpatient)
        {
            for (var i = 0; i < claim.Lines.Count; i++)
            {
                var f = lineFlags[i];
                var qualifies = (f & (BhLineTraits.BhProcedure | BhLineTraits.BhRevenueCode | BhLineTraits.BhPlaceOfService)) != 0
                    || ((f & BhLineTraits.EvaluationAndManagement) != 0 && (principal != BhDiagnosisFamilies.None || (f & BhLineTraits.MentalHealthProvider) != 0));
                if (qualifies && claim.Lines[i].Status != ClaimLineStatus.Denied)
                {
                    visits ??= [];
                    if (!visits.Contains(claim.Lines[i].ServiceFrom))
                    {
                        visits.Add(claim.Lines[i].ServiceFrom);
                    }
                }
            }
        }

        DateOnly first = DateOnly.MaxValue, last = DateOnly.MinValue;
        foreach (var line in claim.Lines)
        {
            first = line.ServiceFrom < first ? line.ServiceFrom : first;
            last = line.ServiceTo > last ? line.ServiceTo : last;
        }

        var start = claim.AdmissionDate ?? (claim.Lines.Count > 0 ? first : default);
        var end = claim.DischargeDate is { } discharge && discharge > last ? discharge : (claim.Lines.Count > 0 ? last : start);
        var stay = setting == ClaimSetting.InpatientStay;
        return new ClassifiedClaim(claim, setting, principal, any, lineFlags, isBh, start, end, (IReadOnlyList<DateOnly>?)visits ?? [], (IReadOnlyList<PharmacyFill>?)fills ?? [], paid)
        {
            IsNonacuteStay = stay && IsNonacute(claim),
            IsPsychiatricResidential = stay && IsPsychiatricResidentialStay(claim),
        };
    }

    private bool IsNonacute(Claim claim) =>
        Codes.NonacuteBillTypes.Contains(claim.BillType) || Codes.NonacutePlacesOfService.Contains(claim.PlaceOfService)
        || claim.Lines.Any(l => l.Status != ClaimLineStatus.Denied && (Codes.NonacuteRevenue.Contains(l.RevenueCode) || Codes.NonacutePlacesOfService.Contains(l.PlaceOfService)));

    private bool IsPsychiatricResidentialStay(Claim claim) =>
        Codes.PsychiatricResidentialPlacesOfService.Contains(claim.PlaceOfService)
        || claim.Lines.Any(l => l.Status != ClaimLineStatus.Denied && (Codes.PsychiatricResidentialRevenue.Contains(l.RevenueCode) || Codes.PsychiatricResidentialPlacesOfService.Contains(l.PlaceOfService)));

    private bool IsInpatientStay(Claim claim, BhLineTraits all) =>
        claim.Type == ClaimType.Institutional &&
        (Codes.InpatientBillTypes.Contains(claim.BillType) || (all & BhLineTraits.InpatientRoomAndBoard) != 0);
}
