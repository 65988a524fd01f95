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
/// (Analytics/CodeSets/bh-code-sets.v1.json by default), and the drug (NDC) list, loaded from a second
/// versioned file (Analytics/CodeSets/bh-ndc-list.v1.json by default) that names its public source and the
/// date it was drawn. The code families are PUBLIC PROXIES for NCQA's licensed HEDIS value sets: the file
/// says so in its label and lists its sources.
/// </summary>
public sealed class BhCodeSets
{
    private const string DefaultResource = "Mets.Claims.CodeSets.bh-code-sets.v1.json";
    private const string DefaultNdcResource = "Mets.Claims.CodeSets.bh-ndc-list.v1.json";
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };
    private static readonly Lazy<BhCodeSets> DefaultSets = new(LoadDefault);
    private readonly Dictionary<string, List<NdcListing>> _drugsByProduct;

    private BhCodeSets(CodeSetFile file, NdcListFile ndcList)
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
        var nonacute = file.NonacuteInpatient ?? new NonacuteSection();
        NonacuteBillTypes = new CodeRangeSet(nonacute.BillTypePrefixes);
        NonacuteRevenue = new CodeRangeSet(nonacute.RevenueCodes);
        NonacutePlacesOfService = new CodeRangeSet(nonacute.PlacesOfService);
        PsychiatricResidentialRevenue = new CodeRangeSet(nonacute.PsychiatricResidentialRevenueCodes);
        PsychiatricResidentialPlacesOfService = new CodeRangeSet(nonacute.PsychiatricResidentialPlacesOfService);
        if (file.Drugs is not null)
        {
            throw new InvalidDataException("The code-set file has a drugs section: drugs now come from the NDC list file (Claims:Analytics:NdcListPath).");
        }

        NdcListVersion = ndcList.Version ?? throw new InvalidDataException("The NDC list has no version.");
        NdcListSource = ndcList.Source ?? throw new InvalidDataException("The NDC list has no source.");
        NdcListRetrieved = ndcList.Retrieved ?? throw new InvalidDataException("The NDC list has no retrieved date.");
        _drugsByProduct = new Dictionary<string, List<NdcListing>>(StringComparer.Ordinal);
        foreach (var product in ndcList.Products)
        {
            if (!Enum.TryParse<DrugClass>(product.Class, ignoreCase: true, out var drugClass) || string.IsNullOrWhiteSpace(product.Drug))
            {
                throw new InvalidDataException("An NDC list product has no drug name or an unknown class.");
            }

            foreach (var ndc in product.NdcProducts)
            {
                var key = ndc.Replace("-", string.Empty, StringComparison.Ordinal);
                if (key.Length != 9 || !key.All(char.IsAsciiDigit))
                {
                    throw new InvalidDataException("An NDC list product code is not a 9-digit labeler-product code (5-4 form).");
                }

                if (!_drugsByProduct.TryGetValue(key, out var listings))
                {
                    _drugsByProduct[key] = listings = [];
                }

                listings.Add(new NdcListing(product.Drug, drugClass, product.From, product.To));
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

    /// <summary>Bill types (first two digits) of nonacute inpatient stays: skilled nursing, swing bed, intermediate care, hospice, residential.</summary>
    public CodeRangeSet NonacuteBillTypes { get; }

    /// <summary>Revenue codes of nonacute inpatient care (rehabilitation and subacute room and board, SNF/IRF PPS, respite, BH residential).</summary>
    public CodeRangeSet NonacuteRevenue { get; }

    /// <summary>Places of service of nonacute inpatient care (SNF, nursing facility, hospice, ICF/IID, residential, IRF).</summary>
    public CodeRangeSet NonacutePlacesOfService { get; }

    public CodeRangeSet PsychiatricResidentialRevenue { get; }

    public CodeRangeSet PsychiatricResidentialPlacesOfService { get; }

    /// <summary>Version of the NDC list in use.</summary>
    public string NdcListVersion { get; }

    /// <summary>Where the NDC list was drawn from (the file names its public source).</summary>
    public string NdcListSource { get; }

    /// <summary>The date the NDC list was drawn from its source.</summary>
    public DateOnly NdcListRetrieved { get; }

    /// <summary>The built-in public-proxy code sets shipped with this assembly.</summary>
    public static BhCodeSets Default => DefaultSets.Value;

    /// <summary>Loads code sets from <paramref name="json"/> and the NDC list from <paramref name="ndcList"/> (the built-in list when null).</summary>
    public static BhCodeSets Load(Stream json, Stream? ndcList = null)
    {
        var file = JsonSerializer.Deserialize<CodeSetFile>(json, JsonOptions) ?? throw new InvalidDataException("The code-set file is empty.");
        if (ndcList is not null)
        {
            return new BhCodeSets(file, ReadNdcList(ndcList));
        }

        using var builtIn = Resource(DefaultNdcResource);
        return new BhCodeSets(file, ReadNdcList(builtIn));
    }

    /// <summary>Loads code sets from a file (the built-in ones when <paramref name="path"/> is empty) and the NDC
    /// list from another (the built-in one when <paramref name="ndcListPath"/> is empty).</summary>
    public static BhCodeSets LoadFile(string? path, string? ndcListPath = null)
    {
        using var stream = string.IsNullOrWhiteSpace(path) ? Resource(DefaultResource) : File.OpenRead(path);
        if (string.IsNullOrWhiteSpace(ndcListPath))
        {
            return Load(stream);
        }

        using var ndc = File.OpenRead(ndcListPath);
        return Load(stream, ndc);
    }

    /// <summary>
    /// Looks a drug up by the labeler-product part (first nine digits) of an 11-digit NDC, as listed on
    /// <paramref name="dispensed"/>: a product listed only from a later date, or only until an earlier one,
    /// is not that drug on that date (class <see cref="DrugClass.Other"/>).
    /// </summary>
    public (string Drug, DrugClass Class) ClassifyDrug(string? ndc, DateOnly dispensed)
    {
        if (ndc is { Length: 11 } && _drugsByProduct.TryGetValue(ndc[..9], out var listings))
        {
            foreach (var listing in listings)
            {
                if ((listing.From is not { } from || dispensed >= from) && (listing.To is not { } to || dispensed <= to))
                {
                    return (listing.Drug, listing.Class);
                }
            }
        }

        return (ndc ?? string.Empty, DrugClass.Other);
    }

    public bool IsSelfHarm(string code) =>
        SelfHarm.Contains(code) || (code.Length >= 6 && SelfHarmPoisoning.Contains(code) && code[5] == SelfHarmSixthCharacter[0]);

    public bool IsOverdose(string code) =>
        code.Length >= 6 && Overdose.Contains(code) && OverdoseSixthCharacters.Contains(code[5], StringComparison.Ordinal);

    private static BhCodeSets LoadDefault()
    {
        using var stream = Resource(DefaultResource);
        return Load(stream);
    }

    private static Stream Resource(string name) =>
        typeof(BhCodeSets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("A built-in code-set resource is missing from the assembly.");

    private static NdcListFile ReadNdcList(Stream json) =>
        JsonSerializer.Deserialize<NdcListFile>(json, JsonOptions) ?? throw new InvalidDataException("The NDC list is empty.");

    private sealed record NdcListing(string Drug, DrugClass Class, DateOnly? From, DateOnly? To);

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

        public NonacuteSection? NonacuteInpatient { get; set; }

        public JsonElement? Drugs { get; set; }
    }

    private sealed class NonacuteSection
    {
        public List<string> BillTypePrefixes { get; set; } = [];

        public List<string> RevenueCodes { get; set; } = [];

        public List<string> PlacesOfService { get; set; } = [];

        public List<string> PsychiatricResidentialRevenueCodes { get; set; } = [];

        public List<string> PsychiatricResidentialPlacesOfService { get; set; } = [];
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

    private sealed class NdcListFile
    {
        public string? Version { get; set; }

        public string? Source { get; set; }

        public DateOnly? Retrieved { get; set; }

        public List<NdcProduct> Products { get; set; } = [];
    }

    private sealed class NdcProduct
    {
        public string Drug { get; set; } = string.Empty;

        public string Class { get; set; } = string.Empty;

        public List<string> NdcProducts { get; set; } = [];

        /// <summary>First day the products are on the list (their listing or marketing start), or null.</summary>
        public DateOnly? From { get; set; }

        /// <summary>Last day the products are on the list (their marketing end), or null while listed.</summary>
        public DateOnly? To { get; set; }
    }
}
