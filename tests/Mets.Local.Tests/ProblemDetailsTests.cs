using System.Net;
using System.Text;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>Bad requests against the built host: RFC 9457 problem details at the right status, never a 500, never an echo of what was sent.</summary>
[Collection(HostProcessGroup.Name)]
public class ProblemDetailsTests
{
    private const string Sentinel = "ZQSENT-PD-5521";

    private static async Task<JsonElement> ProblemAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode expected)
    {
        var (status, body, response) = await SendAsync(client, request);
        Assert.True(status == expected, $"{request.Method} {request.RequestUri} answered {(int)status}, expected {(int)expected}");
        Assert.Equal("application/problem+json", MediaType(response)?.MediaType);
        Assert.Equal((int)expected, body.GetProperty("status").GetInt32());
        Assert.DoesNotContain(Sentinel, body.GetRawText(), StringComparison.Ordinal);
        return body;
    }

    [Fact]
    public async Task BadBodies_AnswerProblemDetails_WithFieldErrors_AndNoEcho()
    {
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Mets__Api__MaxJsonBodyBytes"] = "2048",
            ["Mets__Api__MaxClaimsUploadBytes"] = "4096",
        });
        using var client = host.CreateClient();
        var key = host.ApiKey;
        var valid = EngagementLifecycleTests.Referral("REF-PD-1", "PLAN:PD0001");

        // Malformed JSON.
        var malformed = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, Json("{\"referralId\": \"" + Sentinel)), HttpStatusCode.BadRequest);
        Assert.True(malformed.GetProperty("errors").TryGetProperty("$", out _));

        // Unknown field.
        var unknown = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, Json(valid.TrimEnd().TrimEnd('}') + $", \"memberName\": \"{Sentinel}\" }}")), HttpStatusCode.BadRequest);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("$.memberName", out _), unknown.GetRawText());

        // Wrong type, bad enum name and a value the domain refuses, each at its path.
        var wrong = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key,
            Json(valid.Replace("\"consentToShareSubstanceUseInformation\": false", $"\"consentToShareSubstanceUseInformation\": \"{Sentinel}\"", StringComparison.Ordinal))), HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("$.consentToShareSubstanceUseInformation", out _), wrong.GetRawText());
        var badMember = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key,
            Json(EngagementLifecycleTests.Referral("REF-PD-2", Sentinel))), HttpStatusCode.BadRequest);
        Assert.True(badMember.GetProperty("errors").TryGetProperty("$.memberId", out _), badMember.GetRawText());
        var badNpi = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key,
            Json(EngagementLifecycleTests.Referral("REF-PD-3", "PLAN:PD0003", npi: "1234567890"))), HttpStatusCode.BadRequest);
        Assert.True(badNpi.GetProperty("errors").TryGetProperty("$.treatingProviders[0].npi", out _), badNpi.GetRawText());

        // Nulls inside lists.
        var nulls = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, Json("""
            { "referralId": "REF-PD-4", "memberId": "PLAN:PD0004", "source": "treatingProvider", "reason": "clinicalConcern",
              "diagnoses": [null], "treatingProviders": [null] }
            """)), HttpStatusCode.BadRequest);
        Assert.True(nulls.GetProperty("errors").TryGetProperty("$.treatingProviders[0]", out _), nulls.GetRawText());
        Assert.True(nulls.GetProperty("errors").TryGetProperty("$.diagnoses[0]", out _), nulls.GetRawText());
        var nullGoal = await ProblemAsync(client, Request(HttpMethod.Post, "/api/engagements/0123456789abcdef0123456789abcdef/assessment", key,
            Json("""{ "scores": {}, "memberStatedGoals": [null], "treatingProviders": [null] }""")), HttpStatusCode.BadRequest);
        Assert.True(nullGoal.GetProperty("errors").TryGetProperty("$.memberStatedGoals[0]", out _), nullGoal.GetRawText());

        // Oversize bodies: JSON above Mets:Api:MaxJsonBodyBytes, a claims file above Mets:Api:MaxClaimsUploadBytes (also without Content-Length).
        await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, Json(valid.Replace("\"clinicalConcern\"", "\"clinicalConcern\", \"reasonDetail\": \"" + new string('x', 3000) + "\"", StringComparison.Ordinal))),
            HttpStatusCode.RequestEntityTooLarge);
        await ProblemAsync(client, Request(HttpMethod.Post, "/api/claims?fileName=big.csv", key, new ByteArrayContent(new byte[5000])), HttpStatusCode.RequestEntityTooLarge);
        var streamed = new StreamContent(new MemoryStream(new byte[5000]));
        using (var chunked = Request(HttpMethod.Post, "/api/claims?fileName=big.csv", key, streamed))
        {
            chunked.Headers.TransferEncodingChunked = true;
            await ProblemAsync(client, chunked, HttpStatusCode.RequestEntityTooLarge);
        }

        // Not JSON at all.
        await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, new StringContent(Sentinel, Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);

        // FHIR: a Bundle without the Patient, and text that is not FHIR.
        var noPatient = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, Json(FhirSamples.Bundle("FHIR-PD-1", "PLAN:PD0004", withPatient: false), "application/fhir+json")), HttpStatusCode.BadRequest);
        Assert.True(noPatient.GetProperty("errors").TryGetProperty("$.ServiceRequest.subject", out _), noPatient.GetRawText());
        var notFhir = await ProblemAsync(client, Request(HttpMethod.Post, "/api/referrals", key, Json($"{{\"resourceType\": \"{Sentinel}\"}}", "application/fhir+json")), HttpStatusCode.BadRequest);
        Assert.True(notFhir.GetProperty("errors").TryGetProperty("$", out _), notFhir.GetRawText());

        // Steps: unknown engagement, unknown field in a step body.
        await ProblemAsync(client, Request(HttpMethod.Post, "/api/engagements/0123456789abcdef0123456789abcdef/closure", key, Json("""{ "reason": "goalsMet" }""")), HttpStatusCode.NotFound);
        await ProblemAsync(client, Request(HttpMethod.Get, $"/api/engagements/{Sentinel}", key), HttpStatusCode.NotFound);
        var stepUnknown = await ProblemAsync(client, Request(HttpMethod.Post, "/api/engagements/0123456789abcdef0123456789abcdef/reviews", key, Json("""{ "reviewNumber": 1, "mood": "fine" }""")), HttpStatusCode.BadRequest);
        Assert.True(stepUnknown.GetProperty("errors").TryGetProperty("$.mood", out _));
        await ProblemAsync(client, Request(HttpMethod.Get, $"/api/engagements?status={Sentinel}", key), HttpStatusCode.BadRequest);

        Assert.DoesNotContain(" answered 500 ", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Sentinel, host.Output, StringComparison.Ordinal);
    }
}
