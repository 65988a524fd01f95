using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Mets.Local.Chaos;

/// <summary>A claims CSV the run drops into the inbox folder, and what processing it must come to.</summary>
public sealed record ClaimsDrop(string FileName, string Content, int Claims)
{
    /// <summary>The file's id over HTTP (<c>GET /api/claims/files/{id}</c>): the SHA-256 of its content.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Content)));
}

/// <summary>
/// Small valid claims files (docs/claims-csv.md) for members no engagement script uses, dropped into
/// <c>claims/inbox</c> at random moments (written under a hidden name and renamed in, as a careful sender does).
/// Each must end processed exactly once: in <c>claims/processed</c> once, nowhere else, and <c>processed</c> over HTTP
/// with every claim applied.
/// </summary>
public static class ClaimsDrops
{
    private const string Header = "claim_id,line_number,claim_frequency,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,modifiers,dx1,dx2,rendering_npi,billing_npi,rendering_taxonomy,ndc,days_supply,quantity,allowed_amount,paid_amount,status";

    public static IReadOnlyList<ClaimsDrop> Create(int count) =>
        [.. Enumerable.Range(1, count).Select(n =>
        {
            var claims = 2 + (n % 3);
            var lines = Enumerable.Range(1, claims).Select(c => string.Create(CultureInfo.InvariantCulture,
                $"CHAOS{n:D3}-{c},1,original,CLAIMS-{n:D3}-{c % 2},professional,2026-10-{10 + c:D2},,,,11,,,90837,95,F33.2,F41.1,1234567893,1234567893,1041C0700X,,,1,160.00,128.00,paid"));
            return new ClaimsDrop($"chaos-claims-{n:D3}.csv", string.Join('\n', lines.Prepend(Header)) + "\n", claims);
        })];

    /// <summary>Writes the file under a hidden temporary name in the inbox and renames it into place.</summary>
    public static async Task DropAsync(string dataFolder, ClaimsDrop drop)
    {
        var inbox = Path.Combine(dataFolder, "claims", "inbox");
        var temporary = Path.Combine(inbox, "." + drop.FileName + ".tmp");
        await File.WriteAllTextAsync(temporary, drop.Content);
        File.Move(temporary, Path.Combine(inbox, drop.FileName));
    }

    /// <summary>Checks each file was processed exactly once: once in processed/, never in quarantine/ or left in the inbox, processed over HTTP with every claim applied.</summary>
    public static async Task CheckAsync(IReadOnlyList<ClaimsDrop> drops, ChaosHost host, ChaosClient client, ChaosReport report, CancellationToken cancellationToken)
    {
        var claims = Path.Combine(host.DataFolder, "claims");
        foreach (var drop in drops)
        {
            var copies = Directory.GetFiles(Path.Combine(claims, "processed"), "*" + drop.FileName)
                .Concat(Directory.GetFiles(Path.Combine(claims, "quarantine"), "*" + drop.FileName))
                .Concat(Directory.GetFiles(Path.Combine(claims, "inbox"), "*" + drop.FileName))
                .Select(p => Path.GetRelativePath(claims, p))
                .ToList();
            var status = await client.GetAsync($"/api/claims/files/{drop.Id}", cancellationToken);
            var state = EngagementDriver.Text(status.Json, "status");
            var applied = status.Json.ValueKind == System.Text.Json.JsonValueKind.Object && status.Json.TryGetProperty("claimsApplied", out var a) ? a.GetInt32() : -1;
            var problems = new List<string>();
            if (copies.Count != 1 || copies[0] != Path.Combine("processed", drop.FileName))
            {
                problems.Add($"expected once in processed/, found [{string.Join(", ", copies)}]");
            }

            if (status.Status != HttpStatusCode.OK || state != "processed" || applied != drop.Claims)
            {
                problems.Add($"expected status processed with {drop.Claims} claims applied, GET answered {status.Describe()} ({state ?? "no status"}, {applied} applied)");
            }

            if (problems.Count == 0)
            {
                report.ClaimsProcessed++;
            }

            problems.ForEach(p => report.Fail($"claims file {drop.FileName}: {p}"));
        }
    }
}
