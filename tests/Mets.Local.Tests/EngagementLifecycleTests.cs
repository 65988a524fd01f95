using System.Net;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>
/// The whole engagement over HTTP against the built host: referral -> assessment -> the provider
/// answers through the signed link read from the .eml in the outbox -> review -> closure. Sentinel
/// values prove that member details never reach the host's output.
/// </summary>
[Collection(HostProcessGroup.Name)]
public class EngagementLifecycleTests
{
    private const string SentinelMember = "PLAN:ZQSENTINEL4711";
    private const string SentinelGoal = "Sentinel goal QXJ-3391 walk daily";
    private const string SentinelProvider = "Dr Sentinel Quillfeather";

    internal static string Referral(string referralId, string memberId, string providerName = "Dr Avery Stone", string npi = "1234567893", bool consent = false) => $$"""
        {
          "referralId": "{{referralId}}",
          "memberId": "{{memberId}}",
          "source": "treatingProvider",
          "reason": "clinicalConcern",
          "diagnoses": ["F32.1", "F11.20"],
          "treatingProviders": [ { "name": "{{providerName}}", "npi": "{{npi}}", "email": "provider@clinic.example", "role": "psychiatry" } ],
          "consentToShareSubstanceUseInformation": {{(consent ? "true" : "false")}}
        }
        """;

    internal const string Assessment = $$"""
        {
          "scores": { "phq9": [1, 2, 1, 1, 2, 1, 1, 1, 0], "gad7": [1, 1, 1, 1, 1, 1, 1], "barriers": ["medicationNonadherence"] },
          "memberStatedGoals": ["{{SentinelGoal}}"]
        }
        """;

    [Fact]
    public async Task Engagement_ReferralToClosure_OverHttpOnly()
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();
        var key = host.ApiKey;

        // Referral: 202 with Location and { id, statusUri }; a GET right after finds it.
        var (status, accepted, response) = await PostJsonAsync(client, "/api/referrals", key, Referral("REF-LIFE-1", SentinelMember, SentinelProvider));
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/engagements/{id}", accepted.GetProperty("statusUri").GetString());
        Assert.Equal($"/api/engagements/{id}", response.Headers.Location?.ToString());
        Assert.DoesNotContain("runtime/webhooks", accepted.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, accepted.GetRawText(), StringComparison.Ordinal);

        // The same referral again is the same engagement.
        var (againStatus, again, _) = await PostJsonAsync(client, "/api/referrals", key, Referral("REF-LIFE-1", SentinelMember, SentinelProvider));
        Assert.Equal(HttpStatusCode.Accepted, againStatus);
        Assert.Equal(id, again.GetProperty("id").GetString());

        // The same referral id with a different body is a conflict; another referral for the member joins the open engagement.
        var (reused, reusedProblem, _) = await PostJsonAsync(client, "/api/referrals", key, Referral("REF-LIFE-1", "PLAN:OTHER0001"));
        Assert.Equal(HttpStatusCode.Conflict, reused);
        Assert.Equal("ReferralIdReused", reusedProblem.GetProperty("code").GetString());
        var (attachedStatus, attached, _) = await PostJsonAsync(client, "/api/referrals", key, Referral("REF-LIFE-2", SentinelMember, SentinelProvider));
        Assert.Equal(HttpStatusCode.Accepted, attachedStatus);
        Assert.Equal(id, attached.GetProperty("id").GetString());

        await WaitForStepAsync(client, key, id, "assessment", diagnostics: () => host.Output);

        // A review before the assessment is not at this step: 409 problem details with a code.
        var (early, earlyProblem, earlyResponse) = await PostJsonAsync(client, $"/api/engagements/{id}/reviews", key, """{ "reviewNumber": 1 }""");
        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Equal("application/problem+json", MediaType(earlyResponse)?.MediaType);
        Assert.Equal("NotExpectedNow", earlyProblem.GetProperty("code").GetString());

        // Assessment: the clinician is the key's user; outreach emails the provider.
        var (assessed, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/assessment", key, Assessment);
        Assert.Equal(HttpStatusCode.Accepted, assessed);
        var engagement = await WaitForStepAsync(client, key, id, "review", 1, () => host.Output);
        Assert.Contains(engagement.GetProperty("timeline").EnumerateArray(),
            e => e.GetProperty("kind").GetString() == "assessmentCompleted" && e.GetProperty("actorId").GetString() == "local.user");
        Assert.Equal(SentinelGoal, engagement.GetProperty("memberStatedGoals")[0].GetString());

        // The provider opens the signed link from the .eml and answers through the page's form.
        var email = await WaitForEmailAsync(host.DataFolder, "-request", () => host.Output);
        var link = ProviderLinkPath(email);
        using (var page = await client.GetAsync(new Uri(link, UriKind.Relative)))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<form method=\"post\">", html, StringComparison.Ordinal);
            Assert.Contains("F32.1", html, StringComparison.Ordinal);
            Assert.DoesNotContain("F11.20", html, StringComparison.Ordinal); // substance use: no consent recorded
            Assert.Contains("42 CFR Part 2", html, StringComparison.Ordinal);
            Assert.DoesNotContain(SentinelMember, html, StringComparison.Ordinal);
            Assert.DoesNotContain("ZQSENTINEL4711", html, StringComparison.Ordinal);
            Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
            Assert.Contains("no-referrer", page.Headers.GetValues("Referrer-Policy"));
        }

        using (var answer = await client.PostAsync(new Uri(link, UriKind.Relative), Form(("response", "willCollaborate"))))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("Your response was recorded", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await WaitForAsync<JsonElement?>(async () =>
        {
            var read = await GetJsonAsync(client, $"/api/engagements/{id}", key);
            return read.GetProperty("outreach")[0].GetProperty("response").ValueKind == JsonValueKind.String ? read : null;
        }, TimeSpan.FromSeconds(30), "the provider response on the case", () => host.Output);

        // A later visit shows the recorded response and no form; a second answer is refused.
        using (var later = await client.GetAsync(new Uri(link, UriKind.Relative)))
        {
            var html = await later.Content.ReadAsStringAsync();
            Assert.Contains("Recorded: <strong>I will collaborate", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<form", html, StringComparison.Ordinal);
        }

        var (second, secondProblem, _) = await SendAsync(client, Request(HttpMethod.Post, link, content: Json("""{ "response": "declinedToCollaborate" }""")));
        Assert.Equal(HttpStatusCode.Conflict, second);
        Assert.Equal("AlreadyResponded", secondProblem.GetProperty("code").GetString());

        // An altered token is refused.
        using (var altered = await client.GetAsync(new Uri(link[..^3] + "AAA", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, altered.StatusCode);
        }

        // Review 1, then the work queue, then closure.
        var (reviewed, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/reviews", key, """{ "reviewNumber": 1, "rescreen": { "phq9": [0,1,0,1,0,1,0,0,0] } }""");
        Assert.Equal(HttpStatusCode.Accepted, reviewed);
        await WaitForStepAsync(client, key, id, "review", 2, () => host.Output);

        var queue = await GetJsonAsync(client, "/api/queue?view=supervisor", key);
        Assert.Equal("supervisor", queue.GetProperty("view").GetString());
        var list = await GetJsonAsync(client, "/api/engagements?status=open&clinician=local.user", key);
        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("id").GetString() == id);

        var (closing, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/closure", key, """{ "reason": "goalsMet" }""");
        Assert.Equal(HttpStatusCode.Accepted, closing);
        var closed = await WaitForStepAsync(client, key, id, "closed", diagnostics: () => host.Output);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal("goalsMet", closed.GetProperty("outcome").GetProperty("reason").GetString());
        await WaitForEmailAsync(host.DataFolder, "closure", () => host.Output);

        // The timeline's audit: intact, and anchored in the data folder's anchor file up to its last entry, the closure
        // summary's note (saved after its email goes out, then anchored: the engagement is closed).
        var audit = (await WaitForAsync<JsonElement?>(async () =>
        {
            var timeline = (await GetJsonAsync(client, $"/api/engagements/{id}", key)).GetProperty("timeline");
            if (!timeline.EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "closureSummarySent"))
            {
                return null;
            }

            var read = await GetJsonAsync(client, $"/api/engagements/{id}/audit", key);
            return read.GetProperty("unanchoredEntries").GetInt32() == 0 && read.GetProperty("entries").GetInt32() == timeline.GetArrayLength() ? read : null;
        }, TimeSpan.FromSeconds(30), "the closed engagement's timeline anchored up to its closure summary", () => host.Output))!.Value;
        Assert.True(audit.GetProperty("intact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, audit.GetProperty("finding").ValueKind);
        Assert.Contains(id + "\t" + audit.GetProperty("latestAnchor").GetProperty("entryCount").GetInt32() + "\t" + audit.GetProperty("latestAnchor").GetProperty("headHash").GetString(),
            await File.ReadAllTextAsync(Path.Combine(host.DataFolder, "audit", "timeline-anchors.log")), StringComparison.Ordinal);

        // The engine's view through the management routes (admin key); an API key is refused there.
        var instance = await GetJsonAsync(client, $"/runtime/webhooks/durabletask/instances/{id}?showHistory=true", host.AdminKey);
        Assert.Equal(id, instance.GetProperty("instanceId").GetString());
        Assert.True(instance.GetProperty("historyEvents").GetArrayLength() > 0);
        var (refused, _, _) = await SendAsync(client, Request(HttpMethod.Get, $"/runtime/webhooks/durabletask/instances/{id}", key));
        Assert.Equal(HttpStatusCode.Forbidden, refused);

        // Member details never reached the host's output (request log, engine and workflow logs).
        Assert.DoesNotContain("ZQSENTINEL4711", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("QXJ-3391", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Quillfeather", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(link.Split('/')[^1], host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FhirBundle_WithServiceRequestPatientAndPractitionerRole_StartsAnEngagement()
    {
        await using var host = await LocalHostProcess.StartAsync();
        using var client = host.CreateClient();

        var (status, accepted, _) = await PostJsonAsync(client, "/api/referrals", host.ApiKey, FhirSamples.Bundle("FHIR-REF-1", "PLAN:FHIR0001"), "application/fhir+json");

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = accepted.GetProperty("id").GetString()!;
        var engagement = await WaitForStepAsync(client, host.ApiKey, id, "assessment", diagnostics: () => host.Output);
        Assert.Equal("PLAN:FHIR0001", engagement.GetProperty("memberId").GetString());
        var referral = engagement.GetProperty("referrals")[0];
        Assert.Equal("FHIR-REF-1", referral.GetProperty("id").GetString());
        Assert.Equal("urgent", referral.GetProperty("urgency").GetString());
        Assert.Equal("F33.1", referral.GetProperty("diagnoses")[0].GetString());
        var provider = engagement.GetProperty("treatingProviders")[0];
        Assert.Equal("1987654328", provider.GetProperty("npi").GetString());
        Assert.Equal("rivera@clinic.example", provider.GetProperty("email").GetString());
        Assert.Equal("Maya Rivera", provider.GetProperty("name").GetString());

        // The same ServiceRequest with its resources contained works as well.
        var (containedStatus, _, _) = await PostJsonAsync(client, "/api/referrals", host.ApiKey, FhirSamples.Contained("FHIR-REF-2", "PLAN:FHIR0002"), "application/fhir+json");
        Assert.Equal(HttpStatusCode.Accepted, containedStatus);
    }
}
