using System.Globalization;
using Mets.Domain.Assessments;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Cases;

namespace Mets.Azure.Tests.Cosmos.Cases;

/// <summary>Case-store test data. Every id is new per call, so tests sharing one database (a real account) never see each other's cases.</summary>
internal static class CaseSamples
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static MemberId NewMember() => MemberId.Create("MEDICAID-FL", "M" + Unique(24));

    public static StaffId NewClinician() => StaffId.Parse("clin." + Unique(12));

    public static ReferralId NewReferralId() => ReferralId.Parse("REF-" + Unique(20));

    public static Referral Referral(MemberId member, ReferralId? id = null, DateTimeOffset? at = null) => new(
        id ?? NewReferralId(),
        member,
        ReferralSource.UtilizationManagement,
        ReferralReason.HighBehavioralHealthUtilization,
        "Narrative for the case-store contract",
        [IcdCode.Parse("F33.1")],
        ReferralUrgency.Routine,
        SafetyConcern: false,
        ConsentToShareSubstanceUseInformation: false,
        [new TreatingProvider("Dr Avery Stone", Npi.Parse("1234567893"), Email.Parse("stone@clinic.example"), ProviderRole.Psychiatry)],
        at ?? T0);

    /// <summary>The case intake writes for <paramref name="referral"/>, with a new engagement id.</summary>
    public static EngagementCase NewCase(Referral referral) => EngagementCase.Receive(EngagementId.New(Guid.NewGuid()), referral, referral.ReceivedAt);

    public static AssessmentDetails Details(StaffId by, int phq9Total, string goal)
    {
        var items = new int[9];
        for (var i = 0; i < 9 && phq9Total > 0; i++)
        {
            items[i] = Math.Min(3, phq9Total);
            phq9Total -= items[i];
        }

        var scores = new AssessmentScores(new Phq9(items), new Gad7([1, 1, 1, 1, 1, 0, 0]), new AuditC([1, 0, 0], AuditCSex.Female),
            new CssrsScreener(false, false, false, false, false, SuicidalBehavior.None), [], []);
        return new AssessmentDetails(new Assessment(scores, [goal], by, T0.AddDays(3)), null);
    }

    /// <summary>The <c>attempt=</c> codes of the contact-attempt entries, in timeline order.</summary>
    public static IReadOnlyList<int> ContactAttempts(EngagementCase found) =>
        [.. found.Timeline.Where(t => t.Kind == TimelineEntryKind.MemberContactAttempted)
            .Select(t => int.Parse(t.Details.Single(d => d.StartsWith("attempt=", StringComparison.Ordinal))["attempt=".Length..], CultureInfo.InvariantCulture))];

    /// <summary>Timeline entries as comparable text (their details are lists, which records compare by reference).</summary>
    public static IReadOnlyList<string> Entries(IEnumerable<TimelineEntry> timeline) =>
        [.. timeline.Select(t => FormattableString.Invariant($"{t.At:O} {t.Actor.Kind}:{t.Actor.Id} {t.Kind} {string.Join(' ', t.Details)}"))];

    private static string Unique(int length) => Guid.NewGuid().ToString("N")[..length].ToUpperInvariant();
}
