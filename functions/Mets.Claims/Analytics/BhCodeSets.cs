using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mets.Claims.Analytics;

/// <summary>A set of codes given as exact codes, prefixes or inclusive ranges ("F20-F29",
/// "90832-90838"). A code matches a range when its leading characters, as many as the range bounds
/// have, fall between the bounds (ordinal comparison).</summary>
public sealed class CodeRangeSet
{
    private readonly (string Low, string High)[] _ranges;

    public CodeRangeSet(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _ranges = entries.Select(Parse).ToArray();
    }

    public bool Contains(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return false;
        }

        foreach (var (low, high) in _ranges)
        {
            if (code.Length < low.Length)
            {
                continue;
            }

            var head = code.AsSpan(0, low.Length);
            if (head.CompareTo(low, StringComparison.Ordinal) >= 0 && head.CompareTo(high, StringComparison.Ordinal) <= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static (string, string) Parse(string entry)
    {
        var text = entry.Trim().Replace(".", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return (text, text);
        }

        var low = text[..dash];
        var high = text[(dash + 1)..];
        if (low.Length != high.Length || low.Length == 0)
        {
            throw new InvalidDataException($"Code range '{entry}' must have bounds of equal length.");
        }

        return (low, high);
    }
}

/// <summary>Drug classes the analytics know about.</summary>
public enum DrugClass
{
    Other,
    Antipsychotic,
    Antidepressant,
    OpioidUseDisorderMedication,
    AlcoholUseDisorderMedication,
}

/// <summary>
/// The behavioral-health code families used to classify claims, loaded from a versioned JSON file
/// (Analytics/CodeSets/bh-code-sets.v1.json by default). They are PUBLIC PROXIES for NCQA's licensed
/// HEDIS value sets: the file says so in its label and lists its sources.
/// </summary>
public sealed class BhCodeSets
{
    private const string DefaultResource = "Mets.Claims.CodeSets.bh-code-sets.v1.json";
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };
    private static readonly Lazy<BhCodeSets> DefaultSets = new(LoadDefault);
    private readonly Dictionary<string, (string Drug, DrugClass Class)> _drugsByProduct;

    private BhCodeSets(CodeSetFile file)
    {
        Version = file.Version ?? throw new InvalidDataException("The code-set file has no version.");
        Label = file.Label ?? throw new InvalidDataException("The code-set file has no label.");
        var d = file.Diagnoses ?? throw new InvalidDataException("The code-set file has no diagnoses section.");
        MentalIllness = new CodeRangeSet(d.MentalIllness);
        SubstanceUseDisorder = new CodeRangeSet(d.SubstanceUseDisorder);
        SelfHarm = new CodeRangeSet(d.SelfHarm);
        SelfHarmPoisoning = new CodeRangeSet(d.SelfHarmPoisoningCategories);
        SelfHarmSixthCharacter = d.SelfHarmPoisoningSixthCharacter;
        Overdose = new CodeRangeSet(d.OverdoseCategories);
        OverdoseSixthCharacters = d.OverdoseSixthCharacters;
        MajorDepression = new CodeRangeSet(d.MajorDepression);
        Schizophrenia = new CodeRangeSet(d.Schizophrenia);
        var pos = file.PlacesOfService ?? throw new InvalidDataException("The code-set file has no placesOfService section.");
        BhPlacesOfService = new CodeRangeSet(pos.BehavioralHealth);
        InpatientPlacesOfService = new CodeRangeSet(pos.Inpatient);
        EmergencyPlacesOfService = new CodeRangeSet(pos.EmergencyDepartment);
        var rev = file.RevenueCodes ?? throw new InvalidDataException("The code-set file has no revenueCodes section.");
        PsychiatricInpatientRevenue = new CodeRangeSet(rev.PsychiatricInpatient);
        InpatientRoomAndBoardRevenue = new CodeRangeSet(rev.InpatientRoomAndBoard);
        EmergencyRevenue = new CodeRangeSet(rev.EmergencyDepartment);
        BhRevenue = new CodeRangeSet(rev.BehavioralHealth);
        InpatientBillTypes = new CodeRangeSet(file.InpatientBillTypePrefixes);
        var proc = file.Procedures ?? throw new InvalidDataException("The code-set file has no procedures section.");
        BhVisitProcedures = new CodeRangeSet(proc.BehavioralHealthVisit);
        EvaluationAndManagement = new CodeRangeSet(proc.EvaluationAndManagement);
        EmergencyProcedures = new CodeRangeSet(proc.EmergencyDepartment);
        SudServiceProcedures = new CodeRangeSet(proc.SubstanceUseService);
        MentalHealthTaxonomies = new CodeRangeSet(file.MentalHealthProviderTaxonomyPrefixes);
        _drugsByProduct = new Dictionary<string, (string, DrugClass)>(StringComparer.Ordinal);
        foreach (var product in file.Drugs?.Products ?? [])
        {
            var drugClass = Enum.Parse<DrugClass>(product.Class, ignoreCase: true);
            foreach (var ndc in product.NdcProducts)
            {
                _drugsByProduct[ndc] = (product.Drug, drugClass);
            }
        }
    }

    public string Version { get; }

    public string Label { get; }

    public CodeRangeSet MentalIllness { get; }

    public CodeRangeSet SubstanceUseDisorder { get; }

    public CodeRangeSet SelfHarm { get; }

    public CodeRangeSet SelfHarmPoisoning { get; }

    public string SelfHarmSixthCharacter { get; }

    public CodeRangeSet Overdose { get; }

    public string OverdoseSixthCharacters { get; }

    public CodeRangeSet MajorDepression { get; }

    public CodeRangeSet Schizophrenia { get; }

    public CodeRangeSet BhPlacesOfService { get; }

    public CodeRangeSet InpatientPlacesOfService { get; }

    public CodeRangeSet EmergencyPlacesOfService { get; }

    public CodeRangeSet PsychiatricInpatientRevenue { get; }

    public CodeRangeSet InpatientRoomAndBoardRevenue { get; }

    public CodeRangeSet EmergencyRevenue { get; }

    public CodeRangeSet BhRevenue { get; }

    public CodeRangeSet InpatientBillTypes { get; }

    public CodeRangeSet BhVisitProcedures { get; }

    public CodeRangeSet EvaluationAndManagement { get; }

    public CodeRangeSet EmergencyProcedures { get; }

    public CodeRangeSet SudServiceProcedures { get; }

    public CodeRangeSet MentalHealthTaxonomies { get; }

    /// <summary>The built-in public-proxy code sets shipped with this assembly.</summary>
    public static BhCodeSets Default => DefaultSets.Value;

    public static BhCodeSets Load(Stream json)
    {
        var file = JsonSerializer.Deserialize<CodeSetFile>(json, JsonOptions) ?? throw new InvalidDataException("The code-set file is empty.");
        return new BhCodeSets(file);
    }

    public static BhCodeSets LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Looks a drug up by the labeler-product part (first nine digits) of an 11-digit NDC.</summary>
    public (string Drug, DrugClass Class) ClassifyDrug(string? ndc) =>
        ndc is { Length: 11 } && _drugsByProduct.TryGetValue(ndc[..9], out var drug) ? drug : (ndc ?? string.Empty, DrugClass.Other);

    public bool IsSelfHarm(string code) =>
        SelfHarm.Contains(code) || (code.Length >= 6 && SelfHarmPoisoning.Contains(code) && code[5] == SelfHarmSixthCharacter[0]);

    public bool IsOverdose(string code) =>
        code.Length >= 6 && Overdose.Contains(code) && OverdoseSixthCharacters.Contains(code[5], StringComparison.Ordinal);

    private static BhCodeSets LoadDefault()
    {
        using var stream = typeof(BhCodeSets).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException("The built-in code-set resource is missing from the assembly.");
        return Load(stream);
    }


    private sealed class CodeSetFile
    {
        public string? Version { get; set; }

        public string? Label { get; set; }

        public DiagnosisSection? Diagnoses { get; set; }

        public PlaceSection? PlacesOfService { get; set; }

        public RevenueSection? RevenueCodes { get; set; }

        public List<string> InpatientBillTypePrefixes { get; set; } = [];

        public ProcedureSection? Procedures { get; set; }

        public List<string> MentalHealthProviderTaxonomyPrefixes { get; set; } = [];

        public DrugSection? Drugs { get; set; }
    }

    private sealed class DiagnosisSection
    {
        public List<string> MentalIllness { get; set; } = [];

        public List<string> SubstanceUseDisorder { get; set; } = [];

        public List<string> SelfHarm { get; set; } = [];

        public List<string> SelfHarmPoisoningCategories { get; set; } = [];

        public string SelfHarmPoisoningSixthCharacter { get; set; } = "2";

        public List<string> OverdoseCategories { get; set; } = [];

        public string OverdoseSixthCharacters { get; set; } = "1234";

        public List<string> MajorDepression { get; set; } = [];

        public List<string> Schizophrenia { get; set; } = [];
    }

    private sealed class PlaceSection
    {
        public List<string> BehavioralHealth { get; set; } = [];

        public List<string> Inpatient { get; set; } = [];

        public List<string> EmergencyDepartment { get; set; } = [];
    }

    private sealed class RevenueSection
    {
        public List<string> PsychiatricInpatient { get; set; } = [];

        public List<string> InpatientRoomAndBoard { get; set; } = [];

        public List<string> EmergencyDepartment { get; set; } = [];

        public List<string> BehavioralHealth { get; set; } = [];
    }

    private sealed class ProcedureSection
    {
        public List<string> BehavioralHealthVisit { get; set; } = [];

        public List<string> EvaluationAndManagement { get; set; } = [];

        public List<string> EmergencyDepartment { get; set; } = [];

        public List<string> SubstanceUseService { get; set; } = [];
    }

    private sealed class DrugSection
    {
        public List<DrugProduct> Products { get; set; } = [];
    }

    private sealed class DrugProduct
    {
        public string Drug { get; set; } = string.Empty;

        public string Class { get; set; } = string.Empty;

        public List<string> NdcProducts { get; set; } = [];
    }

}
