using Mets.Domain.Assessments;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;

namespace Mets.Domain.Tests;

/// <summary>Test data with distinctive sentinel values, so a PHI scan can look for them.</summary>
internal static class Sample
{
    public const string SentinelMemberNumber = "ZQXMEMBER4471";
    public const string SentinelProviderName = "Dr Zebulon Quixotefield";
    public const string SentinelReasonText = "Sentinel narrative Xylophonia 1931-02-29";
    public const string SentinelGoal = "Sentinel goal Quokkaville reunion";

    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);
    public static readonly EngagementId Engagement = EngagementId.New(Guid.Parse("0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21"));
    public static readonly Npi ProviderA = Npi.Parse("1234567893");
    public static readonly Npi ProviderB = Npi.Parse("1245319599");
    public static readonly StaffId Clinician = StaffId.Parse("clin.alvarez");
    public static readonly StaffId Supervisor = StaffId.Parse("sup.okafor");
    public static readonly MemberId Member = MemberId.Create("MEDICAID-FL", SentinelMemberNumber);

    public static Referral Referral(string id = "REF-1", ReferralUrgency urgency = ReferralUrgency.Routine, bool safety = false) => new(
        ReferralId.Parse(id),
        Member,
        ReferralSource.UtilizationManagement,
        ReferralReason.HighBehavioralHealthUtilization,
        SentinelReasonText,
        [IcdCode.Parse("F33.1"), IcdCode.Parse("F10.20")],
        urgency,
        safety,
        ConsentToShareSubstanceUseInformation: false,
        [
            new TreatingProvider(SentinelProviderName, ProviderA, Email.Parse("zq@clinic.example.org"), ProviderRole.BehavioralHealth),
            new TreatingProvider("Northside Pharmacy", ProviderB, Email.Parse("rx@northside.example"), ProviderRole.Pharmacy),
        ],
        T0);

    public static AssessmentScores Scores(int phq9Total = 12, int item9 = 0) => new(
        new Phq9([.. Assessments.InstrumentTests.Spread(phq9Total - item9, 8, 3), item9]),
        new Gad7([2, 2, 2, 1, 1, 1, 1]),
        new AuditC([1, 1, 0], AuditCSex.Female),
        new CssrsScreener(false, false, false, false, false, SuicidalBehavior.None),
        [SocialNeedDomain.Transportation],
        [ProgramBarrier.MedicationNonadherence, ProgramBarrier.InsufficientCareCoordination]);

    public static Assessment Assessment(DateTimeOffset at) => new(Scores(), [SentinelGoal], Clinician, at);
}
