using System.Globalization;

namespace Mets.Local.Chaos;

/// <summary>What happens to one engagement in a chaos run, and so how it must end.</summary>
public enum ScriptKind
{
    /// <summary>Assessment, the providers answer (or not), one or two reviews, then closure by the last review or by a closure request.</summary>
    Standard,

    /// <summary>Three unsuccessful contact attempts at the assessment step: closed as unable to reach.</summary>
    UnableToReach,

    /// <summary>The member is reached once and declines: a closure request at the assessment step.</summary>
    ClosedEarly,

    /// <summary>Only the referral: reminder, escalation, closure review at the maximum duration, closed without a decision.</summary>
    Silent,

    /// <summary>Assessment, then nobody reviews: at the maximum duration the supervisor closes in the closure review.</summary>
    SupervisorCloses,

    /// <summary>As <see cref="SupervisorCloses"/>, but the supervisor extends; the next review closes with goals met.</summary>
    SupervisorExtends,
}

/// <summary>One treating provider of a scripted engagement and how they answer the outreach email (null: never).</summary>
/// <param name="AnswerAfter">How long after the request email reaches the outbox the provider answers through the link.</param>
public sealed record ProviderScript(string Npi, string Name, string Email, string? Answer, TimeSpan AnswerAfter);

/// <summary>
/// The script of one engagement: which steps happen, when (relative to each step's due date, so some come before the
/// reminder, some after it and some after the escalation), which answer each provider gives, and how it closes.
/// <see cref="ExpectedReason"/> is the closure reason the script implies.
/// </summary>
public sealed record EngagementScript(
    int Number,
    ScriptKind Kind,
    string ReferralId,
    string MemberId,
    IReadOnlyList<ProviderScript> Providers,
    string? AttachedReferralId,
    TimeSpan AssessmentOffset,
    bool SafetyRisk,
    IReadOnlyList<TimeSpan> ReviewOffsets,
    bool CloseWithReview,
    string ExpectedReason)
{
    /// <summary>How many requests the script sends, not counting reads and retries (what the kill moments are spread over).</summary>
    public int Commands => 1 + (AttachedReferralId is null ? 0 : 1) + Kind switch
    {
        ScriptKind.Standard => 1 + Providers.Count(p => p.Answer is not null) + ReviewOffsets.Count + (CloseWithReview ? 0 : 1),
        ScriptKind.UnableToReach => ChaosPolicy.UnsuccessfulContactsBeforeClosure,
        ScriptKind.ClosedEarly => 2,
        ScriptKind.Silent => 0,
        ScriptKind.SupervisorCloses => 2 + Providers.Count(p => p.Answer is not null),
        ScriptKind.SupervisorExtends => 3 + Providers.Count(p => p.Answer is not null),
        _ => throw new InvalidOperationException("Unknown script kind."),
    };

    public override string ToString() => $"script {Number} ({Kind})";

    /// <summary>Synthetic member ids carry this marker: the host's output must never show it (no PHI in logs).</summary>
    public const string MemberMarker = "CHM-";

    /// <summary>Synthetic provider names carry this marker, for the same check.</summary>
    public const string ProviderMarker = "Quillon";

    private static readonly TimeSpan[] AssessmentOffsets = [Seconds(-6), Seconds(-3), Seconds(4), Seconds(8)];
    private static readonly TimeSpan[] ReviewOffsetChoices = [Seconds(-4), Seconds(4), Seconds(8)];
    private static readonly TimeSpan[] AnswerDelays = [Seconds(0.5), Seconds(4.5), Seconds(9)];
    private static readonly string[] Answers = ["willCollaborate", "declinedToCollaborate"];

    /// <summary>The scripts of a run, all from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<EngagementScript> CreateAll(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(1, count).Select(n => Create(n, random))];
    }

    private static EngagementScript Create(int number, Random random)
    {
        var roll = random.NextDouble();
        var kind = roll switch
        {
            < 0.50 => ScriptKind.Standard,
            < 0.60 => ScriptKind.UnableToReach,
            < 0.70 => ScriptKind.ClosedEarly,
            < 0.80 => ScriptKind.Silent,
            < 0.90 => ScriptKind.SupervisorCloses,
            _ => ScriptKind.SupervisorExtends,
        };
        var id = number.ToString("D5", CultureInfo.InvariantCulture);
        var providers = Enumerable.Range(1, random.NextDouble() < 0.25 ? 2 : 1)
            .Select(p => new ProviderScript(
                Npi(random),
                $"Dr {ProviderMarker} {id}-{p}",
                $"provider-{id}-{p}@clinic.example",
                random.NextDouble() < 0.7 ? Answers[random.Next(Answers.Length)] : null,
                AnswerDelays[random.Next(AnswerDelays.Length)]))
            .ToList();
        var reviews = kind == ScriptKind.Standard
            ? Enumerable.Range(0, random.NextDouble() < 0.6 ? 1 : 2).Select(_ => ReviewOffsetChoices[random.Next(ReviewOffsetChoices.Length)]).ToList()
            : [];
        var closeWithReview = random.NextDouble() < 0.5;
        var expected = kind switch
        {
            ScriptKind.Standard => closeWithReview ? "goalsMet" : random.NextDouble() < 0.5 ? "goalsMet" : "transferredToHigherLevelOfCare",
            ScriptKind.UnableToReach => "unableToReach",
            ScriptKind.ClosedEarly => "memberDeclined",
            ScriptKind.Silent => "maximumDurationReached",
            ScriptKind.SupervisorCloses => random.NextDouble() < 0.5 ? "goalsMet" : "memberDeclined",
            _ => "goalsMet",
        };
        return new EngagementScript(
            number,
            kind,
            $"CHAOS-{id}",
            $"PLAN:{MemberMarker}{id}",
            providers,
            kind == ScriptKind.Standard && random.NextDouble() < 0.2 ? $"CHAOS-{id}-B" : null,
            AssessmentOffsets[random.Next(AssessmentOffsets.Length)],
            random.NextDouble() < 0.1,
            reviews,
            closeWithReview,
            expected);
    }

    /// <summary>A random NPI with a valid check digit (Luhn over the 80840 prefix and the first nine digits).</summary>
    private static string Npi(Random random)
    {
        var body = string.Concat(Enumerable.Range(0, 9).Select(i => i == 0 ? (char)('1' + random.Next(2)) : (char)('0' + random.Next(10))));
        var digits = ("80840" + body).Select(c => c - '0').ToArray();
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            // Doubling starts at the rightmost digit of the payload (the check digit goes to its right).
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 0)
            {
                d *= 2;
                d = d > 9 ? d - 9 : d;
            }

            sum += d;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    private static TimeSpan Seconds(double value) => TimeSpan.FromSeconds(value);
}
