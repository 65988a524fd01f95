using System.Collections.Concurrent;
using System.Text.Json;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Orchestration;
using Microsoft.DurableTask.Converters;

namespace Mets.Workflow.Tests.Serialization;

/// <summary>
/// Every orchestration payload METS writes (orchestrator inputs and outputs, activity inputs and results,
/// event payloads, custom status) round-trips identically between the two serializers it meets in
/// production: Microsoft.DurableTask's <see cref="JsonDataConverter.Default"/> (what the embedded engine and
/// Microsoft's own worker use) and the Azure Functions isolated worker's default serializer, which the
/// Durable extension uses there (<c>WorkerOptions.Serializer</c> = a JsonObjectSerializer over
/// <see cref="JsonSerializerOptions"/> with <c>PropertyNameCaseInsensitive = true</c>, writing with the
/// value's runtime type). Written by one and read by the other, every payload is the same value. The texts
/// differ in one place, which both read: Microsoft's converter serializes a raised event as <c>object</c> and so
/// writes the <c>$event</c> discriminator of <see cref="EngagementEvent"/>, the worker's does not. The payloads
/// are the real ones, every value serialized while two whole engagements run on the embedded engine.
/// </summary>
public class PayloadSerializerParityTests
{
    /// <summary>The Functions isolated worker's default: Azure.Core's JsonObjectSerializer over these options.</summary>
    private static readonly JsonSerializerOptions FunctionsWorker = new() { PropertyNameCaseInsensitive = true };

    [Fact]
    public async Task EveryPayloadOfTwoEngagements_WrittenByOneSerializer_IsTheSameValueReadByTheOther()
    {
        var recorder = new RecordingConverter();
        await RunTwoEngagementsAsync(recorder);
        var payloads = recorder.Payloads.ToList();

        foreach (var (json, type) in payloads)
        {
            // Microsoft's converter wrote it; the Functions worker reads it as the same value...
            var readByWorker = JsonSerializer.Deserialize(json, type, FunctionsWorker);
            Assert.True(json == JsonDataConverter.Default.Serialize(readByWorker), $"{type.Name}: the Functions worker read {json} as another value");

            // ...and writes it back, and Microsoft's converter reads the worker's text as the same value.
            var writtenByWorker = JsonSerializer.Serialize(readByWorker, type, FunctionsWorker);
            var readByMicrosoft = JsonDataConverter.Default.Deserialize(writtenByWorker, type);
            Assert.True(json == JsonDataConverter.Default.Serialize(readByMicrosoft), $"{type.Name}: Microsoft's converter read {writtenByWorker} as another value");
        }

        var covered = payloads.Select(p => p.Type).ToHashSet();
        Type[] required =
        [
            typeof(EngagementState), typeof(EngagementResult), typeof(OutreachInput), typeof(ProviderOutreachStatus), typeof(EngagementStatusView),
            typeof(Activities.StartEngagementRequest), typeof(Activities.EngagementStarted), typeof(Activities.CaseUpdateRequest),
            typeof(Activities.EmailRequest), typeof(Activities.ClosureSummaryRequest), typeof(bool), typeof(int),
            typeof(ReferralAttached), typeof(AssessmentCompleted), typeof(MemberContactAttempted), typeof(ReviewCompleted),
            typeof(ClosureReviewDecided), typeof(ClaimsActivityObserved), typeof(ClosureRequested), typeof(ProviderResponded),
            typeof(PeerReviewRecorded), typeof(OutreachReported), typeof(OutreachStopRequested),
        ];
        Assert.All(required, t => Assert.True(covered.Contains(t), $"no {t.Name} payload was written: extend the scenario"));
    }

    /// <summary>Two engagements that between them write every kind of payload.</summary>
    private static async Task RunTwoEngagementsAsync(DataConverter converter)
    {
        await using var h = await WorkflowHarness.StartAsync(converter: converter);

        // Engagement 1: attached referral, contact attempt, assessment, one provider answers, the other escalates to a
        // peer-to-peer review, claims activity, a review, the closure review (extended), then closed by a review.
        var first = (await h.Service.SubmitReferralAsync(Sample.Referral("REF-1", at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        await h.Service.SubmitReferralAsync(Sample.Referral("REF-2", urgency: Mets.Domain.Referrals.ReferralUrgency.Urgent, at: h.Now));
        await h.Service.RecordContactAttemptAsync(first, MemberContactOutcome.NoAnswer, Sample.Clinician);
        await h.IdleAsync();
        await h.Service.RecordAssessmentAsync(first, Sample.Assessment(h.Now, Sample.Scores(phq9Total: 12)));
        await h.IdleAsync();
        await h.Service.RespondToOutreachAsync(h.TokenFromEmail(OutreachId.For(first, Sample.ProviderA)), ProviderResponse.WillCollaborate);
        await h.AdvanceAsync(TimeSpan.FromDays(13));
        await h.Service.RecordPeerReviewAsync(OutreachId.For(first, Sample.ProviderB), PeerReviewOutcome.AgreedOnPlan, Sample.MedicalDirector);
        await h.Service.ObserveClaimsActivityAsync(Sample.Member(), ClaimsActivityKind.CareGapOpened, h.Now, "FUH-7");
        await h.IdleAsync();
        await h.Service.RecordReviewAsync(first, new Mets.Workflow.Application.ReviewSubmission(1, Sample.Scores(phq9Total: 9), null, Sample.Clinician));
        await h.AdvanceAsync(TimeSpan.FromDays(170));
        await h.Service.DecideClosureReviewAsync(first, 1, ClosureReviewDecision.Extend, null, Sample.Supervisor);
        await h.IdleAsync();
        var step = (await h.CaseAsync(first)).CurrentStep.Step;
        await h.Service.RecordReviewAsync(first, new Mets.Workflow.Application.ReviewSubmission(step.Number, null, ClosureReason.GoalsMet, Sample.Clinician));
        await h.IdleAsync();

        // Engagement 2: closed on request while both outreaches still run (they are told to stop).
        var second = (await h.Service.SubmitReferralAsync(Sample.Referral("REF-3", memberNumber: "OTHER123", at: h.Now))).EngagementId!.Value;
        await h.IdleAsync();
        await h.Service.RecordAssessmentAsync(second, Sample.Assessment(h.Now));
        await h.IdleAsync();
        await h.Service.RequestClosureAsync(second, ClosureReason.MemberDeclined, Actor.Staff(ActorKind.Clinician, Sample.Clinician));
        await h.IdleAsync();
        Assert.Equal(EngagementStatus.Closed, (await h.CaseAsync(first)).Status);
        Assert.Equal(EngagementStatus.Closed, (await h.CaseAsync(second)).Status);
    }

    /// <summary>Microsoft's converter, noting every payload it writes with the value's type (worker and client share it).</summary>
    private sealed class RecordingConverter : DataConverter
    {
        public ConcurrentQueue<(string Json, Type Type)> Payloads { get; } = new();

        public override string? Serialize(object? value)
        {
            var json = JsonDataConverter.Default.Serialize(value);
            if (json is not null)
            {
                Payloads.Enqueue((json, value!.GetType()));
            }

            return json;
        }

        public override object? Deserialize(string? data, Type targetType) => JsonDataConverter.Default.Deserialize(data, targetType);
    }
}
