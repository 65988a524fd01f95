using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mets.Domain.Diagnoses;

/// <summary>
/// The one ICD-10-CM check used by referrals and claims: the structure (<see cref="Icd10Cm"/>), then, when
/// the plan has configured the release in effect on the date of service, membership in it. Releases apply
/// from their <see cref="Icd10CmCodeSet.EffectiveFrom"/> until the next release's; a date of service before
/// the earliest configured release, or a validator without releases (<see cref="StructureOnly"/>), is
/// checked for structure only. Reasons never repeat the value.
/// </summary>
public sealed class Icd10CmValidator
{
    private readonly Icd10CmCodeSet[] _releases;

    public Icd10CmValidator(IEnumerable<Icd10CmCodeSet> releases)
    {
        ArgumentNullException.ThrowIfNull(releases);
        _releases = releases.OrderBy(r => r.EffectiveFrom).ToArray();
        for (var i = 1; i < _releases.Length; i++)
        {
            if (_releases[i].EffectiveFrom == _releases[i - 1].EffectiveFrom)
            {
                throw new ArgumentException("Two ICD-10-CM code sets take effect on the same date.", nameof(releases));
            }
        }
    }

    /// <summary>Structure only: no code set configured.</summary>
    public static Icd10CmValidator StructureOnly { get; } = new([]);

    /// <summary>True when at least one release is configured.</summary>
    public bool ChecksMembership => _releases.Length > 0;

    /// <summary>The release in effect on <paramref name="dateOfService"/>, or null when none is configured for it.</summary>
    public Icd10CmCodeSet? ReleaseFor(DateOnly dateOfService)
    {
        Icd10CmCodeSet? found = null;
        foreach (var release in _releases)
        {
            if (release.EffectiveFrom > dateOfService)
            {
                break;
            }

            found = release;
        }

        return found;
    }

    /// <summary>The structure check (<see cref="Icd10Cm.TryNormalize"/>).</summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, IcdCodeNotation notation, [NotNullWhen(true)] out string? code, out string reason) =>
        Icd10Cm.TryNormalize(text, notation, out code, out reason);

    /// <summary>Membership of a normalized code (upper case, no decimal point) in the release in effect on the
    /// date of service; true when no release covers that date.</summary>
    public bool IsValidOn(string compactCode, DateOnly dateOfService, out string reason)
    {
        ArgumentNullException.ThrowIfNull(compactCode);
        var release = ReleaseFor(dateOfService);
        if (release is null || release.Contains(compactCode))
        {
            reason = string.Empty;
            return true;
        }

        var effective = release.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        reason = release.IsHeader(compactCode)
            ? $"is a header in the ICD-10-CM code set in effect on the date of service (effective {effective}): a more specific code is required"
            : $"is not in the ICD-10-CM code set in effect on the date of service (effective {effective})";
        return false;
    }

    /// <summary>Structure, then membership on the date of service when one is given.</summary>
    public bool TryValidate(ReadOnlySpan<char> text, IcdCodeNotation notation, DateOnly? dateOfService, [NotNullWhen(true)] out string? code, out string reason)
    {
        if (!Icd10Cm.TryNormalize(text, notation, out code, out reason))
        {
            return false;
        }

        if (dateOfService is { } date && !IsValidOn(code, date, out reason))
        {
            code = null;
            return false;
        }

        return true;
    }
}
