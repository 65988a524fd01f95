using System.Globalization;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Workload.Simulator;

/// <summary>
/// One synthetic member and what the simulation knows of their engagement: only what a person could see (the case
/// document, the emails), never the orchestration's state.
/// </summary>
internal sealed class SimulatedMember
{
    public SimulatedMember(int index, int referralDay, ReferralSourceShare source, IReadOnlyList<TreatingProvider> providers)
    {
        Index = index;
        ReferralDay = referralDay;
        Source = source;
        Providers = providers;
        MemberId = MemberId.Create("SIM", $"M{index.ToString("D7", CultureInfo.InvariantCulture)}");
        ReferralId = ReferralId.Parse($"SIM-{index.ToString("D7", CultureInfo.InvariantCulture)}");
    }

    public int Index { get; }

    public int ReferralDay { get; }

    public ReferralSourceShare Source { get; }

    public IReadOnlyList<TreatingProvider> Providers { get; }

    public MemberId MemberId { get; }

    public ReferralId ReferralId { get; }

    public EngagementId? Engagement { get; set; }

    /// <summary>Seen closed (in the case document or in an answer to a command): nothing more is done for the member.</summary>
    public bool Closed { get; set; }

    /// <summary>The review the clinician plans to record next, with the due date it was planned for.</summary>
    public (StepReference Step, DateTimeOffset DueAt)? PlannedReview { get; set; }

    /// <summary>Bumped whenever the review plan changes: an action planned under an older version is dropped.</summary>
    public int ReviewPlanVersion { get; set; }

    /// <summary>Closure reviews seen (closure-review emails): the index of the supervisor's draw.</summary>
    public int ClosureReviewsSeen { get; set; }

    /// <summary>Set after an action that may have moved the engagement to another step: read the case after the day's work.</summary>
    public bool NeedsLook { get; set; }

    public int ProviderIndex(Npi npi)
    {
        for (var i = 0; i < Providers.Count; i++)
        {
            if (Providers[i].Npi == npi)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A synthetic treating provider with a valid NPI: the nine leading digits from the member and the provider's place,
    /// the check digit the one <see cref="Npi.HasValidCheckDigit"/> accepts.
    /// </summary>
    public static TreatingProvider Provider(int member, int k)
    {
        var body = (100_000_000 + (((long)member * 10) + k)).ToString("D9", CultureInfo.InvariantCulture);
        var npi = Enumerable.Range(0, 10).Select(d => body + d.ToString(CultureInfo.InvariantCulture)).First(n => Npi.HasValidCheckDigit(n));
        ProviderRole[] roles = [ProviderRole.BehavioralHealth, ProviderRole.PrimaryCare, ProviderRole.Psychiatry, ProviderRole.Pharmacy];
        return new TreatingProvider(
            $"Synthetic Provider {body}", Npi.Parse(npi), Email.Parse($"p{body}@clinic.example"), roles[k % roles.Length]);
    }
}
