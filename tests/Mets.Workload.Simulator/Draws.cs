namespace Mets.Workload.Simulator;

/// <summary>What a random draw decides (part of the draw's identity, so adding a kind of draw changes no other).</summary>
public enum DrawPurpose
{
    Urgent = 1,
    SafetyConcern,
    ProviderCount,
    AssessmentPath,
    AssessmentDelay,
    RiskTier,
    SafetyRisk,
    ProviderResponds,
    ProviderResponseDelay,
    ProviderResponse,
    PeerReview,
    PeerReviewDelay,
    ReviewOffset,
    GoalsMet,
    Discharge,
    EligibilityLost,
    MemberDeclines,
    ClosureDecision,
    ClosureDecisionDelay,
}

/// <summary>
/// The simulation's random numbers: each is a pure function of the seed, the member, the purpose and an index (a hash,
/// SplitMix64's finalizer), never of the order the engine happens to finish work in, so a seed gives the same year
/// however the threads interleave.
/// </summary>
public sealed class Draws(int seed)
{
    private readonly ulong _seed = Mix((ulong)(uint)seed ^ 0x5EED_0F_4E75UL);

    /// <summary>A number in [0, 1).</summary>
    public double Uniform(int member, DrawPurpose purpose, int index = 0)
    {
        var h = Mix(_seed ^ (ulong)(uint)member);
        h = Mix(h ^ ((ulong)purpose << 32) ^ (uint)index);
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>True with probability <paramref name="probability"/> (never for 0, always for 1).</summary>
    public bool Chance(double probability, int member, DrawPurpose purpose, int index = 0) =>
        probability >= 1 || (probability > 0 && Uniform(member, purpose, index) < probability);

    /// <summary>An index into <paramref name="weights"/>, drawn by weight (a zero weight is never drawn).</summary>
    public int Pick(IReadOnlyList<double> weights, int member, DrawPurpose purpose, int index = 0)
    {
        var total = weights.Sum();
        var target = Uniform(member, purpose, index) * total;
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] > 0 && target < weights[i])
            {
                return i;
            }

            target -= weights[i];
        }

        return LastPositive(weights);
    }

    /// <summary>A number of days from a distribution.</summary>
    public int Days(IReadOnlyList<DayWeight> distribution, int member, DrawPurpose purpose, int index = 0) =>
        distribution[Pick([.. distribution.Select(d => d.Weight)], member, purpose, index)].Days;

    /// <summary>
    /// Member <paramref name="member"/>'s place in an even spread over [0, 1) (the golden-ratio sequence): taking
    /// a source by cumulative share from it gives each source its share and spreads it over the year, with no randomness.
    /// </summary>
    public static double Spread(int member) => (0.5 + (member * 0.6180339887498949)) % 1.0;

    private static int LastPositive(IReadOnlyList<double> weights)
    {
        for (var i = weights.Count - 1; i >= 0; i--)
        {
            if (weights[i] > 0)
            {
                return i;
            }
        }

        return 0;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
