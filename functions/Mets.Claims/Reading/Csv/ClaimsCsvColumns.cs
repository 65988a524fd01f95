namespace Mets.Claims.Reading.Csv;

/// <summary>The METS claims CSV columns and their accepted header aliases (docs/claims-csv.md).</summary>
public static class ClaimsCsvColumns
{
    public const string ClaimId = "claim_id";
    public const string LineNumber = "line_number";
    public const string ClaimFrequency = "claim_frequency";
    public const string MemberId = "member_id";

    /// <summary>The patient's (member's) date of birth, optional: the measures' age rules (docs/claims.md).</summary>
    public const string MemberBirthDate = "member_birth_date";

    /// <summary>Header aliases of <see cref="MemberBirthDate"/>, shared by the claims and eligibility files.</summary>
    internal static readonly string[] MemberBirthDateAliases = ["birth_date", "date_of_birth", "dob", "member_dob", "member_date_of_birth", "patient_birth_date"];
    public const string ClaimType = "claim_type";
    public const string ServiceFrom = "service_from";
    public const string ServiceTo = "service_to";
    public const string AdmissionDate = "admission_date";
    public const string DischargeDate = "discharge_date";
    public const string PlaceOfService = "place_of_service";
    public const string BillType = "bill_type";
    public const string RevenueCode = "revenue_code";
    public const string ProcedureCode = "procedure_code";
    public const string Modifiers = "modifiers";
    public const string RenderingNpi = "rendering_npi";
    public const string BillingNpi = "billing_npi";
    public const string RenderingTaxonomy = "rendering_taxonomy";
    public const string Ndc = "ndc";
    public const string DaysSupply = "days_supply";
    public const string Quantity = "quantity";
    public const string AllowedAmount = "allowed_amount";
    public const string PaidAmount = "paid_amount";
    public const string Status = "status";

    /// <summary>Diagnosis columns dx1..dx12; dx1 is the principal diagnosis.</summary>
    public static readonly IReadOnlyList<string> Diagnoses = Enumerable.Range(1, 12).Select(i => $"dx{i}").ToArray();

    /// <summary>Columns a file must have; without them it is quarantined.</summary>
    public static readonly IReadOnlyList<string> Required = [ClaimId, LineNumber, MemberId, ClaimType, ServiceFrom, PaidAmount];

    public static readonly IReadOnlyDictionary<string, string[]> Aliases = BuildAliases();

    private static Dictionary<string, string[]> BuildAliases()
    {
        var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            [ClaimId] = ["claim_number", "claim_control_number", "clm_id", "claim"],
            [LineNumber] = ["line", "line_no", "claim_line", "line_num"],
            [ClaimFrequency] = ["frequency", "frequency_code", "claim_frequency_code"],
            [MemberId] = ["member", "subscriber_id", "patient_id", "member_number"],
            [MemberBirthDate] = MemberBirthDateAliases,
            [ClaimType] = ["type", "claim_form", "form_type"],
            [ServiceFrom] = ["from_date", "service_date", "date_of_service", "service_from_date", "fill_date", "dos"],
            [ServiceTo] = ["to_date", "thru_date", "through_date", "service_to_date"],
            [AdmissionDate] = ["admit_date", "admission"],
            [DischargeDate] = ["discharge", "disch_date"],
            [PlaceOfService] = ["pos", "place_of_service_code"],
            [BillType] = ["type_of_bill", "tob"],
            [RevenueCode] = ["rev_code", "revenue"],
            [ProcedureCode] = ["procedure", "cpt", "hcpcs", "cpt_hcpcs", "proc_code"],
            [Modifiers] = ["modifier", "procedure_modifiers"],
            [RenderingNpi] = ["rendering_provider_npi", "servicing_npi"],
            [BillingNpi] = ["billing_provider_npi"],
            [RenderingTaxonomy] = ["taxonomy", "rendering_provider_taxonomy", "provider_taxonomy"],
            [Ndc] = ["ndc_code", "national_drug_code"],
            [DaysSupply] = ["days_supplied", "day_supply"],
            [Quantity] = ["units", "qty", "quantity_dispensed"],
            [AllowedAmount] = ["allowed", "allowed_amt"],
            [PaidAmount] = ["paid", "paid_amt", "net_paid"],
            [Status] = ["line_status", "claim_status"],
        };
        for (var i = 1; i <= 12; i++)
        {
            aliases[$"dx{i}"] = i == 1
                ? ["diagnosis_1", "icd10_1", "dx_1", "principal_diagnosis", "primary_diagnosis"]
                : [$"diagnosis_{i}", $"icd10_{i}", $"dx_{i}"];
        }

        return aliases;
    }
}
