using System.Globalization;
using System.Text;
using Mets.Claims.Tests.Reading.Csv;

namespace Mets.Claims.Tests;

/// <summary>Builds METS claims CSV text for scenarios.</summary>
internal sealed class ClaimsCsvBuilder
{
    private readonly StringBuilder _text = new(ClaimsCsvReaderTests.Header + "\n");

    public ClaimsCsvBuilder Inpatient(string claimId, string member, string admit, string discharge, string dx1, decimal paid = 5000m, string frequency = "original", string revenue = "0124") =>
        Row(claimId, 1, member, "institutional", admit, discharge, admit: admit, discharge: discharge, billType: "111", revenue: revenue, dx1: dx1, paid: paid, frequency: frequency);

    public ClaimsCsvBuilder EmergencyVisit(string claimId, string member, string date, string dx1, string? dx2 = null, decimal paid = 800m) =>
        Row(claimId, 1, member, "institutional", date, billType: "131", revenue: "0450", procedure: "99284", dx1: dx1, dx2: dx2, paid: paid);

    public ClaimsCsvBuilder Visit(string claimId, string member, string date, string dx1, string procedure = "90837", string pos = "11", string? taxonomy = "1041C0700X", decimal paid = 120m, string frequency = "original") =>
        Row(claimId, 1, member, "professional", date, pos: pos, procedure: procedure, dx1: dx1, taxonomy: taxonomy, paid: paid, frequency: frequency);

    public ClaimsCsvBuilder Fill(string claimId, string member, string date, string ndc, int days, decimal paid = 25m) =>
        Row(claimId, 1, member, "pharmacy", date, ndc: ndc, days: days, paid: paid);

    public ClaimsCsvBuilder Row(string claimId, int line, string member, string type, string from, string? to = null, string? admit = null, string? discharge = null,
        string? pos = null, string? billType = null, string? revenue = null, string? procedure = null, string? dx1 = null, string? dx2 = null,
        string? taxonomy = null, string? ndc = null, int? days = null, decimal paid = 0m, string frequency = "original")
    {
        string[] values =
        [
            claimId, line.ToString(CultureInfo.InvariantCulture), frequency, member, type, from, to ?? string.Empty, admit ?? string.Empty, discharge ?? string.Empty,
            pos ?? string.Empty, billType ?? string.Empty, revenue ?? string.Empty, procedure ?? string.Empty, string.Empty, dx1 ?? string.Empty, dx2 ?? string.Empty, string.Empty,
            "1234567893", "1234567893", taxonomy ?? string.Empty, ndc ?? string.Empty, days?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, "1",
            paid.ToString(CultureInfo.InvariantCulture), paid.ToString(CultureInfo.InvariantCulture), "paid",
        ];
        _text.Append(string.Join(',', values)).Append('\n');
        return this;
    }

    public ClaimsCsvBuilder Raw(string line)
    {
        _text.Append(line).Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    public MemoryStream ToStream() => TestFiles.Text(ToString());
}
