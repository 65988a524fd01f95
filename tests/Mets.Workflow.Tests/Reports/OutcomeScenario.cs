using System.Text;
using Mets.Claims;
using Mets.Claims.Ingestion;
using Mets.Claims.Storage;
using Mets.Domain.Assessments;
using Mets.Domain.CarePlans;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Domain.Risk;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.ClaimsIntake;
using Mets.Workflow.Reports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mets.Workflow.Tests.Reports;

/// <summary>
/// The seeded scenario of the report tests (docs/outcomes.md works it by hand): five engagements started in March and
/// April 2026 (one more in May, outside the period) saved in a real SQLite case store, and their members' claims and
/// coverage ingested by the real claims ingest into a real SQLite claims store. The report runs as of 2026-11-15 with
/// 3 months of claims run-out and 3 months before and after.
/// </summary>
public sealed class OutcomeScenario : IAsyncDisposable
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 15, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly From = new(2026, 3, 1);
    public static readonly DateOnly To = new(2026, 4, 30);

    /// <summary>Treating provider 1 (E1 and E2) and 2 (E2).</summary>
    public static readonly Npi ProviderOne = Npi.Parse("1234567893");
    public static readonly Npi ProviderTwo = Npi.Parse("1245319599");

    private const string ClaimsHeader = "claim_id,line_number,member_id,claim_type,service_from,service_to,admission_date,discharge_date,place_of_service,bill_type,revenue_code,procedure_code,dx1,paid_amount";
    private const string EligibilityHeader = "member_id,plan,coverage_start,coverage_end,member_birth_date";

    private readonly string _folder;
    private readonly bool _ownFolder;
    private ServiceProvider? _claims;

    private OutcomeScenario(string? folder)
    {
        _ownFolder = folder is null;
        _folder = folder ?? Path.Combine(Path.GetTempPath(), "mets-report-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        Cases = new SqliteCaseStore(Path.Combine(_folder, CasesFile));
    }

    /// <summary>The local host's file names in its data folder, so a host started on the folder reads the scenario.</summary>
    public const string CasesFile = "mets-cases.db";
    public const string ClaimsFile = "mets-claims.db";

    public SqliteCaseStore Cases { get; }

    public FakeTimeProvider Clock { get; } = new(AsOf);

    public IClaimsStore ClaimsStore => _claims!.GetRequiredService<IClaimsStore>();

    public MemberClaimsHistory ClaimsHistory => new(ClaimsStore, _claims!.GetRequiredService<Mets.Claims.Analytics.ClaimClassifier>(), new ClaimsMemberIds("PLAN"));

    public static MemberId Member(string number) => MemberId.Create("PLAN", number);

    public OutcomeReportService Service(ReportOptions options, TimeProvider? clock = null) => new(Cases, ClaimsHistory, Options.Create(options), clock ?? Clock);

    /// <summary>Options of the hand-worked figures: nothing suppressed, 3 months run-out, 3 months before/after, DiD from 2 members a group.</summary>
    public static ReportOptions HandWorked(int minimumCellCount = 1, int didMinimum = 2) => new()
    {
        MinimumCellCount = minimumCellCount,
        ClaimsRunOutMonths = 3,
        PrePostMonths = 3,
        DifferenceInDifferencesMinimumMembers = didMinimum,
    };

    /// <summary>Seeds the scenario into <paramref name="folder"/> (kept when given; a temporary folder deleted on dispose otherwise).</summary>
    public static async Task<OutcomeScenario> CreateAsync(string? folder = null)
    {
        var scenario = new OutcomeScenario(folder);
        await scenario.SeedClaimsAsync();
        await scenario.SeedEngagementsAsync();
        return scenario;
    }

    private async Task SeedClaimsAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Claims:Store:DatabasePath"] = Path.Combine(_folder, ClaimsFile),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(Clock).AddSingleton<IConfiguration>(configuration);
        services.AddMetsClaims(configuration);
        _claims = services.BuildServiceProvider();
        var ingestor = _claims.GetRequiredService<ClaimsFileIngestor>();

        var eligibility = string.Join('\n',
            EligibilityHeader,
            "M1001,GOLD,2025-01-01,,1980-01-01",
            "M1002,GOLD,2025-06-01,,1980-01-01",
            "M1003,GOLD,2025-01-01,2026-05-31,1980-01-01",
            "M1004,GOLD,2025-01-01,,1980-01-01") + "\n";
        var claims = string.Join('\n',
            ClaimsHeader,
            // M1001 (E1, engaged, index 2026-03-10): before Dec-Feb, after Apr-Jun.
            Other("N11", "M1001", "2025-12-05"),
            Stay("S11", "M1001", "2026-01-15", "2026-01-20", "5000.00"),
            Ed("E11", "M1001", "2026-02-03"),
            Visit("V11", "M1001", "2026-02-10"),
            Visit("V12", "M1001", "2026-02-17"),
            Visit("V13", "M1001", "2026-04-07"),
            Visit("V14", "M1001", "2026-05-05"),
            Stay("S12", "M1001", "2026-05-12", "2026-05-14", "4000.00"),
            Visit("V15", "M1001", "2026-05-18"),
            Other("N12", "M1001", "2026-05-20"),
            // M1002 (E2, engaged, index 2026-03-20).
            Visit("V21", "M1002", "2025-12-20"),
            Ed("E21", "M1002", "2026-01-08"),
            Ed("E22", "M1002", "2026-02-14"),
            Ed("E23", "M1002", "2026-04-20"),
            Visit("V22", "M1002", "2026-06-02"),
            // M1003 (E3, triggered not engaged, index 2026-04-05; coverage ends 2026-05-31).
            Ed("E31", "M1003", "2026-03-01"),
            Visit("V31", "M1003", "2026-03-03"),
            Visit("V32", "M1003", "2026-05-10"),
            Visit("V33", "M1003", "2026-06-15"),
            // M1004 (E4, triggered not engaged, index 2026-04-08).
            Stay("S41", "M1004", "2026-02-02", "2026-02-09", "6000.00"),
            Ed("E41", "M1004", "2026-06-01"),
            Visit("V41", "M1004", "2026-06-25")) + "\n";

        var coverage = await ingestor.IngestAsync("eligibility.csv", Stream(eligibility), CancellationToken.None);
        var file = await ingestor.IngestAsync("claims.csv", Stream(claims), CancellationToken.None);
        Assert.Equal(ClaimsFileOutcome.Processed, coverage.Outcome);
        Assert.Equal(ClaimsFileOutcome.Processed, file.Outcome);
        Assert.Equal(22, file.Counts.ClaimsAccepted);
    }

    private async Task SeedEngagementsAsync()
    {
        // E1: a treating provider's referral on 2026-03-10 09:00; assessment 2026-03-12 21:00 (due 03-17); provider one
        // answers before any escalation; review 1 (due 04-12) on 04-10; closed, goals met, 04-15.
        await SaveAsync(Referral("REF-E1", "M1001", ReferralSource.TreatingProvider, ReferralReason.ClinicalConcern, At(3, 10, 9), ProviderOne), c =>
        {
            c = c.Start(Staff, At(3, 17, 9), At(9, 10, 9), At(3, 10, 9));
            c = c.CompleteAssessment(Assessment([2, 2, 2, 2, 2, 2, 2, 2, 0], [2, 2, 2, 2, 2, 1, 1], At(3, 12, 21)), Risk, CarePlan.Empty);
            c = c.StartNextReview(At(4, 12, 9), At(3, 12, 21));
            var outreach = ProviderOutreach.Start(OutreachId.For(c.Id, ProviderOne), ProviderRole.Psychiatry, At(3, 13, 9));
            c = c.RecordOutreach(outreach = outreach.Emailed(At(3, 13, 9)), TimelineEntryKind.OutreachStarted, Actor.System, At(3, 13, 9));
            c = c.RecordOutreach(outreach.Answered(ProviderResponse.WillCollaborate, At(3, 15, 9)), TimelineEntryKind.ProviderResponded, Actor.Provider(ProviderOne), At(3, 15, 9));
            c = c.CompleteReview(Risk, 6, 5, Staff, At(4, 10, 9));
            return c.Close(ClosureReason.GoalsMet, Actor.Staff(ActorKind.Clinician, Staff), At(4, 15, 9));
        });

        // E2: a claims referral (open care gap) on 2026-03-20 09:00, a treating provider's referral attached 03-22;
        // assessment 03-30 (due 03-27: late); provider one is escalated and a peer-to-peer review recorded, provider two
        // answers after the escalation; review 1 (due 04-30) on 05-04 (late), review 2 due 06-01 (overdue now). Open.
        await SaveAsync(Referral("claims-e2", "M1002", ReferralSource.ClaimsAnalytics, ReferralReason.OpenCareGap, At(3, 20, 9)), c =>
        {
            c = c.Start(Staff, At(3, 27, 9), At(9, 20, 9), At(3, 20, 9));
            c = c.AttachReferral(Referral("REF-E2", "M1002", ReferralSource.TreatingProvider, ReferralReason.ClinicalConcern, At(3, 22, 9), ProviderOne, ProviderTwo), null, At(3, 22, 9));
            c = c.CompleteAssessment(Assessment([2, 2, 2, 2, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1, 2], At(3, 30, 9)), Risk, CarePlan.Empty);
            c = c.StartNextReview(At(4, 30, 9), At(3, 30, 9));
            foreach (var npi in new[] { ProviderOne, ProviderTwo })
            {
                var outreach = ProviderOutreach.Start(OutreachId.For(c.Id, npi), ProviderRole.BehavioralHealth, At(3, 31, 9)).Emailed(At(3, 31, 9));
                c = c.RecordOutreach(outreach, TimelineEntryKind.OutreachStarted, Actor.System, At(3, 31, 9));
                c = c.RecordOutreach(outreach = outreach.Reminded(), TimelineEntryKind.ProviderReminded, Actor.System, At(4, 5, 9));
                c = c.RecordOutreach(outreach = outreach.Escalated(At(4, 10, 9)), TimelineEntryKind.ProviderEscalatedToMedicalDirector, Actor.System, At(4, 10, 9));
                c = npi == ProviderOne
                    ? c.RecordOutreach(outreach.PeerReviewed(PeerReviewOutcome.AgreedOnPlan, At(4, 14, 9)), TimelineEntryKind.PeerReviewRecorded, Actor.Staff(ActorKind.MedicalDirector, Staff), At(4, 14, 9))
                    : c.RecordOutreach(outreach.Answered(ProviderResponse.WillCollaborate, At(4, 12, 9)), TimelineEntryKind.ProviderResponded, Actor.Provider(npi), At(4, 12, 9));
            }

            c = c.CompleteReview(Risk, 7, null, Staff, At(5, 4, 9));
            return c.StartNextReview(At(6, 1, 9), At(5, 4, 9));
        });

        // E3: a claims referral (high BH utilization) on 2026-04-05, closed unable to reach 04-20 without an assessment.
        await SaveAsync(Referral("claims-e3", "M1003", ReferralSource.ClaimsAnalytics, ReferralReason.HighBehavioralHealthUtilization, At(4, 5, 9)), c =>
            c.Start(Staff, At(4, 12, 9), At(10, 5, 9), At(4, 5, 9)).Close(ClosureReason.UnableToReach, Actor.Staff(ActorKind.Clinician, Staff), At(4, 20, 9)));

        // E4: a claims referral (medication non-adherence) on 2026-04-08, closed, member declined, 04-15.
        await SaveAsync(Referral("claims-e4", "M1004", ReferralSource.ClaimsAnalytics, ReferralReason.MedicationNonadherence, At(4, 8, 9)), c =>
            c.Start(Staff, At(4, 15, 9), At(10, 8, 9), At(4, 8, 9)).Close(ClosureReason.MemberDeclined, Actor.Staff(ActorKind.Clinician, Staff), At(4, 15, 9)));

        // E5: a utilization-management referral on 2026-04-12; assessment due 04-19, reminded 04-18, escalated 04-19. Open.
        await SaveAsync(Referral("REF-E5", "M1005", ReferralSource.UtilizationManagement, ReferralReason.ClinicalConcern, At(4, 12, 9)), c =>
            c.Start(Staff, At(4, 19, 9), At(10, 12, 9), At(4, 12, 9)).RecordReminder(At(4, 18, 9)).RecordEscalation(Supervisor, At(4, 19, 9)));

        // E6: started 2026-05-02, after the period: in no figure.
        await SaveAsync(Referral("REF-E6", "M1006", ReferralSource.SelfOrFamily, ReferralReason.MemberOrFamilyRequest, At(5, 2, 9), ProviderOne), c =>
            c.Start(Staff, At(5, 9, 9), At(11, 2, 9), At(5, 2, 9)).CompleteAssessment(Assessment([2, 2, 2, 2, 2, 2, 2, 2, 0], null, At(5, 3, 9)), Risk, CarePlan.Empty));
    }

    public static readonly StaffId Staff = StaffId.Parse("clin.alvarez");
    public static readonly StaffId Supervisor = StaffId.Parse("sup.okafor");
    private static readonly RiskTierDecision Risk = new(RiskTier.Moderate, []);

    public static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private async Task SaveAsync(Referral referral, Func<EngagementCase, EngagementCase> apply)
    {
        var id = EngagementId.New(Guid.NewGuid());
        await Cases.ReceiveReferralAsync(referral, EngagementCase.Receive(id, referral, referral.ReceivedAt));
        var stored = (await Cases.GetAsync(id))!;
        var saved = await Cases.SaveAsync(apply(stored), "seed");
        Assert.Equal(Mets.Workflow.Cases.CaseSaveOutcome.Saved, saved.Outcome);
    }

    private static Referral Referral(string id, string member, ReferralSource source, ReferralReason reason, DateTimeOffset at, params Npi[] providers) => new(
        ReferralId.Parse(id), Member(member), source, reason, null, [], ReferralUrgency.Routine, false, false,
        [.. providers.Select((npi, i) => new TreatingProvider($"Provider {i + 1}", npi, Email.Parse($"provider{i + 1}@clinic.example"), ProviderRole.BehavioralHealth))],
        at);

    private static Assessment Assessment(int[] phq9, int[]? gad7, DateTimeOffset at) =>
        new(new AssessmentScores(new Phq9(phq9), gad7 is null ? null : new Gad7(gad7), null, null, null, null), [], Staff, at);

    private static string Visit(string id, string member, string date) => $"{id},1,{member},professional,{date},,,,11,,,90837,F33.1,100.00";

    private static string Ed(string id, string member, string date) => $"{id},1,{member},institutional,{date},{date},,,,131,0450,,F20.0,900.00";

    private static string Stay(string id, string member, string admit, string discharge, string paid) =>
        $"{id},1,{member},institutional,{admit},{discharge},{admit},{discharge},,111,0124,,F32.2,{paid}";

    private static string Other(string id, string member, string date) => $"{id},1,{member},professional,{date},,,,11,,,99213,J06.9,80.00";

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    public async ValueTask DisposeAsync()
    {
        if (_claims is not null)
        {
            await _claims.DisposeAsync();
        }

        Cases.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_ownFolder)
        {
            return;
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
