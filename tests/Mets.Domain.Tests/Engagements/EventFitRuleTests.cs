using System.Text.Json;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Risk;

namespace Mets.Domain.Tests.Engagements;

public class EventFitRuleTests
{
    private static readonly EngagementId Id = Sample.Engagement;
    private static readonly DateTimeOffset At = Sample.T0;
    private static readonly OutreachId OutreachA = OutreachId.For(Id, Sample.ProviderA);
    private static readonly RiskTierDecision Low = new(RiskTier.Low, []);

    private static EngagementPosition Position(StepReference step, int reviews = 0, int closureReviews = 0, int attempts = 0,
        ProviderOutreachStatus? outreachA = null, EngagementStatus status = EngagementStatus.Open) =>
        new(Id, status, step, reviews, closureReviews, attempts, [ReferralId.Parse("REF-1")],
            outreachA is { } s ? new Dictionary<OutreachId, ProviderOutreachStatus> { [OutreachA] = s } : []);

    private static AssessmentCompleted Assessment(StepReference step) => new(Id, step, Sample.Scores(), Low, [new ProviderToContact(Sample.ProviderA, Mets.Domain.Referrals.ProviderRole.BehavioralHealth)], Sample.Clinician, At);

    private static ReviewCompleted Review(int n) => new(Id, StepReference.Review(n), Low, null, null, null, Sample.Clinician, At);

    private static ClosureReviewDecided Decision(int n) => new(Id, StepReference.ClosureReview(n), ClosureReviewDecision.Extend, null, Sample.Supervisor, At);

    [Fact]
    public void AssessmentCompleted_FitsOnlyTheAssessmentStep()
    {
        Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(Assessment(StepReference.Assessment), Position(StepReference.Assessment)));
        Assert.Equal(EventFit.Stale, EventFitRule.Evaluate(Assessment(StepReference.Assessment), Position(StepReference.Review(1), reviews: 1)));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Assessment(StepReference.Assessment), Position(StepReference.Received)));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Assessment(StepReference.Review(1)), Position(StepReference.Review(1), reviews: 1)));
    }

    [Fact]
    public void ReviewCompleted_CurrentFits_EarlierStale_LaterNotExpected()
    {
        var position = Position(StepReference.Review(3), reviews: 3);

        Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(Review(3), position));
        Assert.Equal(EventFit.Stale, EventFitRule.Evaluate(Review(2), position));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Review(4), position));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Review(1), Position(StepReference.Assessment)));
    }

    [Fact]
    public void ReviewCompleted_DuringClosureReview_IsStale()
    {
        Assert.Equal(EventFit.Stale, EventFitRule.Evaluate(Review(5), Position(StepReference.ClosureReview(1), reviews: 5, closureReviews: 1)));
    }

    [Fact]
    public void ClosureReviewDecided_CurrentFits_AfterExtensionStale()
    {
        Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(Decision(1), Position(StepReference.ClosureReview(1), reviews: 5, closureReviews: 1)));
        Assert.Equal(EventFit.Stale, EventFitRule.Evaluate(Decision(1), Position(StepReference.Review(6), reviews: 6, closureReviews: 1)));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Decision(1), Position(StepReference.Review(5), reviews: 5)));
    }

    [Fact]
    public void MemberContactAttempted_NextNumberFits_RepeatDuplicate_GapOrOtherStepRefused()
    {
        var position = Position(StepReference.Review(1), reviews: 1, attempts: 2);
        MemberContactAttempted Attempt(StepReference step, int n) => new(Id, step, n, MemberContactOutcome.NoAnswer, Sample.Clinician, At);

        Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(Attempt(StepReference.Review(1), 3), position));
        Assert.Equal(EventFit.Duplicate, EventFitRule.Evaluate(Attempt(StepReference.Review(1), 2), position));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Attempt(StepReference.Review(1), 5), position));
        Assert.Equal(EventFit.Stale, EventFitRule.Evaluate(Attempt(StepReference.Assessment, 3), position));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Attempt(StepReference.Review(2), 3), position));
        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(Attempt(StepReference.Received, 3), position));
    }

    [Theory]
    [InlineData(ProviderOutreachStatus.Emailed, EventFit.Fits, EventFit.NotExpectedNow)]
    [InlineData(ProviderOutreachStatus.Reminded, EventFit.Fits, EventFit.NotExpectedNow)]
    [InlineData(ProviderOutreachStatus.EscalatedToPeerReview, EventFit.Fits, EventFit.Fits)]
    [InlineData(ProviderOutreachStatus.Responded, EventFit.Duplicate, EventFit.Stale)]
    [InlineData(ProviderOutreachStatus.PeerReviewRecorded, EventFit.Stale, EventFit.Duplicate)]
    [InlineData(ProviderOutreachStatus.NoResponse, EventFit.Stale, EventFit.Stale)]
    [InlineData(ProviderOutreachStatus.StoppedAtClosure, EventFit.Stale, EventFit.Stale)]
    public void OutreachEvents_ByOutreachStatus(ProviderOutreachStatus status, EventFit response, EventFit peerReview)
    {
        var position = Position(StepReference.Review(1), reviews: 1, outreachA: status);

        Assert.Equal(response, EventFitRule.Evaluate(new ProviderResponded(Id, OutreachA, ProviderResponse.WillCollaborate, At), position));
        Assert.Equal(peerReview, EventFitRule.Evaluate(new PeerReviewRecorded(Id, OutreachA, PeerReviewOutcome.AgreedOnPlan, Sample.Supervisor, At), position));
    }

    [Fact]
    public void OutreachEvents_UnknownOutreachOrOtherEngagement()
    {
        var position = Position(StepReference.Review(1), reviews: 1);
        var other = EngagementId.New(Guid.Parse("99999999-2222-3333-4444-555555555555"));

        Assert.Equal(EventFit.NotExpectedNow, EventFitRule.Evaluate(new ProviderResponded(Id, OutreachA, ProviderResponse.WillCollaborate, At), position));
        Assert.Equal(EventFit.OtherEngagement,
            EventFitRule.Evaluate(new ProviderResponded(Id, OutreachId.For(other, Sample.ProviderA), ProviderResponse.WillCollaborate, At), position));
    }

    [Fact]
    public void AnyStepEvents_FitWhileOpen()
    {
        foreach (var step in new[] { StepReference.Received, StepReference.Assessment, StepReference.Review(2), StepReference.ClosureReview(1) })
        {
            var position = Position(step, reviews: 2, closureReviews: 1);
            Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(new ClosureRequested(Id, ClosureReason.MemberDeclined, Actor.System, At), position));
            Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(new ClaimsActivityObserved(Id, ClaimsActivityKind.BehavioralHealthEdVisit, At, null, At), position));
            Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(new ReferralAttached(Id, ReferralId.Parse("REF-2"), true, At), position));
            Assert.Equal(EventFit.Duplicate, EventFitRule.Evaluate(new ReferralAttached(Id, ReferralId.Parse("REF-1"), true, At), position));
        }
    }

    [Fact]
    public void ClosedOrOtherEngagement_RefusedFirst()
    {
        var closed = Position(StepReference.Closed, status: EngagementStatus.Closed);
        var other = EngagementId.New(Guid.Parse("99999999-2222-3333-4444-555555555555"));

        Assert.Equal(EventFit.EngagementClosed, EventFitRule.Evaluate(new ClosureRequested(Id, ClosureReason.GoalsMet, Actor.System, At), closed));
        Assert.Equal(EventFit.OtherEngagement, EventFitRule.Evaluate(Review(1) with { EngagementId = other }, Position(StepReference.Review(1), reviews: 1)));
    }

    [Fact]
    public void CasePosition_MatchesCaseDocument()
    {
        var c = EngagementCaseTests.Reviewing(out _);

        var position = c.Position;

        Assert.Equal(StepReference.Review(1), position.Step);
        Assert.Equal(EventFit.Fits, EventFitRule.Evaluate(Review(1), position));
        Assert.Equal(EventFit.Stale, EventFitRule.Evaluate(Assessment(StepReference.Assessment), position));
    }

    [Fact]
    public void Events_JsonRoundTrip_ConcreteAndPolymorphic()
    {
        EngagementEvent[] events =
        [
            new ReferralAttached(Id, ReferralId.Parse("REF-2"), true, At),
            Assessment(StepReference.Assessment),
            new MemberContactAttempted(Id, StepReference.Assessment, 1, MemberContactOutcome.MessageLeft, Sample.Clinician, At),
            new ProviderResponded(Id, OutreachA, ProviderResponse.DeclinedToCollaborate, At),
            new PeerReviewRecorded(Id, OutreachA, PeerReviewOutcome.AgreedOnPlan, Sample.Supervisor, At),
            Review(2) with { Phq9Total = 7, CloseWith = ClosureReason.GoalsMet },
            Decision(1),
            new ClaimsActivityObserved(Id, ClaimsActivityKind.CareGapOpened, At, "FUH-7", At),
            new ClosureRequested(Id, ClosureReason.LostEligibility, Actor.Staff(ActorKind.Supervisor, Sample.Supervisor), At),
        ];

        foreach (var e in events)
        {
            var asBase = JsonSerializer.Serialize(e);
            var asConcrete = JsonSerializer.Serialize(e, e.GetType());
            var back = JsonSerializer.Deserialize<EngagementEvent>(asBase)!;
            var backConcrete = (EngagementEvent)JsonSerializer.Deserialize(asConcrete, e.GetType())!;

            Assert.Contains($"\"$event\":\"{e.GetType().Name}\"", asBase, StringComparison.Ordinal);
            Assert.Equal(e.GetType(), back.GetType());
            Assert.Equal(asConcrete, JsonSerializer.Serialize(backConcrete, e.GetType()));
            Assert.Equal(EventFitRule.Evaluate(e, Position(StepReference.Review(2), reviews: 2, closureReviews: 1, outreachA: ProviderOutreachStatus.Emailed)),
                EventFitRule.Evaluate(back, Position(StepReference.Review(2), reviews: 2, closureReviews: 1, outreachA: ProviderOutreachStatus.Emailed)));
        }
    }
}
