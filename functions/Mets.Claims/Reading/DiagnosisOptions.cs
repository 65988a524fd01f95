using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Mets.Domain.Diagnoses;
using Microsoft.Extensions.Options;

namespace Mets.Claims.Reading;

/// <summary>
/// Settings of the diagnosis check (section "Claims:Diagnosis"). Without code-set files every diagnosis is
/// checked for ICD-10-CM structure only; with them, also for membership in the release in effect on the
/// claim's date of service. Example:
/// <code>
/// "Claims": { "Diagnosis": { "CodeSetFiles": [
///   { "Path": "/data/icd10cm/icd10cm_order_2026.txt", "EffectiveFrom": "2025-10-01" },
///   { "Path": "/data/icd10cm/icd10cm_order_2025.txt", "EffectiveFrom": "2024-10-01" } ] } }
/// </code>
/// Each file is a CMS ICD-10-CM order file or code file (<see cref="Icd10CmCodeSet"/>) and applies from its
/// EffectiveFrom date until the next file's.
/// </summary>
public sealed class DiagnosisOptions
{
    public const string SectionName = "Claims:Diagnosis";

    public IList<CodeSetFile> CodeSetFiles { get; } = [];

    /// <summary>One ICD-10-CM release file.</summary>
    public sealed class CodeSetFile
    {
        /// <summary>Path of the CMS order file (icd10cm_order_YYYY.txt) or code file (icd10cm_codes_YYYY.txt).</summary>
        [Required]
        public string Path { get; set; } = string.Empty;

        /// <summary>First date of service the release applies to (October 1 of the fiscal year before its name,
        /// or April 1 for a mid-year update).</summary>
        [Required]
        public DateOnly? EffectiveFrom { get; set; }
    }

    /// <summary>Loads the configured releases into a validator. Throws <see cref="OptionsValidationException"/>
    /// naming the setting when a file is missing or unreadable.</summary>
    public Icd10CmValidator CreateValidator()
    {
        var problems = Validate(load: true, out var releases);
        return problems.Count > 0
            ? throw new OptionsValidationException(SectionName, typeof(DiagnosisOptions), problems)
            : releases.Count == 0 ? Icd10CmValidator.StructureOnly : new Icd10CmValidator(releases);
    }

    internal List<string> Validate(bool load, out List<Icd10CmCodeSet> releases)
    {
        var problems = new List<string>();
        releases = [];
        var dates = new HashSet<DateOnly>();
        for (var i = 0; i < CodeSetFiles.Count; i++)
        {
            var file = CodeSetFiles[i];
            var setting = string.Create(CultureInfo.InvariantCulture, $"{SectionName}:CodeSetFiles:{i}");
            if (string.IsNullOrWhiteSpace(file.Path))
            {
                problems.Add($"{setting}:Path is required.");
                continue;
            }

            if (file.EffectiveFrom is not { } from)
            {
                problems.Add($"{setting}:EffectiveFrom is required (the first date of service the release applies to, e.g. 2025-10-01).");
                continue;
            }

            if (!dates.Add(from))
            {
                problems.Add($"{setting}:EffectiveFrom repeats the date of another code-set file.");
                continue;
            }

            if (!File.Exists(file.Path))
            {
                problems.Add($"{setting}:Path names a file that does not exist.");
                continue;
            }

            if (!load)
            {
                continue;
            }

            try
            {
                using var reader = File.OpenText(file.Path);
                releases.Add(Icd10CmCodeSet.Load(reader, from));
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{setting}:Path is not a readable ICD-10-CM order or code file: {e.Message}");
            }
        }

        return problems;
    }

    /// <summary>Reports every problem with the settings (and the files' format) at start.</summary>
    internal sealed class Validator : IValidateOptions<DiagnosisOptions>
    {
        public ValidateOptionsResult Validate(string? name, DiagnosisOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var problems = options.Validate(load: true, out _);
            return problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
        }
    }
}
