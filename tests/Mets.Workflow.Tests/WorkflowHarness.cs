using Mets.Domain.Assessments;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Domain.Referrals;
using Mets.Durable.Storage.Sqlite;
using Mets.Durable.Testing;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Mets.Workflow.Links;
using Mets.Workflow.Utilization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MimeKit;

namespace Mets.Workflow.Tests;

/// <summary>
/// The embedded workflow for lifecycle tests: real SQLite engine and case store and a real outbox
/// folder in a temp directory, the fake-time harness, real DI (<see cref="WorkflowServiceCollectionExtensions.AddMetsWorkflowCore"/>),
/// and every log line captured for the PHI scan.
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    private readonly IConfiguration _configuration;
    private DataConverter? _converter;
    private Action<IServiceCollection>? _services;

    private WorkflowHarness(string folder, IConfiguration configuration, DurableTestHost host, FakeLogCollector logs)
    {
        Folder = folder;
        _configuration = configuration;
        Host = host;
        Logs = logs;
    }

    public string Folder { get; }

    /// <summary>The engine with the workflow's services, composed as a host composes them (a restart replaces it).</summary>
    public DurableTestHost Host { get; private set; }

    public FakeLogCollector Logs { get; }

    public EngagementService Service => Services.GetRequiredService<EngagementService>();

    public ICaseStore Cases => Services.GetRequiredService<ICaseStore>();

    public InMemoryMemberUtilization Utilization => (InMemoryMemberUtilization)Services.GetRequiredService<IMemberUtilization>();

    public ProviderLinkSigner Links => Services.GetRequiredService<ProviderLinkSigner>();

    public EngagementSchedule Schedule => Services.GetRequiredService<EngagementSchedule>();

    public IServiceProvider Services => Host.Services;

    public string Outbox => Path.Combine(Folder, "outbox");

    public DateTimeOffset Now => Host.Time.GetUtcNow();

    /// <param name="settings">Configuration overrides.</param>
    /// <param name="converter">The payload serializer (Microsoft's JSON converter by default).</param>
    /// <param name="services">Replaces workflow services after the workflow's own registrations (e.g. a held email sender).</param>
    public static async Task<WorkflowHarness> StartAsync(IDictionary<string, string?>? settings = null, DataConverter? converter = null, Action<IServiceCollection>? services = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mets-workflow-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(folder, settings)).Build();
        var logs = new FakeLogCollector();
        var harness = new WorkflowHarness(folder, configuration, null!, logs) { _converter = converter, _services = services };
        harness.Host = await StartHostAsync(folder, configuration, logs, null, converter, services);
        return harness;
    }

    /// <summary>Stops the engine and the services and starts new ones on the same files, at the same fake time (a process restart).</summary>
    public async Task RestartEngineAsync()
    {
        var now = Host.Time.GetUtcNow();
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Host = await StartHostAsync(Folder, _configuration, Logs, now, _converter, _services);
    }

    /// <summary>The METS tasks on Microsoft's registry, the workflow's services with real DI, the engine on SQLite.</summary>
    private static Task<DurableTestHost> StartHostAsync(string folder, IConfiguration configuration, FakeLogCollector logs, DateTimeOffset? start, DataConverter? converter, Action<IServiceCollection>? replace) =>
        DurableTestHost.StartAsync(
            _ => { },
            new SqliteOrchestrationStore(Path.Combine(folder, "durable.db")),
            start,
            configureServices: services =>
            {
                services
                    .AddSingleton(configuration)
                    .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)))
                    .AddMetsWorkflowCore();
                replace?.Invoke(services);
            },
            converter: converter,
            configureWorker: b => b.AddMetsTasks());

    public static Dictionary<string, string?> Settings(string folder, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mets:Workflow:DataFolder"] = folder,
            ["Mets:Workflow:MailFrom"] = "mets@plan.example",
            ["Mets:Roster:Clinicians:0:Id"] = "clin.alvarez",
            ["Mets:Roster:Clinicians:0:Email"] = "alvarez@plan.example",
            ["Mets:Roster:Clinicians:1:Id"] = "clin.baker",
            ["Mets:Roster:Clinicians:1:Email"] = "baker@plan.example",
            ["Mets:Roster:Supervisors:0:Id"] = "sup.okafor",
            ["Mets:Roster:Supervisors:0:Email"] = "okafor@plan.example",
            ["Mets:Roster:MedicalDirectors:0:Id"] = "md.nguyen",
            ["Mets:Roster:MedicalDirectors:0:Email"] = "nguyen@plan.example",
            ["Mets:ProviderLinks:BaseUrl"] = "https://mets.plan.example/provider-responses",
            ["Mets:ProviderLinks:ActiveKeyId"] = "k2",
            ["Mets:ProviderLinks:Keys:k1"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Mets:ProviderLinks:Keys:k2"] = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray()),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public Task AdvanceAsync(TimeSpan by) => Diagnose(() => Host.AdvanceAsync(by));

    public Task AdvanceToAsync(DateTimeOffset at) => Diagnose(() => Host.AdvanceToAsync(at));

    public Task IdleAsync() => Diagnose(Host.WaitForIdleAsync);

    /// <summary>When the engine never goes idle, fail with the warnings and errors it logged.</summary>
    private async Task Diagnose(Func<Task> wait)
    {
        try
        {
            await wait();
        }
        catch (OperationCanceledException ex)
        {
            var problems = Logs.GetSnapshot().Where(l => l.Level >= LogLevel.Warning).Select(l => $"{l.Level} {l.Category}: {l.Message} {l.Exception}");
            throw new TimeoutException("The engine did not go idle. Logged problems:\n" + string.Join("\n", problems), ex);
        }
    }

    public async Task<Mets.Domain.Engagements.EngagementCase> CaseAsync(EngagementId id) =>
        await Cases.GetAsync(id) ?? throw new InvalidOperationException("No case document.");

    /// <summary>Outbox emails (file name without extension -> message).</summary>
    public IReadOnlyDictionary<string, MimeMessage> Emails() =>
        Directory.Exists(Outbox)
            ? Directory.GetFiles(Outbox, "*.eml").Order(StringComparer.Ordinal).ToDictionary(p => Path.GetFileNameWithoutExtension(p)!, p => MimeMessage.Load(p))
            : new Dictionary<string, MimeMessage>();

    public IReadOnlyList<string> EmailFiles(string contains) =>
        Directory.Exists(Outbox) ? [.. Directory.GetFiles(Outbox, "*.eml").Select(p => Path.GetFileName(p)!).Where(n => n.Contains(contains, StringComparison.Ordinal))] : [];

    /// <summary>The signed token in the provider request email for <paramref name="outreach"/>.</summary>
    public string TokenFromEmail(OutreachId outreach)
    {
        var name = OutboxEmailSender.FileNameFor($"{outreach}-request");
        var body = MimeMessage.Load(Path.Combine(Outbox, name)).TextBody ?? string.Empty;
        var line = body.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("https://", StringComparison.Ordinal));
        return line[(line.LastIndexOf('/') + 1)..];
    }

    /// <summary>Replays every instance's stored history against the current orchestrator code: none may diverge.</summary>
    public async Task AssertDeterministicReplayAsync()
    {
        var replayer = new Mets.Durable.Replay.OrchestrationReplayer(r => r.AddMetsTasks(Schedule), services: Services);
        var replayed = 0;
        await foreach (var instance in Host.Client.GetAllInstancesAsync())
        {
            var history = await Mets.Durable.Replay.ExportedHistory.ExportAsync(Host.Client, instance.InstanceId);
            var result = replayer.Replay(history);
            Assert.True(result.IsDeterministic, result.ToString());
            replayed++;
        }

        Assert.True(replayed > 0, "no instance to replay");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind does not fail a test
        }
    }
}

/// <summary>Test data with distinctive sentinel values: none may appear in logs, emails, custom status, failures or orchestration payloads.</summary>
internal static class Sample
{
    public const string SentinelMemberNumber = "ZQXMEMBER4471";
    public const string SentinelProviderName = "Dr Zebulon Quixotefield";
    public const string SentinelReasonText = "Sentinel narrative Xylophonia 1931-02-29";
    public const string SentinelGoal = "Sentinel goal Quokkaville reunion";
    public const string SentinelDiagnosis = "F33.1";
    public const string SentinelSubstanceDiagnosis = "F10.20";

    public static readonly Npi ProviderA = Npi.Parse("1234567893");
    public static readonly Npi ProviderB = Npi.Parse("1245319599");
    public static readonly StaffId Clinician = StaffId.Parse("clin.alvarez");
    public static readonly StaffId Supervisor = StaffId.Parse("sup.okafor");
    public static readonly StaffId MedicalDirector = StaffId.Parse("md.nguyen");

    public static IReadOnlyList<string> Sentinels { get; } =
        [SentinelMemberNumber, SentinelProviderName, "Zebulon", "Quixotefield", SentinelReasonText, "Xylophonia", "1931-02-29", SentinelGoal, "Quokkaville", SentinelDiagnosis, SentinelSubstanceDiagnosis];

    public static StaffId Staff(string id) => Mets.Domain.Identifiers.StaffId.Parse(id);

    public static MemberId Member(string number = SentinelMemberNumber) => MemberId.Create("MEDICAID-FL", number);

    public static Referral Referral(
        string id = "REF-1",
        ReferralUrgency urgency = ReferralUrgency.Routine,
        bool safety = false,
        string memberNumber = SentinelMemberNumber,
        DateTimeOffset? at = null,
        int providers = 2,
        string? reason = SentinelReasonText) => new(
        ReferralId.Parse(id),
        Member(memberNumber),
        ReferralSource.UtilizationManagement,
        ReferralReason.HighBehavioralHealthUtilization,
        reason,
        [IcdCode.Parse(SentinelDiagnosis), IcdCode.Parse(SentinelSubstanceDiagnosis)],
        urgency,
        safety,
        ConsentToShareSubstanceUseInformation: false,
        [.. new[]
        {
            new TreatingProvider(SentinelProviderName, ProviderA, Email.Parse("zq@clinic.example.org"), ProviderRole.BehavioralHealth),
            new TreatingProvider("Northside Pharmacy", ProviderB, Email.Parse("rx@northside.example"), ProviderRole.Pharmacy),
        }.Take(providers)],
        at ?? DurableTestHost.DefaultStart);

    /// <summary>PHQ-9 with the given total (item 9 = <paramref name="item9"/>), GAD-7 total 5, negative AUDIT-C, no C-SSRS risk.</summary>
    public static AssessmentScores Scores(int phq9Total = 5, int item9 = 0, IReadOnlyList<SocialNeedDomain>? needs = null)
    {
        var items = new int[9];
        items[8] = item9;
        var left = phq9Total - item9;
        for (var i = 0; i < 8 && left > 0; i++)
        {
            items[i] = Math.Min(3, left);
            left -= items[i];
        }

        return new AssessmentScores(
            new Phq9(items),
            new Gad7([1, 1, 1, 1, 1, 0, 0]),
            new AuditC([1, 0, 0], AuditCSex.Female),
            new CssrsScreener(false, false, false, false, false, SuicidalBehavior.None),
            needs ?? [],
            []);
    }

    public static Assessment Assessment(DateTimeOffset at, AssessmentScores? scores = null) => new(scores ?? Scores(), [SentinelGoal], Clinician, at);
}
