using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>Claims files reach the host by upload (202 + status URI, processed in the background) and through the inbox folder.</summary>
[Collection(HostProcessGroup.Name)]
public class ClaimsIntakeTests
{
    private const string Header = "claim_id,line_number,claim_frequency,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,modifiers,dx1,dx2,rendering_npi,billing_npi,rendering_taxonomy,ndc,days_supply,quantity,allowed_amount,paid_amount,status";

    private static string ClaimsCsv(string member, string claimPrefix) => string.Join('\n',
        Header,
        $"{claimPrefix}1,1,original,{member},professional,2026-02-10,,,,11,,,90837,95,F33.2,F41.1,1234567893,1234567893,1041C0700X,,,1,160.00,128.00,paid",
        $"{claimPrefix}2,1,original,{member},professional,2026-02-17,,,,11,,,90834,,F33.2,,1234567893,1234567893,1041C0700X,,,1,120.00,100.00,paid") + "\n";

    /// <summary>A one-claim 837P interchange (ISA exactly 106 characters).</summary>
    private static string X12(string control) => string.Join("~\n",
        $"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*METSPLAN       *260301*1200*^*00501*{control}*0*T*:",
        "GS*HC*SUBMITTER*METSPLAN*20260301*1200*1*X*005010X222A1",
        "ST*837*0001*005010X222A1",
        "HL*1**20*1",
        "NM1*85*2*CLINIC*****XX*1234567893",
        "HL*2*1*22*0",
        "NM1*IL*1*DOE*JANE****MI*M000905",
        "CLM*X12-1*100***11:B:1*Y*A*Y*Y",
        "HI*ABK:F331",
        "LX*1",
        "SV1*HC:90837*100*UN*1***1",
        "DTP*472*D8*20260210",
        "SE*11*0001",
        "GE*1*1",
        $"IEA*1*{control}") + "~\n";

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static Task<JsonElement> WaitForFileStatusAsync(HttpClient client, string key, string id, string status, LocalHostProcess host) =>
        WaitForAsync<JsonElement?>(async () =>
        {
            var (code, body, _) = await SendAsync(client, Request(HttpMethod.Get, $"/api/claims/files/{id}", key));
            return code == HttpStatusCode.OK && body.GetProperty("status").GetString() == status ? body : null;
        }, TimeSpan.FromSeconds(30), $"claims file {id[..12]} to be {status}", () => host.Output).ContinueWith(t => t.Result!.Value, TaskScheduler.Default);

    private static Task<string> WaitForFileAsync(string folder, string name, LocalHostProcess host) =>
        WaitForAsync(() => Task.FromResult(File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name) : null),
            TimeSpan.FromSeconds(30), $"{name} in {folder}", () => host.Output);

    [Fact]
    public async Task Upload_Answers202WithStatusUri_ProcessedInTheBackground()
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();
        var csv = ClaimsCsv("M000901", "UP");

        var (status, accepted, response) = await SendAsync(client, Request(HttpMethod.Post, "/api/claims?fileName=february.csv", host.ApiKey, new StringContent(csv, Encoding.UTF8, "text/csv")));

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal(Sha256(csv), id);
        Assert.Equal($"/api/claims/files/{id}", accepted.GetProperty("statusUri").GetString());
        Assert.Equal($"/api/claims/files/{id}", response.Headers.Location?.ToString());
        var done = await WaitForFileStatusAsync(client, host.ApiKey, id, "processed", host);
        Assert.Equal("february.csv", done.GetProperty("fileName").GetString());
        Assert.Equal(2, done.GetProperty("counts").GetProperty("claimsAccepted").GetInt32());
        Assert.Equal(0, done.GetProperty("counts").GetProperty("claimsRejected").GetInt32());
        await WaitForFileAsync(Path.Combine(host.DataFolder, "claims", "processed"), "february.csv", host);

        var (unknown, _, _) = await SendAsync(client, Request(HttpMethod.Get, $"/api/claims/files/{new string('0', 64)}", host.ApiKey));
        Assert.Equal(HttpStatusCode.NotFound, unknown);
    }

    [Fact]
    public async Task InboxFolder_FilesPresentAtStartAndDroppedLater_AreProcessedOrQuarantined()
    {
        var dataFolder = Directory.CreateTempSubdirectory("mets-local-inbox-").FullName;
        var inbox = Path.Combine(dataFolder, "claims", "inbox");
        Directory.CreateDirectory(inbox);
        var atStart = ClaimsCsv("M000902", "ST");
        await File.WriteAllTextAsync(Path.Combine(inbox, "present-at-start.csv"), atStart);

        await using var host = await LocalHostProcess.StartAsync(dataFolder);
        using var client = host.CreateClient();
        var processed = Path.Combine(dataFolder, "claims", "processed");
        var quarantine = Path.Combine(dataFolder, "claims", "quarantine");
        await WaitForFileAsync(processed, "present-at-start.csv", host);
        await WaitForFileStatusAsync(client, host.ApiKey, Sha256(atStart), "processed", host);

        var later = ClaimsCsv("M000903", "LT");
        await File.WriteAllTextAsync(Path.Combine(inbox, "dropped-later.csv"), later);
        await WaitForFileAsync(processed, "dropped-later.csv", host);

        // An X12 file gets its acknowledgment beside it (a 999, or a TA1 for a broken envelope), outside the watched inbox.
        var x12 = X12("000000905");
        await File.WriteAllTextAsync(Path.Combine(inbox, "claims.837"), x12);
        var ack999 = await WaitForFileAsync(processed, "claims.837.999", host);
        Assert.Contains("AK9*A*1*1*1~", await File.ReadAllTextAsync(ack999), StringComparison.Ordinal);
        // The same text over HTTP, linked from the file's status.
        var x12Status = await WaitForFileStatusAsync(client, host.ApiKey, Sha256(x12), "processed", host);
        Assert.Equal(1, x12Status.GetProperty("claimsApplied").GetInt32());
        var link = x12Status.GetProperty("acknowledgment").GetProperty("uri").GetString()!;
        using (var download = await client.SendAsync(Request(HttpMethod.Get, link, host.ApiKey)))
        {
            Assert.Equal((HttpStatusCode.OK, "application/edi-x12", "attachment", "claims.837.999"),
                (download.StatusCode, download.Content.Headers.ContentType?.MediaType, download.Content.Headers.ContentDisposition?.DispositionType, download.Content.Headers.ContentDisposition?.FileName?.Trim('"')));
            Assert.Equal(await File.ReadAllTextAsync(ack999), await download.Content.ReadAsStringAsync());
        }

        var (csvAcknowledgment, _, _) = await SendAsync(client, Request(HttpMethod.Get, $"/api/claims/files/{Sha256(later)}/acknowledgment", host.ApiKey));
        Assert.Equal(HttpStatusCode.NotFound, csvAcknowledgment);
        var brokenX12 = X12("000000906").Replace("IEA*1*000000906", "IEA*1*000000907", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(inbox, "broken.837"), brokenX12);
        var ta1 = await WaitForFileAsync(quarantine, "broken.837.ta1", host);
        Assert.Contains("TA1*000000906*260301*1200*R*001~", await File.ReadAllTextAsync(ta1), StringComparison.Ordinal);

        // A file missing a required column is refused whole, with its report beside it.
        const string broken = "claim_id,line_number,member_id\nB1,1,M000904\n";
        await File.WriteAllTextAsync(Path.Combine(inbox, "broken.csv"), broken);
        await WaitForFileAsync(quarantine, "broken.csv", host);
        var report = await WaitForFileAsync(quarantine, "broken.csv.report.json", host);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report)))
        {
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("reason").GetString()));
        }

        var status = await WaitForFileStatusAsync(client, host.ApiKey, Sha256(broken), "quarantined", host);
        Assert.False(string.IsNullOrEmpty(status.GetProperty("quarantineReason").GetString()));
        Assert.Empty(Directory.GetFiles(inbox));
        // The inbox processes one file at a time in arrival order: broken.csv came after the acknowledgments, so had
        // one of them been taken for a claims file it would be known by now.
        foreach (var acknowledgment in new[] { ack999, ta1 })
        {
            var (code, _, _) = await SendAsync(client, Request(HttpMethod.Get, $"/api/claims/files/{Sha256(await File.ReadAllTextAsync(acknowledgment))}", host.ApiKey));
            Assert.Equal(HttpStatusCode.NotFound, code);
        }

        Assert.Equal(["claims.837", "claims.837.999", "dropped-later.csv", "present-at-start.csv"], Directory.GetFiles(processed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
