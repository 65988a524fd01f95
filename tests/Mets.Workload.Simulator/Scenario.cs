using System.Text.Json;
using System.Text.Json.Serialization;
using Mets.Domain.Engagements;
using Mets.Domain.Policy;
using Mets.Domain.Referrals;

namespace Mets.Workload.Simulator;

/// <summary>
/// What the simulated year holds: how many members, when and from where they are referred, how members, clinicians,
/// providers, supervisors and claims behave, and the policy settings to change. Every field is required in the file
/// (scenario.json beside the program holds the defaults; docs/workload-simulator.md explains each field). Probabilities
/// are 0-1; "days" distributions are lists of <c>{ "days": n, "weight": w }</c>, one drawn per use.
/// </summary>
public sealed record Scenario
{
    /// <summary>Synthetic members, each referred once during <see cref="ReferralWeeks"/>.</summary>
    public required int Members { get; init; }

    /// <summary>Every random choice is drawn from this seed (printed with the results).</summary>
    public required int Seed { get; init; }

    /// <summary>Day 1 of simulated week 1 (UTC); a Monday reads best.</summary>
    public required DateOnly YearStart { get; init; }

    /// <summary>The time of day (UTC) at which every simulated person acts.</summary>
    public required TimeOnly DayStartsAt { get; init; }

    /// <summary>Weeks simulated (and rows of the output per clinician).</summary>
    public required int Weeks { get; init; }

    /// <summary>Referrals arrive evenly over the first this many weeks.</summary>
    public required int ReferralWeeks { get; init; }

    /// <summary>Clinicians on the roster (clin.01, clin.02, ...); METS assigns each new engagement to the one with the fewest open.</summary>
    public required int Clinicians { get; init; }

    public required ReferralBehaviour Referrals { get; init; }

    public required AssessmentBehaviour Assessment { get; init; }

    public required ProviderBehaviour Providers { get; init; }

    public required ReviewBehaviour Reviews { get; init; }

    public required ClaimsBehaviour Claims { get; init; }

    public required ClosureBehaviour Closures { get; init; }

    /// <summary><c>Mets:Policy</c> settings to change (names and formats as in the hosts' configuration); empty = the policy's defaults.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Policy { get; init; }

    public DateTimeOffset StartsAt => new(YearStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset EndsAt => StartsAt.AddDays(Weeks * 7);

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>Reads a scenario file; <see cref="ScenarioException"/> names the file and the field when it is not valid.</summary>
    public static Scenario Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"{path}: cannot be read ({e.Message}).");
        }

        return Parse(text, path);
    }

    /// <summary>Parses and validates scenario JSON; <paramref name="source"/> names it in messages.</summary>
    public static Scenario Parse(string json, string source)
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ScenarioException($"{source}: not valid JSON or not a scenario: {e.Message}", e);
        }

        if (scenario is null)
        {
            throw new ScenarioException($"{source}: the file holds no scenario.");
        }

        var errors = scenario.Validate();
        return errors.Count == 0
            ? scenario
            : throw new ScenarioException($"{source}:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
    }

    /// <summary>Every problem, each naming its field. Empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Range(string field, double value, double min, double max)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                errors.Add($"{field} must be between {min} and {max}.");
            }
        }

        void Probability(string field, double value) => Range(field, value, 0, 1);

        void Days(string field, IReadOnlyList<DayWeight>? days, int min)
        {
            if (days is null || days.Count == 0)
            {
                errors.Add($"{field} needs at least one {{ \"days\", \"weight\" }} entry.");
                return;
            }

            for (var i = 0; i < days.Count; i++)
            {
                Range($"{field}[{i}].days", days[i].Days, min, 3650);
                Range($"{field}[{i}].weight", days[i].Weight, 0, 1e9);
            }

            if (days.Sum(d => d.Weight) <= 0)
            {
                errors.Add($"{field}: the weights must not all be 0.");
            }
        }

        void AtMostOne(string field, params double[] probabilities)
        {
            if (probabilities.Sum() > 1 + 1e-9)
            {
                errors.Add($"{field} must add up to at most 1.");
            }
        }

        Range("members", Members, 1, 1_000_000);
        Range("weeks", Weeks, 1, 520);
        Range("referralWeeks", ReferralWeeks, 1, Weeks);
        Range("clinicians", Clinicians, 1, 99);

        if (Referrals.Sources is not { Count: > 0 } sources)
        {
            errors.Add("referrals.sources needs at least one source.");
        }
        else
        {
            for (var i = 0; i < sources.Count; i++)
            {
                var s = sources[i];
                if (!Enum.IsDefined(s.Source))
                {
                    errors.Add($"referrals.sources[{i}].source is not a referral source.");
                }

                if (!Enum.IsDefined(s.Reason))
                {
                    errors.Add($"referrals.sources[{i}].reason is not a referral reason.");
                }

                Range($"referrals.sources[{i}].share", s.Share, 0, 1);
                Probability($"referrals.sources[{i}].urgentProbability", s.UrgentProbability);
                Probability($"referrals.sources[{i}].safetyConcernProbability", s.SafetyConcernProbability);
            }

            if (Math.Abs(sources.Sum(s => s.Share) - 1) > 1e-6)
            {
                errors.Add("referrals.sources: the shares must add up to 1.");
            }
        }

        if (Referrals.TreatingProviderCounts is not { Count: > 0 and <= Referral.MaxTreatingProviders + 1 } counts)
        {
            errors.Add($"referrals.treatingProviderCounts needs 1 to {Referral.MaxTreatingProviders + 1} weights (for 0, 1, 2, ... providers).");
        }
        else if (counts.Any(w => double.IsNaN(w) || w < 0) || counts.Sum() <= 0)
        {
            errors.Add("referrals.treatingProviderCounts: weights are 0 or more and not all 0.");
        }

        var a = Assessment;
        Probability("assessment.completedProbability", a.CompletedProbability);
        Probability("assessment.unableToReachProbability", a.UnableToReachProbability);
        Probability("assessment.declinedProbability", a.DeclinedProbability);
        AtMostOne("assessment.completedProbability + unableToReachProbability + declinedProbability", a.CompletedProbability, a.UnableToReachProbability, a.DeclinedProbability);
        Days("assessment.delayDays", a.DelayDays, 0);
        Range("assessment.contactAttemptEveryDays", a.ContactAttemptEveryDays, 1, 365);
        Range("assessment.riskTier.low", a.RiskTier.Low, 0, 1e9);
        Range("assessment.riskTier.moderate", a.RiskTier.Moderate, 0, 1e9);
        Range("assessment.riskTier.high", a.RiskTier.High, 0, 1e9);
        if (a.RiskTier.Low + a.RiskTier.Moderate + a.RiskTier.High <= 0)
        {
            errors.Add("assessment.riskTier: the weights must not all be 0.");
        }

        Probability("assessment.safetyRiskProbability", a.SafetyRiskProbability);

        var p = Providers;
        Probability("providers.respondProbability", p.RespondProbability);
        Days("providers.responseDelayDays", p.ResponseDelayDays, 0);
        Range("providers.responses.willCollaborate", p.Responses.WillCollaborate, 0, 1e9);
        Range("providers.responses.declinedToCollaborate", p.Responses.DeclinedToCollaborate, 0, 1e9);
        Range("providers.responses.notTreatingMember", p.Responses.NotTreatingMember, 0, 1e9);
        if (p.Responses.WillCollaborate + p.Responses.DeclinedToCollaborate + p.Responses.NotTreatingMember <= 0)
        {
            errors.Add("providers.responses: the weights must not all be 0.");
        }

        Probability("providers.peerReviewProbability", p.PeerReviewProbability);
        Days("providers.peerReviewDelayDays", p.PeerReviewDelayDays, 0);

        Days("reviews.offsetDays", Reviews.OffsetDays, -3650);
        Probability("reviews.goalsMetProbability", Reviews.GoalsMetProbability);

        Probability("claims.dischargePerWeek", Claims.DischargePerWeek);
        Probability("claims.eligibilityLostPerWeek", Claims.EligibilityLostPerWeek);

        Probability("closures.memberDeclinesPerWeek", Closures.MemberDeclinesPerWeek);
        var c = Closures.ClosureReview;
        Probability("closures.closureReview.extendProbability", c.ExtendProbability);
        Probability("closures.closureReview.closeProbability", c.CloseProbability);
        AtMostOne("closures.closureReview.extendProbability + closeProbability", c.ExtendProbability, c.CloseProbability);
        Days("closures.closureReview.decisionDelayDays", c.DecisionDelayDays, 0);

        foreach (var (name, value) in Policy)
        {
            if (!IsPolicySetting(name))
            {
                errors.Add($"policy.{name} is not a {EngagementPolicy.SectionName} setting.");
            }
            else if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                errors.Add($"policy.{name} must be a string (a duration as d.hh:mm:ss) or a number.");
            }
        }

        return errors;
    }

    /// <summary>True when <paramref name="name"/> is a setting of <see cref="EngagementPolicy"/> (any case, as configuration binds).</summary>
    public static bool IsPolicySetting(string name) =>
        typeof(EngagementPolicy).GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase) is { CanWrite: true };
}

/// <summary>One entry of a "days" distribution: <see cref="Days"/> drawn with relative weight <see cref="Weight"/>.</summary>
public sealed record DayWeight(int Days, double Weight);

public sealed record ReferralBehaviour
{
    /// <summary>Where referrals come from; member n takes a source by share (an even, deterministic spread over the year).</summary>
    public required IReadOnlyList<ReferralSourceShare> Sources { get; init; }

    /// <summary>Weights of a member having 0, 1, 2, ... treating providers on the referral.</summary>
    public required IReadOnlyList<double> TreatingProviderCounts { get; init; }
}

public sealed record ReferralSourceShare
{
    public required ReferralSource Source { get; init; }

    public required ReferralReason Reason { get; init; }

    /// <summary>This source's part of the members (the shares add up to 1).</summary>
    public required double Share { get; init; }

    /// <summary>An urgent referral: assessment due in 1 day (policy), and the risk tier is high.</summary>
    public required double UrgentProbability { get; init; }

    /// <summary>A referral flagged with a safety concern: assessment due in 1 day (policy).</summary>
    public required double SafetyConcernProbability { get; init; }
}

public sealed record AssessmentBehaviour
{
    /// <summary>The clinician records the assessment <see cref="DelayDays"/> after the referral.</summary>
    public required double CompletedProbability { get; init; }

    /// <summary>The clinician records an unsuccessful contact every <see cref="ContactAttemptEveryDays"/> until the engagement closes (unable to reach).</summary>
    public required double UnableToReachProbability { get; init; }

    /// <summary>The member declines <see cref="DelayDays"/> after the referral: closure requested.</summary>
    public required double DeclinedProbability { get; init; }

    /// <summary>Nobody acts for the rest (reminder, escalation, then the closure review at the maximum duration).</summary>
    public required IReadOnlyList<DayWeight> DelayDays { get; init; }

    public required int ContactAttemptEveryDays { get; init; }

    /// <summary>Weights of the scores a completed assessment shows (PHQ-9 3, 12 or 22); an urgent referral makes any tier high.</summary>
    public required RiskTierWeights RiskTier { get; init; }

    /// <summary>PHQ-9 item 9 above 0: a safety escalation email to the supervisor, and a high tier.</summary>
    public required double SafetyRiskProbability { get; init; }
}

public sealed record RiskTierWeights(double Low, double Moderate, double High);

public sealed record ProviderBehaviour
{
    /// <summary>Each provider answers the request (through the signed link in the email) with this probability...</summary>
    public required double RespondProbability { get; init; }

    /// <summary>...this many days after the request email.</summary>
    public required IReadOnlyList<DayWeight> ResponseDelayDays { get; init; }

    public required ProviderResponseWeights Responses { get; init; }

    /// <summary>After the peer-to-peer escalation email, the medical director records a peer review with this probability...</summary>
    public required double PeerReviewProbability { get; init; }

    /// <summary>...this many days after the escalation.</summary>
    public required IReadOnlyList<DayWeight> PeerReviewDelayDays { get; init; }
}

public sealed record ProviderResponseWeights(double WillCollaborate, double DeclinedToCollaborate, double NotTreatingMember);

public sealed record ReviewBehaviour
{
    /// <summary>The clinician records each review this many days from its due date (negative: early; never before the day after it opened).</summary>
    public required IReadOnlyList<DayWeight> OffsetDays { get; init; }

    /// <summary>A review closes the engagement with goals met with this probability.</summary>
    public required double GoalsMetProbability { get; init; }
}

public sealed record ClaimsBehaviour
{
    /// <summary>Per open engagement and week after the referral: a BH inpatient discharge in claims (pulls the next review forward).</summary>
    public required double DischargePerWeek { get; init; }

    /// <summary>Per open engagement and week after the referral: eligibility lost in claims (closes the engagement).</summary>
    public required double EligibilityLostPerWeek { get; init; }
}

public sealed record ClosureBehaviour
{
    /// <summary>Per open engagement and week after the referral: the member asks to stop (closure requested, member declined).</summary>
    public required double MemberDeclinesPerWeek { get; init; }

    public required ClosureReviewBehaviour ClosureReview { get; init; }
}

public sealed record ClosureReviewBehaviour
{
    /// <summary>At the maximum duration, the supervisor extends with this probability...</summary>
    public required double ExtendProbability { get; init; }

    /// <summary>...or closes with this one; otherwise no decision (the engagement closes at the decision deadline).</summary>
    public required double CloseProbability { get; init; }

    /// <summary>Days from the closure-review email to the decision.</summary>
    public required IReadOnlyList<DayWeight> DecisionDelayDays { get; init; }
}

/// <summary>A scenario file or option that is not valid; the message names the file and field.</summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
    }

    public ScenarioException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
