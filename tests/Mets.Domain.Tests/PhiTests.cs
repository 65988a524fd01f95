using System.Text.Json;
using Mets.Domain.Assessments;
using Mets.Domain.CareGaps;
using Mets.Domain.CarePlans;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;

namespace Mets.Domain.Tests;

/// <summary>Rejected values and protected health information never appear in exception messages, timelines or event payloads.</summary>
public class PhiTests
{
    private const string Sentinel = "QZXSENTINEL9137";

    public static TheoryData<string, Action> Rejections() => new()
    {
        { "MemberId.Parse", () => MemberId.Parse($"PLAN:{Sentinel} X") },
        { "MemberId.Parse no payer", () => MemberId.Parse(Sentinel) },
        { "MemberId.Create", () => MemberId.Create($"{Sentinel}{Sentinel}", "1") },
        { "EngagementId.Parse", () => EngagementId.Parse(Sentinel) },
        { "ReferralId.Parse", () => ReferralId.Parse($"{Sentinel} ") },
        { "StaffId.Parse", () => StaffId.Parse($"{Sentinel}/") },
        { "Npi.Parse", () => Npi.Parse($"1{Sentinel}") },
        { "IcdCode.Parse", () => IcdCode.Parse($"F32.{Sentinel}") },
        { "Email.Parse", () => Email.Parse($"{Sentinel}@@example.org") },
        { "OutreachId.Parse", () => OutreachId.Parse($"{Sentinel}:outreach:1234567893") },
        { "Json MemberId", () => JsonSerializer.Deserialize<MemberId>($"\"{Sentinel}\"") },
        { "Json IcdCode", () => JsonSerializer.Deserialize<IcdCode>($"\"Z{Sentinel}\"") },
        { "Json Referral", () => JsonSerializer.Deserialize<Referral>($"{{\"Member\":\"{Sentinel}\"}}") },
        { "CareGap measure", () => _ = new CareGap(Sentinel.ToLowerInvariant(), CareGapStatus.Open, default, null) },
        { "Timeline detail", () => TimelineEntry.Create(default, Actor.System, TimelineEntryKind.ReminderSent, $"name {Sentinel}") },
        { "Goal not found", () => CarePlan.Empty.WithGoalStatus(Sentinel, GoalStatus.Achieved) },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Rejection_MessageDoesNotEchoValue(string what, Action reject)
    {
        ArgumentNullException.ThrowIfNull(reject);
        var ex = Assert.ThrowsAny<Exception>(reject);

        for (var e = ex; e is not null; e = e.InnerException)
        {
            Assert.False(e.Message.Contains(Sentinel, StringComparison.OrdinalIgnoreCase), $"{what}: {e.GetType().Name} echoed the value.");
        }
    }

    [Fact]
    public void InstrumentItemOutOfRange_MessageNamesItemNotValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Phq9([0, 0, 0, 0, 0, 0, 0, 0, 9137]));

        Assert.DoesNotContain("9137", ex.Message, StringComparison.Ordinal);
        Assert.Contains("item 9", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationMessages_NameFieldsNotValues()
    {
        var referral = Sample.Referral() with
        {
            ReasonDetail = Sample.SentinelReasonText + new string('x', 2000),
            TreatingProviders = [new TreatingProvider(Sample.SentinelProviderName + new string('y', 200), Sample.ProviderA, Email.Parse("a@b.example"), ProviderRole.Other)],
        };
        var assessment = Sample.Assessment(Sample.T0) with { MemberStatedGoals = [Sample.SentinelGoal + new string('z', 500)] };

        var messages = string.Join("\n", referral.Validate().Concat(assessment.Validate()));

        Assert.NotEmpty(messages);
        AssertNoSentinels(messages);
    }

    [Fact]
    public void Timeline_AndEventPayloads_CarryNoPhi()
    {
        var assessment = Sample.Assessment(Sample.T0);
        var risk = RiskTierRule.Evaluate(new RiskFactors(assessment.Scores, true, 1, 2, 1, true));
        var referral = Sample.Referral();
        var c = EngagementCase.Receive(Sample.Engagement, referral, Sample.T0)
            .Start(Sample.Clinician, Sample.T0.AddDays(1), Sample.T0.AddDays(180), Sample.T0)
            .AttachReferral(Sample.Referral("REF-2", ReferralUrgency.Urgent), Sample.T0.AddHours(20), Sample.T0.AddHours(1))
            .RecordContactAttempt(MemberContactOutcome.NoAnswer, Sample.Clinician, Sample.T0.AddHours(2))
            .CompleteAssessment(assessment, risk, CarePlan.FromAssessment(assessment, [new CareTeamMember(CareTeamRole.BehavioralHealthProvider, Sample.SentinelProviderName, Sample.ProviderA, null)]))
            .StartNextReview(Sample.T0.AddDays(14), Sample.T0)
            .RecordOutreach(ProviderOutreach.Start(OutreachId.For(Sample.Engagement, Sample.ProviderA), ProviderRole.BehavioralHealth, Sample.T0), TimelineEntryKind.OutreachStarted, Actor.System, Sample.T0)
            .Close(ClosureReason.UnableToReach, Actor.System, Sample.T0.AddDays(3));
        EngagementEvent[] events =
        [
            new AssessmentCompleted(Sample.Engagement, StepReference.Assessment, assessment.Scores, risk, [new ProviderToContact(Sample.ProviderA, ProviderRole.BehavioralHealth)], Sample.Clinician, Sample.T0),
            new ClosureRequested(Sample.Engagement, ClosureReason.MemberDeclined, Actor.Staff(ActorKind.Clinician, Sample.Clinician), Sample.T0),
        ];

        var timeline = JsonSerializer.Serialize(c.Timeline);
        var payloads = string.Join("\n", events.Select(e => JsonSerializer.Serialize(e)));
        var outcome = JsonSerializer.Serialize(c.Outcome);

        AssertNoSentinels(timeline + payloads + outcome + Sample.Member.ToString());
        Assert.Contains(Sample.SentinelMemberNumber, JsonSerializer.Serialize(c), StringComparison.Ordinal); // the scan can see it where it belongs
    }

    [Fact]
    public void ToString_OfPhiBearingRecords_PrintsIdsAndCodesOnly()
    {
        var assessment = Sample.Assessment(Sample.T0);
        var plan = CarePlan.FromAssessment(assessment, []) with
        {
            Barriers = [new CareBarrier(ProgramBarrier.SocialDeterminants, Sample.SentinelGoal, false)],
            Interventions = [new Intervention(InterventionKind.PeerSupport, Sample.SentinelReasonText, InterventionStatus.Planned, null)],
        };
        var c = EngagementCase.Receive(Sample.Engagement, Sample.Referral(), Sample.T0);

        var text = string.Join("\n", Sample.Referral().ToString(), assessment.ToString(), plan.Goals[0].ToString(), plan.Barriers[0].ToString(),
            plan.Interventions[0].ToString(), c.ToString(), $"{c.MemberId}");

        AssertNoSentinels(text);
        Assert.Contains("REF-1", text, StringComparison.Ordinal);
    }

    private static void AssertNoSentinels(string text)
    {
        foreach (var sentinel in new[] { Sample.SentinelMemberNumber, Sample.SentinelProviderName, Sample.SentinelReasonText, Sample.SentinelGoal, "Xylophonia", "Quokkaville", "Zebulon" })
        {
            Assert.DoesNotContain(sentinel, text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
