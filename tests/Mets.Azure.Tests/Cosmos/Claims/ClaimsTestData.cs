using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mets.Claims;
using Mets.Claims.Analytics;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Azure.Tests.Cosmos.Claims;

/// <summary>Claims, hashes and comparable texts for the claims store tests.</summary>
internal static class ClaimsTestData
{
    public static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly AsOf = new(2026, 3, 10);

    /// <summary>A stand-in content hash (64 hex characters) for a named test file.</summary>
    public static string Hash(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    public static DateOnly D(string iso) => DateOnly.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>An outpatient therapy visit (BH procedure, MH taxonomy).</summary>
    public static Claim Visit(string claimId, string member, string date, decimal paid = 120m, ClaimFrequency frequency = ClaimFrequency.Original) =>
        new(claimId, frequency, member, ClaimType.Professional, null, null, "11", null, [new DiagnosisCode("F331", DiagnosisCodeSystem.Icd10Cm)], "1234567893",
            [new ClaimLine(1, D(date), D(date), "11", null, "90837", ["95"], "1234567893", "1041C0700X", null, null, 1m, paid + 10.25m, paid, ClaimLineStatus.Paid)]);

    /// <summary>A psychiatric inpatient stay (bill type 111, revenue 0124) with two lines; the file gave the member's birth date.</summary>
    public static Claim Stay(string claimId, string member, string admit, string discharge, decimal paid = 5000.50m, ClaimFrequency frequency = ClaimFrequency.Original) =>
        new(claimId, frequency, member, ClaimType.Institutional, D(admit), D(discharge), null, "111",
            [new DiagnosisCode("F322", DiagnosisCodeSystem.Icd10Cm), new DiagnosisCode("2962", DiagnosisCodeSystem.Icd9Cm)], "1234567893",
            [
                new ClaimLine(1, D(admit), D(discharge), null, "0124", null, [], null, null, null, null, 4m, null, paid, ClaimLineStatus.Paid),
                new ClaimLine(2, D(admit), D(admit), null, "0450", "99284", [], null, null, null, null, null, null, 0m, ClaimLineStatus.Denied),
            ])
        { MemberBirthDate = D("1990-04-12") };

    /// <summary>A pharmacy fill.</summary>
    public static Claim Fill(string claimId, string member, string date, decimal paid = 25.10m) =>
        new(claimId, ClaimFrequency.Original, member, ClaimType.Pharmacy, null, null, null, null, [], null,
            [new ClaimLine(1, D(date), D(date), null, null, null, [], null, null, "59148000810", 30, 30.5m, null, paid, ClaimLineStatus.Paid)]);

    /// <summary>Everything a claim holds (the member's birth date too), amounts normalized (100.50 = 100.5), for comparing claims read back.</summary>
    public static string Text(Claim claim) =>
        string.Join('|', claim.ClaimId, claim.Frequency, claim.MemberId, claim.MemberBirthDate, claim.Type, claim.AdmissionDate, claim.DischargeDate, claim.PlaceOfService, claim.BillType,
            string.Join(',', claim.Diagnoses.Select(d => $"{d.Code}/{d.System}")), claim.BillingNpi,
            string.Join(';', claim.Lines.Select(l => string.Join('/', l.LineNumber, l.ServiceFrom, l.ServiceTo, l.PlaceOfService, l.RevenueCode, l.ProcedureCode,
                string.Join(':', l.Modifiers), l.RenderingNpi, l.RenderingTaxonomy, l.Ndc, l.DaysSupply, Amount(l.Quantity), Amount(l.AllowedAmount), Amount(l.PaidAmount), l.Status))));

    public static string Text(CareGap gap) =>
        string.Join('|', gap.Id, gap.MemberId, gap.Measure, gap.IndexDate, gap.WindowStart, gap.WindowEnd, gap.Status, gap.ClosedOn, string.Join(',', gap.Evidence));

    public static string Text(ClaimsTrigger trigger) =>
        string.Join('|', trigger.Id, trigger.MemberId, trigger.Kind, trigger.EventDate, trigger.WindowEnd, string.Join(',', trigger.EvidenceCodes));

    public static string Text(MemberMonth month) =>
        string.Join('|', month.MemberId, month.Month, month.Enrolled, month.BhInpatientStays, month.BhEmergencyVisits, month.OutpatientBhVisits,
            Amount(month.BhPaid), Amount(month.TotalPaid), month.AntipsychoticFills, month.AntidepressantFills, month.SubstanceUseMedicationFills, month.OtherFills);

    public static string Amount(decimal? value) => value?.ToString("0.##########", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>The current claims of every member after applying files in order (the port's documented rules:
    /// later versions supersede, a void withdraws, an original never revives a voided claim).</summary>
    public static Dictionary<string, List<string>> CurrentClaims(params IReadOnlyList<Claim>[] files)
    {
        var current = new Dictionary<string, (bool Void, Claim Claim)>(StringComparer.Ordinal);
        foreach (var claim in files.SelectMany(f => f))
        {
            if (current.TryGetValue(claim.ClaimId, out var state) && state.Void && claim.Frequency == ClaimFrequency.Original)
            {
                continue;
            }

            current[claim.ClaimId] = (claim.Frequency == ClaimFrequency.Void, claim);
        }

        return current.Values.Where(s => !s.Void).GroupBy(s => s.Claim.MemberId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Claim.ClaimId, StringComparer.Ordinal).Select(s => Text(s.Claim)).ToList(), StringComparer.Ordinal);
    }
}

/// <summary>The real ingest (reader, analytics, ingestor) over any claims store, with a fake clock.</summary>
internal sealed class IngestHarness(IClaimsStore store, ClaimsIngestionOptions? options = null, IEngagedMemberDirectory? engaged = null)
{
    public FakeTimeProvider Time { get; } = new(ClaimsTestData.Now);

    public IClaimsStore Store { get; } = store;

    public ClaimsFileIngestor Ingestor => new(
        Store, new ClaimClassifier(BhCodeSets.Default), new MemberAnalyzer(new ClaimsAnalyticsOptions()), engaged ?? new NoEngagedMembers(),
        Options.Create(options ?? new ClaimsIngestionOptions()), Time, NullLogger<ClaimsFileIngestor>.Instance);

    public Task<ClaimsFileResult> IngestAsync(string fileName, string content) =>
        Ingestor.IngestAsync(fileName, new MemoryStream(Encoding.UTF8.GetBytes(content)), CancellationToken.None);
}

/// <summary>Members with an open engagement.</summary>
internal sealed class EngagedMembers(params string[] members) : IEngagedMemberDirectory
{
    public ValueTask<bool> IsEngagedAsync(string memberId, CancellationToken cancellationToken) => ValueTask.FromResult(members.Contains(memberId));
}

/// <summary>Builds METS claims CSV text (the layout of docs/claims-csv.md; copied from Mets.Claims.Tests).</summary>
internal sealed class ClaimsCsvBuilder
{
    public const string Header =
        "claim_id,line_number,claim_frequency,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,modifiers,dx1,dx2,dx3,rendering_npi,billing_npi,rendering_taxonomy,ndc,days_supply,quantity,allowed_amount,paid_amount,status";

    private readonly StringBuilder _text = new(Header + "\n");

    public ClaimsCsvBuilder Inpatient(string claimId, string member, string admit, string discharge, string dx1, decimal paid = 5000m, string frequency = "original") =>
        Row(claimId, member, "institutional", admit, admit: admit, discharge: discharge, billType: "111", revenue: "0124", dx1: dx1, paid: paid, frequency: frequency);

    public ClaimsCsvBuilder EmergencyVisit(string claimId, string member, string date, string dx1, decimal paid = 800m, string frequency = "original") =>
        Row(claimId, member, "institutional", date, billType: "131", revenue: "0450", procedure: "99284", dx1: dx1, paid: paid, frequency: frequency);

    public ClaimsCsvBuilder Visit(string claimId, string member, string date, string dx1, decimal paid = 120m, string frequency = "original") =>
        Row(claimId, member, "professional", date, pos: "11", procedure: "90837", dx1: dx1, taxonomy: "1041C0700X", paid: paid, frequency: frequency);

    public ClaimsCsvBuilder Fill(string claimId, string member, string date, string ndc, int days, decimal paid = 25m) =>
        Row(claimId, member, "pharmacy", date, ndc: ndc, days: days, paid: paid);

    public override string ToString() => _text.ToString();

    private ClaimsCsvBuilder Row(string claimId, string member, string type, string from, string? admit = null, string? discharge = null, string? pos = null,
        string? billType = null, string? revenue = null, string? procedure = null, string? dx1 = null, string? taxonomy = null, string? ndc = null, int? days = null,
        decimal paid = 0m, string frequency = "original")
    {
        string[] values =
        [
            claimId, "1", frequency, member, type, from, string.Empty, admit ?? string.Empty, discharge ?? string.Empty,
            pos ?? string.Empty, billType ?? string.Empty, revenue ?? string.Empty, procedure ?? string.Empty, string.Empty, dx1 ?? string.Empty, string.Empty, string.Empty,
            "1234567893", "1234567893", taxonomy ?? string.Empty, ndc ?? string.Empty, days?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, "1",
            paid.ToString(CultureInfo.InvariantCulture), paid.ToString(CultureInfo.InvariantCulture), "paid",
        ];
        _text.Append(string.Join(',', values)).Append('\n');
        return this;
    }

    /// <summary>A mixed file: psychiatric stays, therapy visits, BH ED visits and antipsychotic fills over <paramref name="members"/> members.</summary>
    public static string Scenario(int claims, int members, string prefix = "")
    {
        var builder = new ClaimsCsvBuilder();
        for (var i = 0; i < claims; i++)
        {
            var member = $"M{i % members}";
            var day = 1 + (i % 27);
            switch (i % 4)
            {
                case 0:
                    builder.Inpatient($"{prefix}S{i}", member, $"2026-02-{day:00}", $"2026-02-{Math.Min(28, day + 1):00}", "F33.1");
                    break;
                case 1:
                    builder.Visit($"{prefix}V{i}", member, $"2026-03-{Math.Min(9, 1 + (day % 9)):00}", "F33.1");
                    break;
                case 2:
                    builder.EmergencyVisit($"{prefix}E{i}", member, $"2026-03-{Math.Min(9, 1 + (day % 9)):00}", "F20.0");
                    break;
                default:
                    builder.Fill($"{prefix}R{i}", member, $"2026-01-{day:00}", "59148000810", 30);
                    break;
            }
        }

        return builder.ToString();
    }
}
