using Mets.Claims.Analytics;

namespace Mets.Claims.Tests.Analytics;

/// <summary>Builds classified claims for analytics tests.</summary>
internal static class ClaimFactory
{
    private static readonly ClaimClassifier Classifier = new(BhCodeSets.Default);

    public static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    public static ClassifiedClaim Stay(string id, string admit, string discharge, string dx, string revenue = "0124", string billType = "111", string? pos = null) =>
        Classifier.Classify(new Claim(id, ClaimFrequency.Original, "M1", ClaimType.Institutional, D(admit), D(discharge), pos, billType,
            [new DiagnosisCode(dx, DiagnosisCodeSystem.Icd10Cm)], null, [Line(D(admit), D(discharge), pos: pos, revenue: revenue)]));

    /// <summary>The same claim as a file that gives the member's date of birth would bring it.</summary>
    public static ClassifiedClaim Born(this ClassifiedClaim claim, string birthDate) =>
        Classifier.Classify(claim.Claim with { MemberBirthDate = D(birthDate) });

    public static ClassifiedClaim Emergency(string id, string date, params string[] dx) =>
        Classifier.Classify(new Claim(id, ClaimFrequency.Original, "M1", ClaimType.Institutional, null, null, null, "131",
            dx.Select(d => new DiagnosisCode(d, DiagnosisCodeSystem.Icd10Cm)).ToList(), null, [Line(D(date), D(date), revenue: "0450", procedure: "99284")]));

    public static ClassifiedClaim Visit(string id, string date, string dx, string procedure = "90834", string pos = "11", string? taxonomy = "1041C0700X") =>
        Classifier.Classify(new Claim(id, ClaimFrequency.Original, "M1", ClaimType.Professional, null, null, pos, null,
            [new DiagnosisCode(dx, DiagnosisCodeSystem.Icd10Cm)], null, [Line(D(date), D(date), pos: pos, procedure: procedure, taxonomy: taxonomy)]));

    public static ClassifiedClaim Fill(string id, string date, string ndc, int days) =>
        Classifier.Classify(new Claim(id, ClaimFrequency.Original, "M1", ClaimType.Pharmacy, null, null, null, null, [], null,
            [new ClaimLine(1, D(date), D(date), null, null, null, [], null, null, ndc, days, 30, null, 10m, ClaimLineStatus.Paid)]));

    public static ClaimLine Line(DateOnly from, DateOnly to, string? pos = null, string? revenue = null, string? procedure = null, string? taxonomy = null, decimal paid = 100m) =>
        new(1, from, to, pos, revenue, procedure, [], "1234567893", taxonomy, null, null, 1, null, paid, ClaimLineStatus.Paid);
}
