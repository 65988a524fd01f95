using System.Net;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>
/// Policy durations from configuration (environment variables to the child process) in seconds: the
/// overdue assessment escalates, the maximum duration opens the closure review the supervisor decides,
/// repeated unsuccessful contacts close the engagement, and the engine's management routes work on it.
/// </summary>
[Collection(HostProcessGroup.Name)]
public class TimedPolicyTests
{
    private static readonly Dictionary<string, string> SecondsPolicy = new()
    {
        ["Mets__Policy__AssessmentDue"] = "00:00:03",
        ["Mets__Policy__UrgentAssessmentDue"] = "00:00:03",
        ["Mets__Policy__ReminderLead"] = "00:00:01",
        ["Mets__Policy__SupervisorEscalationDelay"] = "00:00:00",
        ["Mets__Policy__HighRiskReviewInterval"] = "00:01:00",
        ["Mets__Policy__ModerateRiskReviewInterval"] = "00:01:00",
        ["Mets__Policy__LowRiskReviewInterval"] = "00:01:00",
        ["Mets__Policy__MaximumDuration"] = "00:00:06",
        ["Mets__Policy__ClosureDecisionWindow"] = "00:01:00",
        ["Mets__Policy__ClosureExtension"] = "00:01:00",
    };

    [Fact]
    public async Task OverdueAssessment_Escalates_MaximumDuration_OpensClosureReview_SupervisorCloses()
    {
        await using var host = await LocalHostProcess.StartAsync(settings: SecondsPolicy);
        using var client = host.CreateClient();
        var key = host.ApiKey;
        var (_, accepted, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-TIMED-1", "PLAN:TM0001"));
        var id = accepted.GetProperty("id").GetString()!;

        // Past the due date: escalated to the supervisor, on the supervisor's queue.
        await WaitForAsync<JsonElement?>(async () =>
        {
            var read = await GetJsonAsync(client, $"/api/engagements/{id}", key);
            return read.GetProperty("currentStep").GetProperty("escalatedAt").ValueKind == JsonValueKind.String ? read : null;
        }, TimeSpan.FromSeconds(30), "the assessment to escalate", () => host.Output);
        var queue = await GetJsonAsync(client, "/api/queue?view=supervisor", key);
        Assert.Contains(queue.GetProperty("items").EnumerateArray(),
            i => i.GetProperty("engagementId").GetString() == id && i.GetProperty("bucket").GetString() == "escalated");

        // At the maximum duration the closure review opens; the supervisor closes.
        await WaitForStepAsync(client, key, id, "closureReview", 1, () => host.Output);
        var (decided, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/closure-review", key, """{ "closureReviewNumber": 1, "decision": "close", "reason": "memberDeclined" }""");
        Assert.Equal(HttpStatusCode.Accepted, decided);
        var closed = await WaitForStepAsync(client, key, id, "closed", diagnostics: () => host.Output);
        Assert.Equal("memberDeclined", closed.GetProperty("outcome").GetProperty("reason").GetString());

        // A step on a closed engagement conflicts.
        var (late, problem, _) = await PostJsonAsync(client, $"/api/engagements/{id}/closure", key, """{ "reason": "goalsMet" }""");
        Assert.Equal(HttpStatusCode.Conflict, late);
        Assert.Equal("EngagementClosed", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task UnsuccessfulContacts_CloseAsUnableToReach_AndManagementRoutesDriveTheEngine()
    {
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string> { ["Mets__Policy__UnsuccessfulContactsBeforeClosure"] = "2" });
        using var client = host.CreateClient();
        var key = host.ApiKey;
        var admin = host.AdminKey;

        var (_, first, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-CONTACT-1", "PLAN:CT0001"));
        var id = first.GetProperty("id").GetString()!;
        await WaitForStepAsync(client, key, id, "assessment", diagnostics: () => host.Output);
        foreach (var attempt in new[] { 1, 2 })
        {
            var (status, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/contact-attempts", key, $$"""{ "outcome": "noAnswer", "attemptNumber": {{attempt}} }""");
            Assert.Equal(HttpStatusCode.Accepted, status);
            await WaitForAsync<JsonElement?>(async () =>
            {
                var read = await GetJsonAsync(client, $"/api/engagements/{id}", key);
                return read.GetProperty("contactAttemptsRecorded").GetInt32() >= attempt ? read : null;
            }, TimeSpan.FromSeconds(30), $"contact attempt {attempt}", () => host.Output);
        }

        var closed = await WaitForStepAsync(client, key, id, "closed", diagnostics: () => host.Output);
        Assert.Equal("unableToReach", closed.GetProperty("outcome").GetProperty("reason").GetString());

        // Management: another engagement is listed, suspended, resumed, terminated and purged.
        var (_, second, _) = await PostJsonAsync(client, "/api/referrals", key, EngagementLifecycleTests.Referral("REF-MGMT-1", "PLAN:MG0001"));
        var other = second.GetProperty("id").GetString()!;
        await WaitForStepAsync(client, key, other, "assessment", diagnostics: () => host.Output);
        var instances = "/runtime/webhooks/durabletask/instances";
        var running = await GetJsonAsync(client, $"{instances}?runtimeStatus=Running&instanceIdPrefix={other}", admin);
        Assert.Contains(running.EnumerateArray(), i => i.GetProperty("instanceId").GetString() == other);

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(client, Request(HttpMethod.Post, $"{instances}/{other}/suspend?reason=test", admin))).Status);
        await WaitForAsync<string>(async () => (await GetJsonAsync(client, $"{instances}/{other}", admin)).GetProperty("runtimeStatus").GetString() == "Suspended" ? "ok" : null,
            TimeSpan.FromSeconds(30), "the instance to suspend", () => host.Output);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(client, Request(HttpMethod.Post, $"{instances}/{other}/resume?reason=test", admin))).Status);
        await WaitForAsync<string>(async () => (await GetJsonAsync(client, $"{instances}/{other}", admin)).GetProperty("runtimeStatus").GetString() == "Running" ? "ok" : null,
            TimeSpan.FromSeconds(30), "the instance to resume", () => host.Output);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(client, Request(HttpMethod.Post, $"{instances}/{other}/raiseEvent/OperatorNote", admin, Json("""{ "note": "checked" }""")))).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(client, Request(HttpMethod.Post, $"{instances}/{other}/terminate?reason=test-data", admin))).Status);
        await WaitForAsync<string>(async () => (await SendAsync(client, Request(HttpMethod.Get, $"{instances}/{other}", admin))).Status == HttpStatusCode.OK ? "ok" : null,
            TimeSpan.FromSeconds(30), "the instance to terminate", () => host.Output);
        Assert.Equal(HttpStatusCode.Gone, (await SendAsync(client, Request(HttpMethod.Post, $"{instances}/{other}/suspend", admin))).Status);

        var (purged, purge, _) = await SendAsync(client, Request(HttpMethod.Delete, $"{instances}/{other}", admin));
        Assert.Equal(HttpStatusCode.OK, purged);
        Assert.True(purge.GetProperty("instancesDeleted").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(client, Request(HttpMethod.Get, $"{instances}/{other}", admin))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, Request(HttpMethod.Get, instances, key))).Status);
    }
}
