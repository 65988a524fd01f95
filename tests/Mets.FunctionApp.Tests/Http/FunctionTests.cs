using System.Text.Json;
using Mets.Domain.Identifiers;
using Mets.FunctionApp.Http;
using Mets.Workflow.Cases;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>
/// Each HTTP function through the app's middleware with a valid token (or none where the route is anonymous): its
/// status codes and bodies, from Mets.Api's handlers on the function app's real container (SQLite case and claims
/// stores in a temporary folder) and a Moq <see cref="DurableTaskClient"/> handed over per invocation.
/// </summary>
public sealed class FunctionTests : IAsyncLifetime
{
    private static readonly string Clinician = TestTokens.Person(TestTokens.ClinicianObjectId, EntraDefaults.Clinician);

    private FunctionAppTestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = FunctionAppTestHost.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    internal static string Referral(string referralId, string memberId, string diagnoses = "\"F32.1\"") => $$"""
        {
          "referralId": "{{referralId}}",
          "memberId": "{{memberId}}",
          "source": "treatingProvider",
          "reason": "clinicalConcern",
          "diagnoses": [{{diagnoses}}],
          "treatingProviders": [ { "name": "Dr Avery Stone", "npi": "1234567893", "email": "provider@clinic.example", "role": "psychiatry" } ]
        }
        """;

    private const string Assessment = """
        {
          "scores": { "phq9": [1, 2, 1, 1, 2, 1, 1, 1, 0], "gad7": [1, 1, 1, 1, 1, 1, 1] },
          "memberStatedGoals": ["walk daily"]
        }
        """;

    private static Func<FunctionContext, DurableTaskClient, Task<IResult>> Call(Func<HttpRequest, FunctionContext, DurableTaskClient, Task<IResult>> function) =>
        (context, client) => function(context.GetHttpContext()!.Request, context, client);

    private Task<Answer> InvokeAsync(string name, HttpContext http, Func<HttpRequest, FunctionContext, DurableTaskClient, Task<IResult>> function) =>
        _host.InvokeAsync(name, http, Call(function));

    private static Dictionary<string, string> Id(string value, string name = "id") => new() { [name] = value };

    private async Task<string> SubmitAsync(string referralId, string memberId, string diagnoses = "\"F32.1\"")
    {
        var answer = await InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, Referral(referralId, memberId, diagnoses)),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));
        Assert.Equal(StatusCodes.Status202Accepted, answer.Status);
        return answer.Json.GetProperty("id").GetString()!;
    }

    /// <summary>A submitted engagement the orchestration would have started: assigned to the clinician, at the assessment.</summary>
    private async Task<string> StartedAsync(string referralId, string memberId, string diagnoses = "\"F32.1\"")
    {
        var id = await SubmitAsync(referralId, memberId, diagnoses);
        var store = _host.Services.GetRequiredService<ICaseStore>();
        var received = await store.GetAsync(EngagementId.Parse(id));
        var now = DateTimeOffset.UtcNow;
        var started = received!.Start(StaffId.Parse(TestTokens.ClinicianUser), now.AddDays(7), now.AddDays(180), now);
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(started, "test-start-" + id)).Outcome);
        return id;
    }

    /// <summary>The engagement's orchestration instance is running (as it would be once scheduled).</summary>
    private void Running(string id)
    {
        var running = new OrchestrationMetadata("EngagementOrchestrator", id) { RuntimeStatus = OrchestrationRuntimeStatus.Running };
        _host.Durable.Setup(c => c.GetInstanceAsync(id, It.IsAny<CancellationToken>())).ReturnsAsync(running);
        _host.Durable.Setup(c => c.GetInstanceAsync(id, It.IsAny<bool>(), It.IsAny<CancellationToken>())).ReturnsAsync(running);
    }

    /// <summary>
    /// The outreach instance is running and does what the outreach orchestration does with an answer raised to it:
    /// records it on the case, then ends (the service confirms an answer only once the case shows it).
    /// </summary>
    private void RecordsAnswers(string outreachInstance)
    {
        Running(outreachInstance);
        var ended = new TaskCompletionSource<OrchestrationMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.Durable.Setup(c => c.RaiseEventAsync(outreachInstance, "ProviderResponded", It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Returns(async (string _, string _, object? payload, CancellationToken cancellation) =>
            {
                var answer = (Mets.Domain.Engagements.ProviderResponded)payload!;
                var store = _host.Services.GetRequiredService<ICaseStore>();
                var found = (await store.GetAsync(answer.EngagementId, cancellation))!;
                var outreach = found.Outreach.Single(o => o.Id == answer.OutreachId);
                var now = DateTimeOffset.UtcNow;
                var answered = found.RecordOutreach(outreach.Answered(answer.Response, now), Mets.Domain.Engagements.TimelineEntryKind.ProviderResponded,
                    Mets.Domain.Engagements.Actor.Provider(answer.OutreachId.Provider), now);
                Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(answered, "test-answer-" + outreachInstance, cancellation)).Outcome);
                ended.TrySetResult(new OrchestrationMetadata("ProviderOutreachOrchestrator", outreachInstance) { RuntimeStatus = OrchestrationRuntimeStatus.Completed });
            });
        _host.Durable.Setup(c => c.WaitForInstanceCompletionAsync(outreachInstance, It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns((string _, bool _, CancellationToken cancellation) => ended.Task.WaitAsync(cancellation));
    }

    private Task<Answer> StepAsync(string name, string id, string route, string body, Func<HttpRequest, string, FunctionContext, DurableTaskClient, Task<IResult>> step) =>
        InvokeAsync(name, FunctionAppTestHost.Request("POST", $"/api/engagements/{id}/{route}", Clinician, body, routeValues: Id(id)), (r, c, d) => step(r, id, c, d));

    [Fact]
    public async Task SubmitReferral_Json_Answers202AndSchedulesTheEngagement()
    {
        var answer = await InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, Referral("REF-F-1", "PLAN:M0000101")),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));
        var again = await InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, Referral("REF-F-1", "PLAN:M0000999")),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));
        var invalid = await InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, """{ "referralId": "REF-F-2" }"""),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));
        var notJson = await InvokeAsync(HttpFunctionRoutes.SubmitReferral, FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, "referral", "text/plain"),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status202Accepted, answer.Status);
        var id = answer.Json.GetProperty("id").GetString()!;
        Assert.Equal($"/api/engagements/{id}", answer.Json.GetProperty("statusUri").GetString());
        Assert.Equal($"/api/engagements/{id}", answer.Headers.Location.ToString());
        _host.Durable.Verify(c => c.ScheduleNewOrchestrationInstanceAsync(It.Is<TaskName>(n => n.Name == "EngagementOrchestrator"), It.IsAny<object?>(),
            It.Is<StartOrchestrationOptions?>(o => o!.InstanceId == id), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(StatusCodes.Status409Conflict, again.Status);
        Assert.Equal("ReferralIdReused", again.Json.GetProperty("code").GetString());
        Assert.Equal(StatusCodes.Status400BadRequest, invalid.Status);
        Assert.True(invalid.Json.GetProperty("errors").EnumerateObject().Any());
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, notJson.Status);
        Assert.Equal("The body must be JSON.", notJson.ProblemTitle);
    }

    [Fact]
    public async Task SubmitReferral_Fhir_Answers202()
    {
        var answer = await InvokeAsync(HttpFunctionRoutes.SubmitReferral,
            FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, Mets.Local.Tests.FhirSamples.Bundle("REF-FHIR-F1", "PLAN:FHIR0101"), "application/fhir+json"),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));
        var invalid = await InvokeAsync(HttpFunctionRoutes.SubmitReferral,
            FunctionAppTestHost.Request("POST", "/api/referrals", Clinician, """{ "resourceType": "Patient" }""", "application/fhir+json"),
            (r, c, d) => ReferralFunctions.SubmitReferral(r, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status202Accepted, answer.Status);
        var engagement = await _host.Services.GetRequiredService<ICaseStore>().GetAsync(EngagementId.Parse(answer.Json.GetProperty("id").GetString()!));
        Assert.Equal("PLAN:FHIR0101", engagement!.MemberId.Value);
        Assert.Equal(StatusCodes.Status400BadRequest, invalid.Status);
        Assert.Equal("The FHIR referral is not valid.", invalid.ProblemTitle);
    }

    [Fact]
    public async Task GetEngagement_Known200_Unknown404()
    {
        var id = await SubmitAsync("REF-F-GET", "PLAN:M0000102");

        var found = await InvokeAsync(HttpFunctionRoutes.GetEngagement, FunctionAppTestHost.Request("GET", $"/api/engagements/{id}", Clinician, routeValues: Id(id)),
            (r, c, d) => EngagementFunctions.GetEngagement(r, id, d, c, CancellationToken.None));
        var unknown = await InvokeAsync(HttpFunctionRoutes.GetEngagement, FunctionAppTestHost.Request("GET", $"/api/engagements/{new string('c', 32)}", Clinician),
            (r, c, d) => EngagementFunctions.GetEngagement(r, new string('c', 32), d, c, CancellationToken.None));
        var notAnId = await InvokeAsync(HttpFunctionRoutes.GetEngagement, FunctionAppTestHost.Request("GET", "/api/engagements/not-an-id", Clinician),
            (r, c, d) => EngagementFunctions.GetEngagement(r, "not-an-id", d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, found.Status);
        Assert.Equal(id, found.Json.GetProperty("id").GetString());
        Assert.Equal("PLAN:M0000102", found.Json.GetProperty("memberId").GetString());
        Assert.Equal("received", found.Json.GetProperty("status").GetString());
        Assert.Equal(StatusCodes.Status404NotFound, unknown.Status);
        Assert.Equal("EngagementNotFound", unknown.Json.GetProperty("code").GetString());
        Assert.Equal(StatusCodes.Status404NotFound, notAnId.Status);
    }

    [Fact]
    public async Task GetEngagementAudit_Known200Intact_Unknown404()
    {
        var id = await StartedAsync("REF-F-AUDIT", "PLAN:M0000109");

        var found = await InvokeAsync(HttpFunctionRoutes.GetEngagementAudit, FunctionAppTestHost.Request("GET", $"/api/engagements/{id}/audit", Clinician, routeValues: Id(id)),
            (r, c, d) => EngagementFunctions.GetEngagementAudit(r, id, c, CancellationToken.None));
        var unknown = await InvokeAsync(HttpFunctionRoutes.GetEngagementAudit, FunctionAppTestHost.Request("GET", $"/api/engagements/{new string('c', 32)}/audit", Clinician),
            (r, c, d) => EngagementFunctions.GetEngagementAudit(r, new string('c', 32), c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, found.Status);
        Assert.Equal(id, found.Json.GetProperty("engagementId").GetString());
        Assert.True(found.Json.GetProperty("intact").GetBoolean());
        Assert.Equal(3, found.Json.GetProperty("entries").GetInt32()); // received, started, clinician assigned
        Assert.Equal(JsonValueKind.Null, found.Json.GetProperty("finding").ValueKind);
        Assert.DoesNotContain("M0000109", found.Json.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status404NotFound, unknown.Status);
        Assert.Equal("EngagementNotFound", unknown.Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ListEngagements_Filters200_BadQuery400()
    {
        var id = await StartedAsync("REF-F-LIST", "PLAN:M0000103");

        var open = await InvokeAsync(HttpFunctionRoutes.ListEngagements,
            FunctionAppTestHost.Request("GET", $"/api/engagements?status=open&clinician={TestTokens.ClinicianUser}&overdue=false", Clinician),
            (r, c, _) => EngagementFunctions.ListEngagements(r, c, CancellationToken.None));
        var badFlag = await InvokeAsync(HttpFunctionRoutes.ListEngagements, FunctionAppTestHost.Request("GET", "/api/engagements?overdue=maybe", Clinician),
            (r, c, _) => EngagementFunctions.ListEngagements(r, c, CancellationToken.None));
        var badStatus = await InvokeAsync(HttpFunctionRoutes.ListEngagements, FunctionAppTestHost.Request("GET", "/api/engagements?status=closed", Clinician),
            (r, c, _) => EngagementFunctions.ListEngagements(r, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, open.Status);
        var listed = Assert.Single(open.Json.EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.False(listed.TryGetProperty("memberId", out _));
        Assert.Equal(StatusCodes.Status400BadRequest, badFlag.Status);
        Assert.True(badFlag.Json.GetProperty("errors").TryGetProperty("$.overdue", out _));
        Assert.Equal(StatusCodes.Status400BadRequest, badStatus.Status);
        Assert.True(badStatus.Json.GetProperty("errors").TryGetProperty("$.status", out _));
    }

    [Fact]
    public async Task RecordAssessment_AtTheStep202_BadBody400_Unknown404()
    {
        var id = await StartedAsync("REF-F-ASSESS", "PLAN:M0000104");
        Running(id);

        var accepted = await StepAsync(HttpFunctionRoutes.RecordAssessment, id, "assessment", Assessment, (r, i, c, d) => EngagementFunctions.RecordAssessment(r, i, d, c, CancellationToken.None));
        var badBody = await StepAsync(HttpFunctionRoutes.RecordAssessment, id, "assessment", """{ "scores": {} }""", (r, i, c, d) => EngagementFunctions.RecordAssessment(r, i, d, c, CancellationToken.None));
        var unknown = await StepAsync(HttpFunctionRoutes.RecordAssessment, new string('d', 32), "assessment", Assessment, (r, i, c, d) => EngagementFunctions.RecordAssessment(r, i, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status202Accepted, accepted.Status);
        Assert.Equal(id, accepted.Json.GetProperty("id").GetString());
        _host.Durable.Verify(c => c.RaiseEventAsync(id, "AssessmentCompleted", It.IsAny<object?>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(StatusCodes.Status400BadRequest, badBody.Status);
        Assert.Equal(StatusCodes.Status404NotFound, unknown.Status);
        Assert.Equal("EngagementNotFound", unknown.Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task RecordContactAttempt_AtTheAssessment202_BadBody400()
    {
        var id = await StartedAsync("REF-F-CONTACT", "PLAN:M0000105");
        Running(id);

        var accepted = await StepAsync(HttpFunctionRoutes.RecordContactAttempt, id, "contact-attempts", """{ "outcome": "noAnswer" }""",
            (r, i, c, d) => EngagementFunctions.RecordContactAttempt(r, i, d, c, CancellationToken.None));
        var badBody = await StepAsync(HttpFunctionRoutes.RecordContactAttempt, id, "contact-attempts", """{ "outcome": "noAnswer", "attemptNumber": 0 }""",
            (r, i, c, d) => EngagementFunctions.RecordContactAttempt(r, i, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status202Accepted, accepted.Status);
        Assert.Equal(StatusCodes.Status400BadRequest, badBody.Status);
        Assert.True(badBody.Json.GetProperty("errors").TryGetProperty("$.attemptNumber", out _));
    }

    [Fact]
    public async Task RecordReview_BeforeAnyReview409()
    {
        var id = await StartedAsync("REF-F-REVIEW", "PLAN:M0000106");

        var conflict = await StepAsync(HttpFunctionRoutes.RecordReview, id, "reviews", """{ "reviewNumber": 1 }""", (r, i, c, d) => EngagementFunctions.RecordReview(r, i, d, c, CancellationToken.None));
        var badBody = await StepAsync(HttpFunctionRoutes.RecordReview, id, "reviews", """{ "reviewNumber": 0 }""", (r, i, c, d) => EngagementFunctions.RecordReview(r, i, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status409Conflict, conflict.Status);
        Assert.Equal("The engagement is not at this step.", conflict.ProblemTitle);
        Assert.Equal(StatusCodes.Status400BadRequest, badBody.Status);
    }

    [Fact]
    public async Task DecideClosureReview_NoClosureReviewOpen409_CloseWithoutReason400()
    {
        var id = await StartedAsync("REF-F-CLOSUREREVIEW", "PLAN:M0000107");

        var conflict = await StepAsync(HttpFunctionRoutes.DecideClosureReview, id, "closure-review", """{ "closureReviewNumber": 1, "decision": "extend" }""",
            (r, i, c, d) => EngagementFunctions.DecideClosureReview(r, i, d, c, CancellationToken.None));
        var noReason = await StepAsync(HttpFunctionRoutes.DecideClosureReview, id, "closure-review", """{ "closureReviewNumber": 1, "decision": "close" }""",
            (r, i, c, d) => EngagementFunctions.DecideClosureReview(r, i, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status409Conflict, conflict.Status);
        Assert.Equal(StatusCodes.Status400BadRequest, noReason.Status);
        Assert.True(noReason.Json.GetProperty("errors").TryGetProperty("$.reason", out _));
    }

    [Fact]
    public async Task RequestClosure_BySupervisor202WithTheSupervisorAsActor_UnknownReason400()
    {
        var id = await StartedAsync("REF-F-CLOSE", "PLAN:M0000108");
        Running(id);
        object? raised = null;
        _host.Durable.Setup(c => c.RaiseEventAsync(id, "ClosureRequested", It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, object? payload, CancellationToken _) => raised = payload)
            .Returns(Task.CompletedTask);
        var supervisor = TestTokens.Person(TestTokens.SupervisorObjectId, EntraDefaults.Supervisor);

        var accepted = await InvokeAsync(HttpFunctionRoutes.RequestClosure,
            FunctionAppTestHost.Request("POST", $"/api/engagements/{id}/closure", supervisor, """{ "reason": "goalsMet" }""", routeValues: Id(id)),
            (r, c, d) => EngagementFunctions.RequestClosure(r, id, d, c, CancellationToken.None));
        var badReason = await StepAsync(HttpFunctionRoutes.RequestClosure, id, "closure", """{ "reason": "bored" }""", (r, i, c, d) => EngagementFunctions.RequestClosure(r, i, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status202Accepted, accepted.Status);
        var requested = Assert.IsType<Mets.Domain.Engagements.ClosureRequested>(raised);
        Assert.Equal(Mets.Domain.Engagements.Actor.Staff(Mets.Domain.Engagements.ActorKind.Supervisor, StaffId.Parse(TestTokens.SupervisorUser)), requested.RequestedBy);
        Assert.Equal(StatusCodes.Status400BadRequest, badReason.Status);
    }

    [Fact]
    public async Task RecordPeerReview_MedicalDirector202RaisedToTheOutreach_Clinician403_UnknownProvider404()
    {
        var id = await StartedAsync("REF-F-PEER", "PLAN:M0000120");
        var engagement = EngagementId.Parse(id);
        var outreach = OutreachId.For(engagement, Npi.Parse("1234567893"));
        var store = _host.Services.GetRequiredService<ICaseStore>();
        var started = await store.GetAsync(engagement);
        var now = DateTimeOffset.UtcNow;
        var escalated = Mets.Domain.Engagements.ProviderOutreach.Start(outreach, Mets.Domain.Referrals.ProviderRole.Psychiatry, now).Emailed(now).Escalated(now);
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(started!.RecordOutreach(escalated, Mets.Domain.Engagements.TimelineEntryKind.ProviderEscalatedToMedicalDirector,
            Mets.Domain.Engagements.Actor.System, now), "test-escalated-" + id)).Outcome);
        Running(id);
        Running(outreach.Value);
        object? raised = null;
        _host.Durable.Setup(c => c.RaiseEventAsync(outreach.Value, "PeerReviewRecorded", It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, object? payload, CancellationToken _) => raised = payload)
            .Returns(Task.CompletedTask);
        var medicalDirector = TestTokens.Person(TestTokens.MedicalDirectorObjectId, EntraDefaults.MedicalDirector);
        Task<Answer> PeerReview(string token, string npi, string body) => InvokeAsync(HttpFunctionRoutes.RecordPeerReview,
            FunctionAppTestHost.Request("POST", $"/api/engagements/{id}/outreach/{npi}/peer-review", token, body, routeValues: new Dictionary<string, string> { ["id"] = id, ["npi"] = npi }),
            (r, c, d) => EngagementFunctions.RecordPeerReview(r, id, npi, d, c, CancellationToken.None));

        var byClinician = await PeerReview(Clinician, "1234567893", """{ "outcome": "agreedOnPlan" }""");
        var unknownProvider = await PeerReview(medicalDirector, "1245319599", """{ "outcome": "agreedOnPlan" }""");
        var badOutcome = await PeerReview(medicalDirector, "1234567893", """{ "outcome": "maybe" }""");
        Assert.Null(raised);
        var accepted = await PeerReview(medicalDirector, "1234567893", """{ "outcome": "agreedOnPlan" }""");
        var other = await PeerReview(medicalDirector, "1234567893", """{ "outcome": "providerDeclined" }""");

        Assert.Equal(StatusCodes.Status403Forbidden, byClinician.Status);
        Assert.Equal("NotMedicalDirector", byClinician.Json.GetProperty("code").GetString());
        Assert.Equal(StatusCodes.Status404NotFound, unknownProvider.Status);
        Assert.Equal("NoOutreachToProvider", unknownProvider.Json.GetProperty("code").GetString());
        Assert.Equal(StatusCodes.Status400BadRequest, badOutcome.Status);
        Assert.Equal(StatusCodes.Status202Accepted, accepted.Status);
        var review = Assert.IsType<Mets.Domain.Engagements.PeerReviewRecorded>(raised);
        Assert.Equal((outreach, Mets.Domain.Engagements.PeerReviewOutcome.AgreedOnPlan, StaffId.Parse(TestTokens.MedicalDirectorUser)), (review.OutreachId, review.Outcome, review.RecordedBy));
        Assert.Equal(StatusCodes.Status409Conflict, other.Status);
        Assert.Equal("DifferentCommandRecorded", other.Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetWorkQueue_Mine200_Supervisor200_BadView400()
    {
        await StartedAsync("REF-F-QUEUE", "PLAN:M0000109");

        var mine = await InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue", Clinician),
            (r, c, d) => QueueFunctions.GetWorkQueue(r, d, c, CancellationToken.None));
        var all = await InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue?view=supervisor", Clinician),
            (r, c, d) => QueueFunctions.GetWorkQueue(r, d, c, CancellationToken.None));
        var bad = await InvokeAsync(HttpFunctionRoutes.GetWorkQueue, FunctionAppTestHost.Request("GET", "/api/queue?view=everyone", Clinician),
            (r, c, d) => QueueFunctions.GetWorkQueue(r, d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, mine.Status);
        Assert.Equal(TestTokens.ClinicianUser, mine.Json.GetProperty("view").GetString());
        Assert.Equal(StatusCodes.Status200OK, all.Status);
        Assert.Equal("supervisor", all.Json.GetProperty("view").GetString());
        Assert.Equal(JsonValueKind.Array, all.Json.GetProperty("items").ValueKind);
        Assert.Equal(StatusCodes.Status400BadRequest, bad.Status);
        Assert.True(bad.Json.GetProperty("errors").TryGetProperty("$.view", out _));
    }

    [Fact]
    public async Task GetClaimsFileStatus_Known200_Unknown404_NotAnId404()
    {
        var fileId = await ProcessAsync("upload.csv", "not,a,claims\nfile,at,all\n"); // not a claims file: quarantined with its reason
        var unknownId = new string('a', 64);

        var known = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileStatus, FunctionAppTestHost.Request("GET", $"/api/claims/files/{fileId}", Clinician, routeValues: Id(fileId)),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileStatus(r, fileId, c, CancellationToken.None));
        var unknown = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileStatus, FunctionAppTestHost.Request("GET", $"/api/claims/files/{unknownId}", Clinician, routeValues: Id(unknownId)),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileStatus(r, unknownId, c, CancellationToken.None));
        var notAnId = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileStatus, FunctionAppTestHost.Request("GET", "/api/claims/files/ABC", Clinician),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileStatus(r, "ABC", c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status200OK, known.Status);
        Assert.Equal(fileId, known.Json.GetProperty("id").GetString());
        Assert.Equal("quarantined", known.Json.GetProperty("status").GetString());
        Assert.Equal("upload.csv", known.Json.GetProperty("fileName").GetString());
        Assert.Equal(StatusCodes.Status404NotFound, unknown.Status);
        Assert.Equal("No claims file has this id.", unknown.ProblemTitle);
        Assert.Equal(StatusCodes.Status404NotFound, notAnId.Status);
    }

    [Fact]
    public async Task GetClaimsFileAcknowledgment_X12File200AsAnX12Attachment_CsvFile404_Unknown404()
    {
        var x12 = Mets.Claims.Tests.X12Samples.File(Mets.Claims.Tests.X12Samples.Set("0001", "HTTP"));
        var x12Id = await ProcessAsync("incoming/claims.837", x12);
        var csvId = await ProcessAsync("upload.csv", "not,a,claims\nfile,at,all\n");
        var unknownId = new string('b', 64);
        var stored = (await _host.Services.GetRequiredService<Mets.Claims.Storage.IClaimsStore>().GetFileAsync(x12Id, CancellationToken.None))!.Acknowledgment!;

        var acknowledgment = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileAcknowledgment, FunctionAppTestHost.Request("GET", $"/api/claims/files/{x12Id}/acknowledgment", Clinician, routeValues: Id(x12Id)),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileAcknowledgment(r, x12Id, c, CancellationToken.None));
        var status = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileStatus, FunctionAppTestHost.Request("GET", $"/api/claims/files/{x12Id}", Clinician, routeValues: Id(x12Id)),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileStatus(r, x12Id, c, CancellationToken.None));
        var none = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileAcknowledgment, FunctionAppTestHost.Request("GET", $"/api/claims/files/{csvId}/acknowledgment", Clinician, routeValues: Id(csvId)),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileAcknowledgment(r, csvId, c, CancellationToken.None));
        var unknown = await InvokeAsync(HttpFunctionRoutes.GetClaimsFileAcknowledgment, FunctionAppTestHost.Request("GET", $"/api/claims/files/{unknownId}/acknowledgment", Clinician, routeValues: Id(unknownId)),
            (r, c, _) => ClaimsFileFunctions.GetClaimsFileAcknowledgment(r, unknownId, c, CancellationToken.None));

        Assert.Equal((StatusCodes.Status200OK, "application/edi-x12"), (acknowledgment.Status, acknowledgment.ContentType));
        Assert.Equal(stored.Content, acknowledgment.Body);
        var disposition = System.Net.Http.Headers.ContentDispositionHeaderValue.Parse(acknowledgment.Headers.ContentDisposition.ToString());
        Assert.Equal(("attachment", "claims.837.999"), (disposition.DispositionType, disposition.FileName?.Trim('"')));
        Assert.Equal(1, status.Json.GetProperty("claimsApplied").GetInt32());
        var view = status.Json.GetProperty("acknowledgment");
        Assert.Equal(("999", "A", stored.ControlNumber, $"/api/claims/files/{x12Id}/acknowledgment"),
            (view.GetProperty("kind").GetString(), view.GetProperty("code").GetString(), view.GetProperty("controlNumber").GetString(), view.GetProperty("uri").GetString()));
        Assert.Equal((StatusCodes.Status404NotFound, "This claims file has no acknowledgment."), (none.Status, none.ProblemTitle));
        Assert.Equal((StatusCodes.Status404NotFound, "No claims file has this id."), (unknown.Status, unknown.ProblemTitle));
    }

    /// <summary>A claims file processed as the blob side would process it; returns its id.</summary>
    private async Task<string> ProcessAsync(string name, string content)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Mets.FunctionApp.Durable.InvocationDurableClient>().Use(_host.Durable.Object);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        return (await scope.ServiceProvider.GetRequiredService<Mets.Workflow.ClaimsIntake.ClaimsFileProcessor>().ProcessAsync(name, stream, CancellationToken.None)).File.ContentHash;
    }

    /// <summary>An engagement whose outreach emailed the provider a signed link (as the outreach orchestration would).</summary>
    private async Task<(string Engagement, string Outreach, string Token)> EmailedOutreachAsync(string referralId, string memberId, string diagnoses = "\"F32.1\"")
    {
        var id = await StartedAsync(referralId, memberId, diagnoses);
        var store = _host.Services.GetRequiredService<ICaseStore>();
        var found = await store.GetAsync(EngagementId.Parse(id));
        var now = DateTimeOffset.UtcNow;
        var outreachId = OutreachId.For(found!.Id, Npi.Parse("1234567893"));
        var outreach = new Mets.Domain.Engagements.ProviderOutreach(outreachId, Mets.Domain.Referrals.ProviderRole.Psychiatry,
            Mets.Domain.Engagements.ProviderOutreachStatus.Emailed, now, now, 0, null, null, null, null);
        var updated = found.RecordOutreach(outreach, Mets.Domain.Engagements.TimelineEntryKind.OutreachStarted, Mets.Domain.Engagements.Actor.System, now);
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(updated, "test-outreach-" + id)).Outcome);
        var token = _host.Services.GetRequiredService<Mets.Workflow.Links.ProviderLinkSigner>().CreateToken(outreachId, now);
        return (id, outreachId.Value, token);
    }

    [Fact]
    public async Task ShowProviderRequest_SignedLink200Page_NoMemberData()
    {
        var (_, _, token) = await EmailedOutreachAsync("REF-F-LINK-SHOW", "PLAN:M0000110");

        var answer = await ShowLinkAsync(token);

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.StartsWith("text/html", answer.ContentType, StringComparison.Ordinal);
        Assert.Contains("<form", answer.Body, StringComparison.Ordinal);
        Assert.Contains("F32.1", answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("M0000110", answer.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", answer.Headers.CacheControl.ToString());
    }

    /// <summary>GET the provider page behind <paramref name="token"/>.</summary>
    private Task<Answer> ShowLinkAsync(string token) =>
        InvokeAsync(HttpFunctionRoutes.ShowProviderRequest, FunctionAppTestHost.Request("GET", $"/api/provider-responses/{token}"),
            (r, c, d) => ProviderResponseFunctions.ShowProviderRequest(r, token, d, c, CancellationToken.None));

    /// <summary>POST an answer to the link: the page's form (<c>response=...</c>) unless another content type is given.</summary>
    private Task<Answer> AnswerLinkAsync(string token, string body, string contentType = "application/x-www-form-urlencoded") =>
        InvokeAsync(HttpFunctionRoutes.RecordProviderResponse, FunctionAppTestHost.Request("POST", $"/api/provider-responses/{token}", body: body, contentType: contentType),
            (r, c, d) => ProviderResponseFunctions.RecordProviderResponse(r, token, d, c, CancellationToken.None));

    /// <summary>The engagement behind <paramref name="engagement"/> as the orchestration leaves it after <paramref name="change"/>.</summary>
    private async Task SettleAsync(string engagement, Func<Mets.Domain.Engagements.EngagementCase, Mets.Domain.Engagements.EngagementCase> change)
    {
        var store = _host.Services.GetRequiredService<ICaseStore>();
        var found = await store.GetAsync(EngagementId.Parse(engagement));
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(change(found!), "test-settle-" + engagement)).Outcome);
    }

    [Fact]
    public async Task ShowProviderRequest_AfterTheAnswerOrTheClosure_ShowsNoDiagnosisCodes()
    {
        var (answeredEngagement, answeredOutreach, answeredToken) = await EmailedOutreachAsync("REF-F-LINK-DONE", "PLAN:M0000113");
        var (closedEngagement, _, closedToken) = await EmailedOutreachAsync("REF-F-LINK-CLOSED", "PLAN:M0000114");
        var now = DateTimeOffset.UtcNow;
        await SettleAsync(answeredEngagement, found => found.RecordOutreach(
            found.Outreach.Single(o => o.Id.Value == answeredOutreach).Answered(Mets.Domain.Engagements.ProviderResponse.DeclinedToCollaborate, now),
            Mets.Domain.Engagements.TimelineEntryKind.ProviderResponded, Mets.Domain.Engagements.Actor.System, now));
        await SettleAsync(closedEngagement, found => found.Close(Mets.Domain.Closure.ClosureReason.MemberDeclined, Mets.Domain.Engagements.Actor.System, now));

        var answered = await ShowLinkAsync(answeredToken);
        var badFormAfterAnswer = await AnswerLinkAsync(answeredToken, "response=maybe");
        var secondAnswer = await AnswerLinkAsync(answeredToken, "response=willCollaborate");
        var closed = await ShowLinkAsync(closedToken);
        var answerAfterClosure = await AnswerLinkAsync(closedToken, "response=willCollaborate");

        Assert.Equal(StatusCodes.Status200OK, answered.Status);
        Assert.Contains("Recorded: <strong>I decline to collaborate</strong>", answered.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status400BadRequest, badFormAfterAnswer.Status);
        Assert.Equal(StatusCodes.Status409Conflict, secondAnswer.Status);
        Assert.Contains("I decline to collaborate", secondAnswer.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status200OK, closed.Status);
        Assert.Contains("This request is closed", closed.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status409Conflict, answerAfterClosure.Status);
        Assert.Contains("Request closed", answerAfterClosure.Body, StringComparison.Ordinal);
        foreach (var page in new[] { answered, badFormAfterAnswer, secondAnswer, closed, answerAfterClosure })
        {
            Assert.DoesNotContain("F32.1", page.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Diagnosis codes", page.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("<form", page.Body, StringComparison.Ordinal);
        }

        _host.Durable.Verify(c => c.RaiseEventAsync(It.IsAny<string>(), "ProviderResponded", It.IsAny<object?>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task RecordProviderResponse_SignedLinkJson202_FormThankYou200_SecondAnswer409NamingTheFirst()
    {
        var (_, outreach, token) = await EmailedOutreachAsync("REF-F-LINK-POST", "PLAN:M0000111");
        var (_, formOutreach, formToken) = await EmailedOutreachAsync("REF-F-LINK-POST2", "PLAN:M0000112");
        RecordsAnswers(outreach);
        RecordsAnswers(formOutreach);

        var json = await AnswerLinkAsync(token, """{ "response": "willCollaborate" }""", "application/json");
        var form = await AnswerLinkAsync(formToken, "response=notTreatingMember");
        var second = await AnswerLinkAsync(token, "response=declinedToCollaborate");

        Assert.Equal(StatusCodes.Status202Accepted, json.Status);
        Assert.Equal("recorded", json.Json.GetProperty("status").GetString());
        Assert.Equal("willCollaborate", json.Json.GetProperty("response").GetString());
        Assert.Equal(StatusCodes.Status200OK, form.Status);
        Assert.Contains("Thank you", form.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status409Conflict, second.Status);
        Assert.Contains("Response already recorded", second.Body, StringComparison.Ordinal);
        Assert.Contains("I will collaborate", second.Body, StringComparison.Ordinal);
        _host.Durable.Verify(c => c.RaiseEventAsync(outreach, "ProviderResponded", It.IsAny<object?>(), It.IsAny<CancellationToken>()), Times.Once);
        _host.Durable.Verify(c => c.RaiseEventAsync(formOutreach, "ProviderResponded", It.IsAny<object?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task RecordConsent_202NamingTheConsent_PageShowsTheSubstanceUseCodeWithTheNotice_UntilRevoked()
    {
        var (id, _, token) = await EmailedOutreachAsync("REF-F-CONSENT", "PLAN:M0000121", "\"F32.1\", \"F11.20\"");
        Task<Answer> Post(string function, string path, string body, Func<HttpRequest, FunctionContext, Task<IResult>> call, string? itemId = null)
        {
            var values = new Dictionary<string, string> { ["id"] = id };
            if (itemId is not null)
            {
                values["itemId"] = itemId;
            }

            return InvokeAsync(function, FunctionAppTestHost.Request("POST", path, Clinician, body, routeValues: values), (r, c, _) => call(r, c));
        }

        const string Tpo = """
            { "recipients": { "class": "treatingProviders" }, "purposes": ["treatment", "payment", "healthCareOperations"],
              "information": ["diagnoses"], "expiresAtEvent": "endOfEngagement", "signedBy": "member", "signedOn": "2026-01-05" }
            """;
        var before = await ShowLinkAsync(token);
        var badNpi = await Post(HttpFunctionRoutes.RecordConsent, $"/api/engagements/{id}/consents",
            """{ "recipients": { "npis": ["1234567890"] }, "purposes": ["treatment"], "information": ["diagnoses"], "expiresOn": "2027-01-01", "signedBy": "member", "signedOn": "2026-01-05" }""",
            (r, c) => CarePlanFunctions.RecordConsent(r, id, c, CancellationToken.None));
        var classForTreatmentOnly = await Post(HttpFunctionRoutes.RecordConsent, $"/api/engagements/{id}/consents", Tpo.Replace("\"payment\", \"healthCareOperations\"", string.Empty, StringComparison.Ordinal).Replace("\"treatment\", ", "\"treatment\"", StringComparison.Ordinal),
            (r, c) => CarePlanFunctions.RecordConsent(r, id, c, CancellationToken.None));
        var recorded = await Post(HttpFunctionRoutes.RecordConsent, $"/api/engagements/{id}/consents", Tpo, (r, c) => CarePlanFunctions.RecordConsent(r, id, c, CancellationToken.None));
        var shared = await ShowLinkAsync(token);
        var unknown = await Post(HttpFunctionRoutes.RevokeConsent, $"/api/engagements/{id}/consents/C7/revocation", """{ "revokedOn": "2026-01-06" }""",
            (r, c) => CarePlanFunctions.RevokeConsent(r, id, "C7", c, CancellationToken.None), "C7");
        var revocation = await Post(HttpFunctionRoutes.RevokeConsent, $"/api/engagements/{id}/consents/C1/revocation", """{ "revokedOn": "2026-01-06" }""",
            (r, c) => CarePlanFunctions.RevokeConsent(r, id, "C1", c, CancellationToken.None), "C1");
        var revoked = await ShowLinkAsync(token);

        Assert.DoesNotContain("F11.20", before.Body, StringComparison.Ordinal);
        Assert.Contains("has not consented", before.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status400BadRequest, badNpi.Status);
        Assert.True(badNpi.Json.GetProperty("errors").TryGetProperty("$.recipients.npis[0]", out _));
        Assert.Equal(StatusCodes.Status400BadRequest, classForTreatmentOnly.Status);
        Assert.Equal(StatusCodes.Status202Accepted, recorded.Status);
        Assert.Equal("C1", recorded.Json.GetProperty("itemId").GetString());
        Assert.Equal($"/api/engagements/{id}", recorded.Json.GetProperty("statusUri").GetString());
        Assert.Contains("F11.20", shared.Body, StringComparison.Ordinal);
        Assert.Contains("This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2).", shared.Body, StringComparison.Ordinal);
        Assert.Contains("Consent C1 was signed by the member on 2026-01-05.", shared.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status404NotFound, unknown.Status);
        Assert.Equal("ConsentNotFound", unknown.Json.GetProperty("code").GetString());
        Assert.Equal(StatusCodes.Status202Accepted, revocation.Status);
        Assert.DoesNotContain("F11.20", revoked.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("42 CFR part 2). These rules", revoked.Body, StringComparison.Ordinal);
        Assert.Contains("the member revoked the consent", revoked.Body, StringComparison.Ordinal);
        var engagement = await _host.Services.GetRequiredService<ICaseStore>().GetAsync(EngagementId.Parse(id));
        Assert.Single(engagement!.Timeline, t => t.Kind == Mets.Domain.Engagements.TimelineEntryKind.SubstanceUseInformationDisclosed);
    }

    [Fact]
    public async Task CarePlan_GoalsBarriersInterventions202_SharedWithTheCollaboratingProvider_WhoAgreesOnTheCarePlanPage()
    {
        var (id, outreach, requestToken) = await EmailedOutreachAsync("REF-F-PLAN", "PLAN:M0000122");
        var now = DateTimeOffset.UtcNow;
        var assessment = new Mets.Domain.Assessments.Assessment(
            new Mets.Domain.Assessments.AssessmentScores(null, null, null, null, [], []), ["walk daily"], StaffId.Parse(TestTokens.ClinicianUser), now);
        await SettleAsync(id, found => found
            .CompleteAssessment(assessment, new Mets.Domain.Risk.RiskTierDecision(Mets.Domain.Risk.RiskTier.Low, []), Mets.Domain.CarePlans.CarePlan.FromAssessment(assessment, []))
            .RecordOutreach(found.Outreach.Single().Answered(Mets.Domain.Engagements.ProviderResponse.WillCollaborate, now),
                Mets.Domain.Engagements.TimelineEntryKind.ProviderResponded, Mets.Domain.Engagements.Actor.System, now));
        Task<Answer> Post(string function, string path, string body, Func<HttpRequest, FunctionContext, DurableTaskClient, Task<IResult>> call, string? itemId = null)
        {
            var values = new Dictionary<string, string> { ["id"] = id };
            if (itemId is not null)
            {
                values["itemId"] = itemId;
            }

            return InvokeAsync(function, FunctionAppTestHost.Request("POST", path, Clinician, body, routeValues: values), call);
        }

        var goal = await Post(HttpFunctionRoutes.AddGoal, $"/api/engagements/{id}/care-plan/goals", """{ "description": "sleep before midnight", "status": "agreed" }""",
            (r, c, d) => CarePlanFunctions.AddGoal(r, id, d, c, CancellationToken.None));
        var agreed = await Post(HttpFunctionRoutes.ChangeGoal, $"/api/engagements/{id}/care-plan/goals/G1", """{ "status": "agreed", "target": "3 walks a week" }""",
            (r, c, d) => CarePlanFunctions.ChangeGoal(r, id, "G1", d, c, CancellationToken.None), "G1");
        var unknownGoal = await Post(HttpFunctionRoutes.ChangeGoal, $"/api/engagements/{id}/care-plan/goals/G9", """{ "status": "agreed" }""",
            (r, c, d) => CarePlanFunctions.ChangeGoal(r, id, "G9", d, c, CancellationToken.None), "G9");
        var needless = await Post(HttpFunctionRoutes.AddBarrier, $"/api/engagements/{id}/care-plan/barriers", """{ "kind": "socialDeterminants" }""",
            (r, c, d) => CarePlanFunctions.AddBarrier(r, id, d, c, CancellationToken.None));
        var barrier = await Post(HttpFunctionRoutes.AddBarrier, $"/api/engagements/{id}/care-plan/barriers", """{ "kind": "socialDeterminants", "socialNeed": "housingInstability" }""",
            (r, c, d) => CarePlanFunctions.AddBarrier(r, id, d, c, CancellationToken.None));
        var intervention = await Post(HttpFunctionRoutes.AddIntervention, $"/api/engagements/{id}/care-plan/interventions",
            """{ "kind": "socialNeedsReferral", "description": "housing navigator", "barrierId": "B1" }""", (r, c, d) => CarePlanFunctions.AddIntervention(r, id, d, c, CancellationToken.None));
        var completed = await Post(HttpFunctionRoutes.ChangeIntervention, $"/api/engagements/{id}/care-plan/interventions/I1", """{ "status": "completed" }""",
            (r, c, d) => CarePlanFunctions.ChangeIntervention(r, id, "I1", d, c, CancellationToken.None), "I1");
        var resolved = await Post(HttpFunctionRoutes.ChangeBarrier, $"/api/engagements/{id}/care-plan/barriers/B1", """{ "resolved": true }""",
            (r, c, d) => CarePlanFunctions.ChangeBarrier(r, id, "B1", d, c, CancellationToken.None), "B1");
        var share = await Post(HttpFunctionRoutes.ShareCarePlan, $"/api/engagements/{id}/care-plan/share", "{}", (r, c, d) => CarePlanFunctions.ShareCarePlan(r, id, d, c, CancellationToken.None));
        var stepUp = await Post(HttpFunctionRoutes.RecommendLevelOfCare, $"/api/engagements/{id}/care-plan/level-of-care",
            """{ "from": "outpatient", "to": "intensiveOutpatient", "reason": "two ED visits this month" }""", (r, c, d) => CarePlanFunctions.RecommendLevelOfCare(r, id, d, c, CancellationToken.None));
        var sameLevel = await Post(HttpFunctionRoutes.RecommendLevelOfCare, $"/api/engagements/{id}/care-plan/level-of-care",
            """{ "from": "outpatient", "to": "outpatient", "reason": "x" }""", (r, c, d) => CarePlanFunctions.RecommendLevelOfCare(r, id, d, c, CancellationToken.None));

        Assert.Equal((StatusCodes.Status202Accepted, "G2"), (goal.Status, goal.Json.GetProperty("itemId").GetString()));
        Assert.Equal(StatusCodes.Status202Accepted, agreed.Status);
        Assert.Equal((StatusCodes.Status404NotFound, "CarePlanItemNotFound"), (unknownGoal.Status, unknownGoal.Json.GetProperty("code").GetString()));
        Assert.Equal(StatusCodes.Status400BadRequest, needless.Status);
        Assert.Equal("B1", barrier.Json.GetProperty("itemId").GetString());
        Assert.Equal("I1", intervention.Json.GetProperty("itemId").GetString());
        Assert.Equal((StatusCodes.Status202Accepted, StatusCodes.Status202Accepted), (completed.Status, resolved.Status));
        Assert.True(share.Status == StatusCodes.Status202Accepted, string.Join("\n", _host.Logs.GetSnapshot().Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Message + " " + l.Exception)));
        Assert.Equal("1234567893", Assert.Single(share.Json.GetProperty("sharedWith").EnumerateArray()).GetString());
        Assert.Equal(StatusCodes.Status202Accepted, stepUp.Status);
        Assert.Equal("1234567893", Assert.Single(stepUp.Json.GetProperty("sharedWith").EnumerateArray()).GetString());
        Assert.Equal(StatusCodes.Status400BadRequest, sameLevel.Status);
        Assert.True(sameLevel.Json.GetProperty("errors").TryGetProperty("$.to", out _));

        var token = _host.Services.GetRequiredService<Mets.Workflow.Links.ProviderLinkSigner>().CreateToken(OutreachId.Parse(outreach), now, Mets.Workflow.Links.ProviderLinkPurpose.CarePlan);
        Task<Answer> Page(string t, string? body = null, string contentType = "application/x-www-form-urlencoded") => body is null
            ? InvokeAsync(HttpFunctionRoutes.ShowProviderCarePlan, FunctionAppTestHost.Request("GET", $"/api/provider-responses/{t}/care-plan"),
                (r, c, d) => CarePlanFunctions.ShowProviderCarePlan(r, t, d, c, CancellationToken.None))
            : InvokeAsync(HttpFunctionRoutes.RecordProviderGoalAnswer, FunctionAppTestHost.Request("POST", $"/api/provider-responses/{t}/care-plan", body: body, contentType: contentType),
                (r, c, d) => CarePlanFunctions.RecordProviderGoalAnswer(r, t, d, c, CancellationToken.None));
        var page = await Page(token);
        var byRequestLink = await Page(requestToken);
        var form = await Page(token, "goal=G1&action=agreed&text=");
        var json = await Page(token, """{ "goalId": "G2", "action": "note", "text": "agreed with the member" }""", "application/json");
        var notShared = await Page(token, """{ "goalId": "G7", "action": "agreed" }""", "application/json");

        Assert.Equal(StatusCodes.Status200OK, page.Status);
        Assert.Contains("walk daily", page.Body, StringComparison.Ordinal);
        Assert.Contains("sleep before midnight", page.Body, StringComparison.Ordinal);
        Assert.Contains("Step up from outpatient to intensive outpatient. Reason: two ED visits this month", page.Body, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\"><input type=\"hidden\" name=\"goal\" value=\"G1\">", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("M0000122", page.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl.ToString());
        Assert.Equal(StatusCodes.Status403Forbidden, byRequestLink.Status);
        Assert.Equal(StatusCodes.Status200OK, form.Status);
        Assert.Contains("Your answer to G1 was recorded.", form.Body, StringComparison.Ordinal);
        Assert.Contains("You agreed on", form.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status202Accepted, json.Status);
        Assert.Equal("recorded", json.Json.GetProperty("status").GetString());
        Assert.Equal((StatusCodes.Status404NotFound, "GoalNotShared"), (notShared.Status, notShared.Json.GetProperty("code").GetString()));
        var engagement = await _host.Services.GetRequiredService<ICaseStore>().GetAsync(EngagementId.Parse(id));
        Assert.Equal(2, engagement!.Timeline.Count(t => t.Kind == Mets.Domain.Engagements.TimelineEntryKind.ProviderGoalAnswered));
        Assert.Equal(2, engagement.Timeline.Count(t => t.Kind == Mets.Domain.Engagements.TimelineEntryKind.CarePlanShared)); // the share, and the level-of-care recommendation
    }

    [Fact]
    public async Task AddCareTeamMember_BeforeTheAssessment409_Then202AskingTheEngagementForTheirOutreach_BadNpi400()
    {
        var id = await StartedAsync("REF-F-TEAM", "PLAN:M0000123");
        Running(id);
        object? raised = null;
        _host.Durable.Setup(c => c.RaiseEventAsync(id, "CareTeamOutreachRequested", It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string _, object? payload, CancellationToken _) => raised = payload)
            .Returns(Task.CompletedTask);
        Task<Answer> Add(string body) => InvokeAsync(HttpFunctionRoutes.AddCareTeamMember,
            FunctionAppTestHost.Request("POST", $"/api/engagements/{id}/care-team", Clinician, body, routeValues: Id(id)),
            (r, c, d) => CarePlanFunctions.AddCareTeamMember(r, id, d, c, CancellationToken.None));
        const string Dentist = """{ "name": "Bright Smile Dental", "npi": "1122334455", "email": "desk@brightsmile.example", "role": "dental", "phone": "850-555-0100" }""";

        var early = await Add(Dentist);
        var now = DateTimeOffset.UtcNow;
        var assessment = new Mets.Domain.Assessments.Assessment(
            new Mets.Domain.Assessments.AssessmentScores(null, null, null, null, [], []), [], StaffId.Parse(TestTokens.ClinicianUser), now);
        await SettleAsync(id, found => found.CompleteAssessment(assessment, new Mets.Domain.Risk.RiskTierDecision(Mets.Domain.Risk.RiskTier.Low, []), Mets.Domain.CarePlans.CarePlan.Empty));
        var added = await Add(Dentist);
        var badNpi = await Add("""{ "name": "X", "npi": "1122334456", "email": "x@example.org", "role": "dental" }""");

        Assert.Equal((StatusCodes.Status409Conflict, "NotExpectedNow"), (early.Status, early.Json.GetProperty("code").GetString()));
        Assert.Equal((StatusCodes.Status202Accepted, "1122334455"), (added.Status, added.Json.GetProperty("itemId").GetString()));
        var request = Assert.IsType<Mets.Workflow.CarePlans.CareTeamOutreachRequested>(raised);
        Assert.Equal((Npi.Parse("1122334455"), Mets.Domain.Referrals.ProviderRole.Dental), (request.Npi, request.Role));
        Assert.Equal(StatusCodes.Status400BadRequest, badNpi.Status);
        Assert.True(badNpi.Json.GetProperty("errors").TryGetProperty("$.npi", out _));
        var engagement = await _host.Services.GetRequiredService<ICaseStore>().GetAsync(EngagementId.Parse(id));
        Assert.Equal("850-555-0100", engagement!.FindTreatingProvider(Npi.Parse("1122334455"))!.Phone);
    }

    [Fact]
    public async Task SearchCommunityResources_ByNeedAndArea200_UnknownNeed400_EmptyDirectoryFindsNothing()
    {
        await using var withDirectory = FunctionAppTestHost.Start(new Dictionary<string, string?> { ["Mets:CommunityResources:Path"] = "community-resources.sample.csv" });
        Task<Answer> Search(FunctionAppTestHost host, string query) => host.InvokeAsync(HttpFunctionRoutes.SearchCommunityResources,
            FunctionAppTestHost.Request("GET", "/api/community-resources" + query, Clinician), (c, _) => Task.FromResult(CarePlanFunctions.SearchCommunityResources(c.GetHttpContext()!.Request, c)));

        var food = await Search(withDirectory, "?need=foodInsecurity&area=Wakulla");
        var badNeed = await Search(withDirectory, "?need=loneliness");
        var none = await Search(_host, "?need=transportation");

        Assert.Equal(StatusCodes.Status200OK, food.Status);
        Assert.Equal(["FOOD-001", "FOOD-003"], food.Json.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.All(food.Json.GetProperty("resources").EnumerateArray(), r => Assert.Equal("foodInsecurity", r.GetProperty("need").GetString()));
        Assert.Equal(StatusCodes.Status400BadRequest, badNeed.Status);
        Assert.True(badNeed.Json.GetProperty("errors").TryGetProperty("$.need", out _));
        Assert.Empty(none.Json.GetProperty("resources").EnumerateArray());
    }

    [Fact]
    public async Task ShowProviderRequest_InvalidLink403Page_Anonymous()
    {
        var answer = await InvokeAsync(HttpFunctionRoutes.ShowProviderRequest, FunctionAppTestHost.Request("GET", "/api/provider-responses/not-a-signed-token"),
            (r, c, d) => ProviderResponseFunctions.ShowProviderRequest(r, "not-a-signed-token", d, c, CancellationToken.None));

        Assert.Equal(StatusCodes.Status403Forbidden, answer.Status);
        Assert.StartsWith("text/html", answer.ContentType, StringComparison.Ordinal);
        Assert.Contains("This link cannot be used", answer.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", answer.Headers.CacheControl.ToString());
        Assert.Equal("no-referrer", answer.Headers["Referrer-Policy"].ToString());
    }

    [Fact]
    public async Task RecordProviderResponse_InvalidLinkJson403_Form403Page_OtherBody415()
    {
        const string token = "not-a-signed-token";
        var json = await AnswerLinkAsync(token, """{ "response": "willCollaborate" }""", "application/json");
        var form = await AnswerLinkAsync(token, "response=willCollaborate");
        var other = await AnswerLinkAsync(token, "yes", "text/plain");

        Assert.Equal(StatusCodes.Status403Forbidden, json.Status);
        Assert.Equal("LinkInvalid", json.Json.GetProperty("code").GetString());
        Assert.Equal(StatusCodes.Status403Forbidden, form.Status);
        Assert.StartsWith("text/html", form.ContentType, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, other.Status);
    }

    [Fact]
    public async Task GetHealth_Anonymous200_NamesTheStores()
    {
        var answer = await _host.InvokeAsync(HttpFunctionRoutes.GetHealth, FunctionAppTestHost.Request("GET", "/api/health"),
            (context, _) => Task.FromResult(HealthFunctions.GetHealth(context.GetHttpContext()!.Request, context)));

        Assert.Equal(StatusCodes.Status200OK, answer.Status);
        Assert.Equal("healthy", answer.Json.GetProperty("status").GetString());
        Assert.Equal("azure-functions", answer.Json.GetProperty("host").GetString());
        var stores = answer.Json.GetProperty("stores");
        Assert.Equal("durable-functions", stores.GetProperty("engine").GetString());
        Assert.Equal("sqlite", stores.GetProperty("cases").GetString()); // no Cosmos section in this test's configuration
        Assert.Equal("blob", stores.GetProperty("claimsInbox").GetString());
        Assert.Equal("outbox", stores.GetProperty("mail").GetString());
    }

    [Fact]
    public void Health_WithCosmosAndSendGrid_ReportsThem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cosmos:AccountEndpoint"] = "https://account.documents.azure.com:443/",
            ["SendGrid:ApiKey"] = "SG.x",
        }).Build();

        var stores = FunctionHealth.From(configuration).Report.Stores;

        Assert.Equal("cosmos", stores["cases"]);
        Assert.Equal("cosmos", stores["claims"]);
        Assert.Equal("sendgrid", stores["mail"]);
    }
}
