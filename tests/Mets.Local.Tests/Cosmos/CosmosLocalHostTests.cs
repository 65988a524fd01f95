using System.Net;
using System.Text;
using Mets.Azure.Cosmos;
using Mets.Azure.Tests.Cosmos;
using Mets.Local.Tests.Hosting;
using Microsoft.Azure.Cosmos;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests.Cosmos;

/// <summary>
/// The built local host with a <c>Cosmos</c> section pointing at the Cosmos DB test server (@vercel/cosmosdb-server):
/// the case store, the claims store and the sent-email ledger are the Cosmos adapters, and a whole engagement plus a
/// claims file run over HTTP on them. What the API shows is read back from the server itself.
/// </summary>
[Collection(HostProcessGroup.Name)]
public sealed class CosmosLocalHostTests(CosmosServerFixture server) : IClassFixture<CosmosServerFixture>
{
    private const string ClaimsCsv =
        "claim_id,line_number,claim_frequency,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,modifiers,dx1,dx2,rendering_npi,billing_npi,rendering_taxonomy,ndc,days_supply,quantity,allowed_amount,paid_amount,status\n" +
        "CZ1,1,original,M000977,professional,2026-02-10,,,,11,,,90837,95,F33.2,F41.1,1234567893,1234567893,1041C0700X,,,1,160.00,128.00,paid\n" +
        "CZ2,1,original,M000977,professional,2026-02-17,,,,11,,,90834,,F33.2,,1234567893,1234567893,1041C0700X,,,1,120.00,100.00,paid\n";

    [Fact]
    public async Task LocalHost_WithCosmosSection_RunsAnEngagementAndAClaimsFileOnCosmos()
    {
        var options = server.Options();
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Cosmos__Endpoint"] = options.Endpoint!.ToString(),
            ["Cosmos__Database"] = options.Database,
            ["Cosmos__Key"] = options.Key!,
            ["Cosmos__TestServer"] = "true",
            ["Cosmos__CreateIfNotExists"] = "true",
        });
        using var client = host.CreateClient();
        var key = host.ApiKey;
        Assert.Contains($"Cosmos DB database '{options.Database}'", host.Output, StringComparison.Ordinal);

        // Referral -> assessment -> review 1 -> closure, all over HTTP.
        var (status, accepted, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-COSMOS-1", "PLAN:COSMOS0001"));
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted.GetProperty("id").GetString()!;
        var (againStatus, again, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-COSMOS-1", "PLAN:COSMOS0001"));
        Assert.Equal(HttpStatusCode.Accepted, againStatus);
        Assert.Equal(id, again.GetProperty("id").GetString());
        await WaitForStepAsync(client, key, id, "assessment", diagnostics: () => host.Output);
        var (assessed, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/assessment", key, EngagementLifecycleTests.Assessment);
        Assert.Equal(HttpStatusCode.Accepted, assessed);
        await WaitForStepAsync(client, key, id, "review", 1, () => host.Output);
        await WaitForEmailAsync(host.DataFolder, "-request", () => host.Output);
        var queue = await GetJsonAsync(client, "/api/engagements?status=open&clinician=local.user", key);
        Assert.Contains(queue.EnumerateArray(), e => e.GetProperty("id").GetString() == id);
        var (closing, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/closure", key, """{ "reason": "goalsMet" }""");
        Assert.Equal(HttpStatusCode.Accepted, closing);
        var closed = await WaitForStepAsync(client, key, id, "closed", diagnostics: () => host.Output);
        Assert.Equal("goalsMet", closed.GetProperty("outcome").GetProperty("reason").GetString());

        // A claims file: ingested into the Cosmos claims store.
        var (uploaded, file, _) = await SendAsync(client, Request(HttpMethod.Post, "/api/claims?fileName=cosmos.csv", key, new StringContent(ClaimsCsv, Encoding.UTF8, "text/csv")));
        Assert.Equal(HttpStatusCode.Accepted, uploaded);
        var hash = file.GetProperty("id").GetString()!;
        var done = await WaitForAsync<System.Text.Json.JsonElement?>(async () =>
        {
            var (code, body, _) = await SendAsync(client, Request(HttpMethod.Get, $"/api/claims/files/{hash}", key));
            return code == HttpStatusCode.OK && body.GetProperty("status").GetString() == "processed" ? body : null;
        }, TimeSpan.FromSeconds(60), "the claims file to be processed", () => host.Output);
        Assert.Equal(2, done!.Value.GetProperty("counts").GetProperty("claimsAccepted").GetInt32());

        // What the API showed lives in Cosmos DB, not in SQLite files in the data folder.
        using var cosmos = CosmosServerFixture.CreateClient(options);
        var database = cosmos.GetDatabase(options.Database);
        using (var caseItem = await database.GetContainer(CosmosLayout.Cases.Name).ReadItemStreamAsync("case", new PartitionKey(id)))
        {
            Assert.Equal(HttpStatusCode.OK, caseItem.StatusCode);
        }

        using (var fileItem = await database.GetContainer(CosmosLayout.ClaimsFiles.Name).ReadItemStreamAsync("file", new PartitionKey(hash)))
        {
            Assert.Equal(HttpStatusCode.OK, fileItem.StatusCode);
        }

        Assert.False(File.Exists(Path.Combine(host.DataFolder, "mets-cases.db")), "the SQLite case store was used");
        Assert.False(File.Exists(Path.Combine(host.DataFolder, "mets-claims.db")), "the SQLite claims store was used");
    }
}
