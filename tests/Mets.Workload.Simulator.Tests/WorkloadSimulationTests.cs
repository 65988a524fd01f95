using Xunit.Abstractions;

namespace Mets.Workload.Simulator.Tests;

/// <summary>
/// Small scenarios whose counts are worked out by hand from the METS policy (defaults: assessment due 7 days after the
/// referral, 1 day when urgent; reminder 2 days before a due date, or at once when that has passed; escalation at the
/// due date; reviews every 14 days for high risk, 30 for moderate; provider reminders on days 3, 6 and 9 after the
/// request, peer-to-peer escalation on day 12), run through the real workflow by the simulator.
/// </summary>
public class WorkloadSimulationTests(ITestOutputHelper output)
{
    private const int Clin01 = 0;
    private const int Clin02 = 1;

    /// <summary>
    /// Four members, two clinicians, 10 weeks (days 0-69; week w is days 7(w-1) to 7w-1; everyone acts at 09:00, and
    /// a timer due at that moment fires before anyone acts). Referral day of member i = floor(i x 7 / 4): 0, 1, 3, 5.
    /// Sources by the even spread frac(0.5 + i x 0.618...): 0.5, 0.118, 0.736, 0.354; source A (routine) holds
    /// [0, 0.5), source B (urgent) [0.5, 1): m0 urgent, m1 routine, m2 urgent, m3 routine. Everyone has one
    /// provider, who never answers; no peer review. Assessments 2 days after the referral, PHQ-9 12 (moderate;
    /// an urgent referral makes it high). Every review is recorded 1 day after its due date (after its reminder and
    /// escalation). No claims, no closures (the 180-day maximum is beyond the horizon).
    ///
    /// Assignment (fewest open, ties in roster order): m0 -> clin.01; m1 -> clin.02 (clin.01 has 1);
    /// m2 -> clin.01 (1 each); m3 -> clin.02 (clin.01 has 2, clin.02 1).
    ///
    /// The tier is evaluated again at every review from the scores and claims, without the referral's urgency
    /// (EngagementService.RecordReviewAsync): the urgent members are high from the assessment to review 1, then
    /// moderate (PHQ-9 12). Each next review is due one interval after the review recorded.
    ///
    /// m0 (clin.01, urgent, day 0): assessment due day 1: reminder at once (day 0), escalation day 1, assessed day 2,
    ///   high: review 1 due 16 (reminder 14, escalation 16, recorded 17), then moderate: review 2 due 47 (reminder 45,
    ///   escalation 47, recorded 48); review 3 due 78 is past the horizon.
    ///   Outreach: request day 2, reminders 5, 8, 11, peer-to-peer 14.
    /// m1 (clin.02, routine, day 1): due day 8, assessed day 3 (before the day-6 reminder): no reminder. Moderate:
    ///   reviews due 33, 64: reminders 31, 62; escalations 33, 64; recorded 34, 65. Outreach 3; 6, 9, 12; p2p 15.
    /// m2 (clin.01, urgent, day 3): due day 4: reminder day 3, escalation day 4, assessed day 5, high: review 1 due 19
    ///   (reminder 17, escalation 19, recorded 20), then review 2 due 50 (reminder 48, escalation 50, recorded 51).
    ///   Outreach 5; 8, 11, 14; p2p 17.
    /// m3 (clin.02, routine, day 5): due day 12, assessed day 7, moderate. Reviews due 37, 68: reminders 35, 66;
    ///   escalations 37, 68; recorded 38, 69. Outreach 7; 10, 13, 16; p2p 19.
    /// </summary>
    [Fact]
    public async Task RunAsync_SmallScenario_CountsEqualTheHandWorkedWeekByWeek()
    {
        var result = await RunAsync(SmallScenario());

        Expect(result, Clin01, Measure.EngagementsStarted, (1, 2));
        Expect(result, Clin02, Measure.EngagementsStarted, (1, 2));

        // clin.01: reminders m0 0, 14, 45 and m2 3, 17, 48.
        Expect(result, Clin01, Measure.Reminders, (1, 2), (3, 2), (7, 2));
        // clin.01: escalations m0 1, 16, 47 and m2 4, 19, 50.
        Expect(result, Clin01, Measure.Escalations, (1, 2), (3, 2), (7, 1), (8, 1));
        // clin.01: reviews m0 17, 48 and m2 20, 51.
        Expect(result, Clin01, Measure.Reviews, (3, 2), (7, 1), (8, 1));
        // clin.01: requests m0 day 2, m2 day 5 (week 1); provider reminders m0 5 | 8, 11 and m2 8, 11 | 14.
        Expect(result, Clin01, Measure.ProviderRequests, (1, 2));
        Expect(result, Clin01, Measure.ProviderReminders, (1, 1), (2, 4), (3, 1));
        Expect(result, Clin01, Measure.PeerToPeerEscalations, (3, 2));

        // clin.02: reminders m1 31, 62 and m3 35, 66; escalations m1 33, 64 and m3 37, 68; reviews m1 34, 65 and m3 38, 69.
        Expect(result, Clin02, Measure.Reminders, (5, 1), (6, 1), (9, 1), (10, 1));
        Expect(result, Clin02, Measure.Escalations, (5, 1), (6, 1), (10, 2));
        Expect(result, Clin02, Measure.Reviews, (5, 1), (6, 1), (10, 2));
        // clin.02: requests m1 day 3 (week 1), m3 day 7 (week 2); provider reminders m1 6 | 9, 12 and m3 10, 13 | 16.
        Expect(result, Clin02, Measure.ProviderRequests, (1, 1), (2, 1));
        Expect(result, Clin02, Measure.ProviderReminders, (1, 1), (2, 4), (3, 1));
        Expect(result, Clin02, Measure.PeerToPeerEscalations, (3, 2));

        foreach (var none in new[] { Measure.SafetyEscalations, Measure.ClosureReviews, Measure.ClosureSummaries, Measure.Closures })
        {
            Assert.Equal(0, result.Tally.Total(none));
        }

        Assert.Equal(4, result.Counts.OpenAtEnd);
        Assert.True(WorkloadReport.ChecksPass(result), WorkloadReport.Summary(result, result.Elapsed, 0));
    }

    /// <summary>
    /// The same scenario with moderate-risk reviews every 20 days instead of 30 (Mets:Policy:ModerateRiskReviewInterval).
    /// Review 1 of the urgent members is still due 14 days after the assessment; their later reviews (moderate) and all
    /// of the routine members' come 20 days apart.
    /// m0 (recorded 17): review 2 due 37 (reminder 35, escalation 37, recorded 38), review 3 due 58 (56, 58, 59).
    /// m2 (recorded 20): review 2 due 40 (38, 40, 41), review 3 due 61 (59, 61, 62).
    /// m1 (assessed day 3): reviews due 23, 44, 65: reminders 21, 42, 63; escalations 23, 44, 65; recorded 24, 45, 66.
    /// m3 (assessed day 7): reviews due 27, 48, 69: reminders 25, 46, 67; escalations 27, 48, 69; recorded 28, 49
    ///   (the third would be recorded on day 70, past the horizon).
    /// Reviews: clin.01 4 -> 6, clin.02 4 -> 5. Outreach does not change.
    /// </summary>
    [Fact]
    public async Task RunAsync_ShorterModerateReviewCadence_ChangesTheReviewsAsHandWorked()
    {
        var before = await RunAsync(SmallScenario());
        var after = await RunAsync(SmallScenario(policy: """{ "ModerateRiskReviewInterval": "20.00:00:00" }"""));

        Assert.Equal(TimeSpan.FromDays(20), after.Policy.ModerateRiskReviewInterval);
        Assert.Equal(8, before.Tally.Total(Measure.Reviews));
        Assert.Equal(11, after.Tally.Total(Measure.Reviews));
        // clin.01: reviews 17, 20 | 38, 41 | 59, 62; reminders 0, 3 | 14, 17 | 35, 38 | 56, 59; escalations 1, 4 | 16, 19 | 37, 40 | 58, 61.
        Expect(after, Clin01, Measure.Reviews, (3, 2), (6, 2), (9, 2));
        Expect(after, Clin01, Measure.Reminders, (1, 2), (3, 2), (6, 2), (9, 2));
        Expect(after, Clin01, Measure.Escalations, (1, 2), (3, 2), (6, 2), (9, 2));
        // clin.02: reviews 24 | 28 | 45 | 49 | 66; reminders 21, 25 | 42, 46 | 63, 67; escalations 23, 27 | 44, 48 | 65, 69.
        Expect(after, Clin02, Measure.Reviews, (4, 1), (5, 1), (7, 1), (8, 1), (10, 1));
        Expect(after, Clin02, Measure.Reminders, (4, 2), (7, 2), (10, 2));
        Expect(after, Clin02, Measure.Escalations, (4, 2), (7, 2), (10, 2));
        foreach (var measure in new[] { Measure.ProviderRequests, Measure.ProviderReminders, Measure.PeerToPeerEscalations })
        {
            Assert.Equal(before.Tally.Total(measure), after.Tally.Total(measure));
        }
    }

    private static Scenario SmallScenario(string policy = "{}") => Scenario.Parse($$"""
        {
          "members": 4, "seed": 1, "yearStart": "2027-01-04", "dayStartsAt": "09:00:00", "weeks": 10, "referralWeeks": 1, "clinicians": 2,
          "referrals": {
            "sources": [
              { "source": "treatingProvider", "reason": "clinicalConcern", "share": 0.5, "urgentProbability": 0, "safetyConcernProbability": 0 },
              { "source": "utilizationManagement", "reason": "highBehavioralHealthUtilization", "share": 0.5, "urgentProbability": 1, "safetyConcernProbability": 0 }
            ],
            "treatingProviderCounts": [0, 1]
          },
          "assessment": {
            "completedProbability": 1, "unableToReachProbability": 0, "declinedProbability": 0,
            "delayDays": [ { "days": 2, "weight": 1 } ], "contactAttemptEveryDays": 2,
            "riskTier": { "low": 0, "moderate": 1, "high": 0 }, "safetyRiskProbability": 0
          },
          "providers": {
            "respondProbability": 0, "responseDelayDays": [ { "days": 1, "weight": 1 } ],
            "responses": { "willCollaborate": 1, "declinedToCollaborate": 0, "notTreatingMember": 0 },
            "peerReviewProbability": 0, "peerReviewDelayDays": [ { "days": 1, "weight": 1 } ]
          },
          "reviews": { "offsetDays": [ { "days": 1, "weight": 1 } ], "goalsMetProbability": 0 },
          "claims": { "dischargePerWeek": 0, "eligibilityLostPerWeek": 0 },
          "closures": { "memberDeclinesPerWeek": 0, "closureReview": { "extendProbability": 0, "closeProbability": 0, "decisionDelayDays": [ { "days": 1, "weight": 1 } ] } },
          "policy": {{policy}}
        }
        """, "small scenario");

    private async Task<WorkloadResult> RunAsync(Scenario scenario)
    {
        output.WriteLine($"seed {scenario.Seed}");
        var result = await WorkloadSimulation.RunAsync(scenario);
        using var table = new StringWriter();
        WorkloadReport.WriteTable(result, table);
        output.WriteLine(table.ToString());
        return result;
    }

    /// <summary>Asserts <paramref name="measure"/> for the clinician is exactly the given (week, count) pairs and 0 in every other week.</summary>
    private static void Expect(WorkloadResult result, int clinician, Measure measure, params (int Week, int Count)[] expected)
    {
        var actual = Enumerable.Range(1, result.Tally.Weeks)
            .Select(w => (Week: w, Count: result.Tally.Get(w, clinician, measure)))
            .Where(x => x.Count != 0)
            .ToArray();
        Assert.True(expected.SequenceEqual(actual), $"{result.Clinicians[clinician]} {measure}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
    }
}

/// <summary>The same seed gives the same year, whatever the engine's and the simulated people's concurrency; another seed gives another.</summary>
public class WorkloadDeterminismTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_SameSeed_SameCsvOneAtATimeOrConcurrently_AndAnotherSeedDiffers()
    {
        var scenario = Scenario.Load(Path.Combine(AppContext.BaseDirectory, "scenario.json")) with
        {
            Members = 60,
            Weeks = 8,
            ReferralWeeks = 3,
            Clinicians = 3,
            Seed = 4711,
            Closures = Scenario.Load(Path.Combine(AppContext.BaseDirectory, "scenario.json")).Closures with { MemberDeclinesPerWeek = 0.05 },
            Claims = new ClaimsBehaviour { DischargePerWeek = 0.1, EligibilityLostPerWeek = 0.02 },
        };
        output.WriteLine($"seeds {scenario.Seed} and {scenario.Seed + 1}");

        var serial = await Csv(scenario, 1, 1);
        var parallel = await Csv(scenario, 8, 16);
        var other = await Csv(scenario with { Seed = scenario.Seed + 1 }, 8, 16);

        Assert.Equal(serial, parallel);
        Assert.NotEqual(serial, other);
    }

    private async Task<string> Csv(Scenario scenario, int workers, int actionsAtOnce)
    {
        var result = await WorkloadSimulation.RunAsync(scenario, new SimulationOptions { MaxConcurrentActivities = workers, ActionsAtOnce = actionsAtOnce });
        Assert.True(WorkloadReport.ChecksPass(result), WorkloadReport.Summary(result, result.Elapsed, 0));
        Assert.True(result.Counts.Reviews > 0 && result.Counts.ProviderResponses > 0 && result.Counts.ClaimsEvents > 0, "the scenario exercises reviews, provider answers and claims");
        using var csv = new StringWriter();
        WorkloadReport.WriteCsv(result, csv);
        output.WriteLine($"{workers} workers, {actionsAtOnce} actions at once: {result.Elapsed.TotalSeconds:N1} s, {result.Counts.Reviews} reviews, {result.Tally.Total(Measure.Reminders)} reminders");
        return csv.ToString();
    }
}
