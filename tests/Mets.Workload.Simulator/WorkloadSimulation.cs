using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mets.Domain.Assessments;
using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Policy;
using Mets.Domain.Referrals;
using Mets.Durable.Engine;
using Mets.Durable.Storage;
using Mets.Durable.Testing;
using Mets.Workflow;
using Mets.Workflow.Adapters.Sqlite;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workload.Simulator;

/// <summary>How to run a simulation (not part of the scenario: none of it changes the counts).</summary>
public sealed record SimulationOptions
{
    /// <summary>Folder for the case database and the audit anchor file (a new folder under it per run, deleted after).</summary>
    public string? DataFolder { get; init; }

    /// <summary><c>Mets:Policy</c> settings given on the command line; they win over the scenario's.</summary>
    public IReadOnlyDictionary<string, string> PolicyOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The engine's activity workers (<see cref="DurableEngineOptions.MaxConcurrentActivities"/>): one per core by default
    /// (the case database has one writer per file, so more workers mostly wait; the hosts' default is 8).
    /// </summary>
    public int MaxConcurrentActivities { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// False (default): the case database's adapters as the hosts use them (reads on pooled connections, writes through
    /// the file's one group-committing writer); true: its calls, reads too, are taken one at a time
    /// (<see cref="OneWriterCaseDatabase"/>, the default before the adapters had one writer per file). The counts are the same.
    /// </summary>
    public bool OneWriterCaseDatabase { get; init; }

    /// <summary>
    /// How many of a day's actions on different engagements call METS at the same time (16 by default; 1: one after
    /// another). The counts are the same: what each action did is counted in the order the actions were planned.
    /// </summary>
    public int ActionsAtOnce { get; init; } = 16;

    /// <summary>Where progress lines go (one per simulated week); null: nowhere.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>What a simulation did, besides the tally.</summary>
public sealed record SimulationCounts
{
    public int Referrals { get; set; }
    public int Assessments { get; set; }
    public int ContactAttempts { get; set; }
    public int Reviews { get; set; }
    public int ProviderResponses { get; set; }
    public int PeerReviews { get; set; }
    public int ClosureDecisions { get; set; }
    public int ClaimsEvents { get; set; }
    public int ClosureRequests { get; set; }

    /// <summary>Commands METS refused because the engagement had moved on (a late provider answer, a closed engagement): expected, counted.</summary>
    public int Refused { get; set; }

    /// <summary>Timeline entries "reminder sent" and "escalated to supervisor (overdue)": they must equal the emails.</summary>
    public int TimelineReminders { get; set; }

    public int TimelineEscalations { get; set; }

    public int OpenAtEnd { get; set; }

    public Dictionary<ClosureReason, int> ClosuresByReason { get; } = [];

    /// <summary>Where the wall-clock time went: moving time (timers firing and what they start), the day's actions until idle, referrals, reading cases, the final count.</summary>
    public Dictionary<string, TimeSpan> Phases { get; } = [];
}

public sealed record WorkloadResult(
    Scenario Scenario,
    EngagementPolicy Policy,
    IReadOnlyList<string> Clinicians,
    WorkloadTally Tally,
    SimulationCounts Counts,
    int FailedInstances,
    IReadOnlyList<string> Problems,
    TimeSpan Elapsed,
    string DataFolder);

/// <summary>
/// Runs a <see cref="Scenario"/>: the real METS orchestrators and activities (<see cref="WorkflowServiceCollectionExtensions.AddMetsTasks(Microsoft.DurableTask.Worker.IDurableTaskWorkerBuilder)"/>)
/// and application service (<see cref="EngagementService"/>) on the embedded engine with its in-memory store, under fake
/// time (<see cref="DurableTestHost"/>), with the policy bound from configuration as the hosts bind it, the SQLite case
/// store on disk and emails kept by <see cref="SimulatedOutbox"/>. Each simulated day: time moves to the day's start
/// (every timer due by then fires, in order), the people whose turn it is act through the application service, new
/// referrals arrive one at a time, each once the one before it has started (so the assignment to the clinician with the
/// fewest open engagements does not depend on thread timing), then the cases touched are read to plan the next step.
/// </summary>
public sealed class WorkloadSimulation
{
    private const string Supervisor = "sup.01";
    private const string MedicalDirector = "md.01";

    /// <summary>
    /// Running orchestrations the engine keeps in memory between episodes (the hosts' default: 1,000): a simulated year
    /// has thousands of engagements and provider outreach running at once, each woken again within days, and without
    /// its kept orchestration an episode replays the step's history (docs/workload-simulator.md, "Measured").
    /// </summary>
    private const int OrchestrationsKept = 16_384;

    /// <summary>How long a referral's engagement may take to start before the run fails (generous: a start takes milliseconds).</summary>
    private static readonly TimeSpan ReferralStartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>PHQ-9 totals that make the risk tier low, moderate and high (with nothing else raising it).</summary>
    private static readonly int[] Phq9TotalByTier = [3, 12, 22];

    private readonly Scenario _scenario;
    private readonly Draws _draws;
    private readonly PriorityQueue<PlannedAction, (int Day, int Member, long Sequence)> _planned = new();
    private readonly List<SimulatedMember> _members = [];
    private readonly Dictionary<EngagementId, SimulatedMember> _byEngagement = [];
    private readonly List<(DateTimeOffset At, EmailKind Kind, EngagementId Engagement)> _emails = [];
    private readonly SimulationCounts _counts = new();
    private long _sequence;
    private int _today;
    private DurableTestHost _host = null!;
    private EngagementService _service = null!;
    private EngagementStarts _starts = null!;
    private SimulatedOutbox _outbox = null!;

    private WorkloadSimulation(Scenario scenario)
    {
        _scenario = scenario;
        _draws = new Draws(scenario.Seed);
    }

    private enum ActionKind
    {
        Assess,
        ContactAttempt,
        Decline,
        Review,
        ProviderResponse,
        PeerReview,
        ClosureDecision,
        Discharge,
        EligibilityLost,
        MemberDeclines,
    }

    /// <param name="Number">Review number, attempt number, week or provider index, by kind.</param>
    /// <param name="Version">For reviews: the plan version it belongs to.</param>
    /// <param name="Text">A token (provider response), an outreach id (peer review) or a decision.</param>
    private sealed record PlannedAction(ActionKind Kind, SimulatedMember Member, int Number, int Version, string? Text);

    /// <summary>What an action's calls found: no engagement to act on (or known closed), the case closed, or open (with the command's result if one was given).</summary>
    private enum PerformedOutcome
    {
        NotPerformed,
        FoundClosed,
        FoundOpen,
    }

    private sealed record Performed(PerformedOutcome Outcome, CommandResult? Result);

    public static string RosterClinician(int index) => $"clin.{(index + 1).ToString("D2", CultureInfo.InvariantCulture)}";

    /// <summary>The configuration the simulated host reads: roster, links, data folder, and the scenario's and caller's policy.</summary>
    public static Dictionary<string, string?> Settings(Scenario scenario, string dataFolder, IReadOnlyDictionary<string, string>? policyOverrides = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var settings = new Dictionary<string, string?>
        {
            ["Mets:Workflow:DataFolder"] = dataFolder,
            ["Mets:Workflow:MailFrom"] = "mets@plan.example",
            ["Mets:Roster:Supervisors:0:Id"] = Supervisor,
            ["Mets:Roster:Supervisors:0:Email"] = "sup.01@plan.example",
            ["Mets:Roster:MedicalDirectors:0:Id"] = MedicalDirector,
            ["Mets:Roster:MedicalDirectors:0:Email"] = "md.01@plan.example",
            ["Mets:ProviderLinks:BaseUrl"] = "https://mets.plan.example/provider-responses",
            ["Mets:ProviderLinks:ActiveKeyId"] = "sim",
            ["Mets:ProviderLinks:Keys:sim"] = Convert.ToBase64String([.. Enumerable.Range(0, 32).Select(i => (byte)(scenario.Seed + (i * 7)))]),
        };
        for (var c = 0; c < scenario.Clinicians; c++)
        {
            settings[$"Mets:Roster:Clinicians:{c}:Id"] = RosterClinician(c);
            settings[$"Mets:Roster:Clinicians:{c}:Email"] = $"{RosterClinician(c)}@plan.example";
        }

        foreach (var (name, value) in scenario.Policy)
        {
            settings[$"{EngagementPolicy.SectionName}:{name}"] = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        }

        foreach (var (name, value) in policyOverrides ?? new Dictionary<string, string>())
        {
            settings[$"{EngagementPolicy.SectionName}:{name}"] = value;
        }

        return settings;
    }

    /// <summary>Runs the scenario; <see cref="ScenarioException"/> when its policy is not valid.</summary>
    public static async Task<WorkloadResult> RunAsync(Scenario scenario, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        options ??= new SimulationOptions();
        var errors = scenario.Validate();
        if (errors.Count > 0)
        {
            throw new ScenarioException(string.Join(Environment.NewLine, errors));
        }

        var root = options.DataFolder ?? (Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath());
        var folder = Path.Combine(root, "mets-workload", $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(folder);
        try
        {
            return await new WorkloadSimulation(scenario).RunAsync(folder, options).ConfigureAwait(false);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp folder left behind changes no result
            }
        }
    }

    private async Task<WorkloadResult> RunAsync(string folder, SimulationOptions options)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(_scenario, folder, options.PolicyOverrides)).Build();
        var policy = ReadPolicy(configuration);
        var problems = new ProblemLog();
        var stopwatch = Stopwatch.StartNew();
        _host = await DurableTestHost.StartAsync(
            _ => { },
            new InMemoryOrchestrationStore(),
            _scenario.StartsAt,
            configureServices: services => services
                .AddSingleton<IConfiguration>(configuration)
                .AddSingleton<ILoggerFactory>(problems)
                .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
                .AddSingleton<IEmailSender>(sp => new SimulatedOutbox(sp.GetRequiredService<TimeProvider>()))
                .AddCaseDatabase(new WorkflowOptions { DataFolder = folder }.CaseDatabasePath, options.OneWriterCaseDatabase)
                .AddMetsWorkflowCore(),
            options: new DurableEngineOptions { MaxConcurrentActivities = options.MaxConcurrentActivities, OrchestrationsKeptInMemory = OrchestrationsKept },
            configureWorker: b => b.AddMetsTasks()).ConfigureAwait(false);
        await using (_host.ConfigureAwait(false))
        {
            _service = _host.Services.GetRequiredService<EngagementService>();
            _starts = _host.Services.GetRequiredService<EngagementStarts>();
            _outbox = (SimulatedOutbox)_host.Services.GetRequiredService<IEmailSender>();
            CreateMembers();
            var days = _scenario.Weeks * 7;
            var phase = Stopwatch.StartNew();
            void Lap(string name)
            {
                _counts.Phases[name] = _counts.Phases.GetValueOrDefault(name) + phase.Elapsed;
                phase.Restart();
            }

            var nextReferral = 0;
            for (_today = 0; _today < days; _today++)
            {
                await _host.AdvanceToAsync(DayStart(_today)).ConfigureAwait(false);
                Lap("timers");
                TakeEmails();
                var actedToday = new HashSet<int>();
                var together = new List<PlannedAction>();
                while (_planned.TryPeek(out _, out var next) && next.Day <= _today)
                {
                    var action = _planned.Dequeue();
                    if (!actedToday.Add(action.Member.Index))
                    {
                        // A second action on one engagement the same day waits until the first is applied, so what it reads
                        // (and whether METS accepts it) never depends on how far the engine got.
                        await PerformTogetherAsync(together, options.ActionsAtOnce).ConfigureAwait(false);
                        await _host.WaitForIdleAsync().ConfigureAwait(false);
                        actedToday.Clear();
                        actedToday.Add(action.Member.Index);
                    }

                    together.Add(action);
                }

                await PerformTogetherAsync(together, options.ActionsAtOnce).ConfigureAwait(false);

                Lap("actions");
                await _host.WaitForIdleAsync().ConfigureAwait(false);
                Lap("actions until idle");
                // The day's referrals arrive one at a time, each once the one before it has started (its case saved with
                // the clinician assigned), so the assignment (the clinician with the fewest open engagements, ties in
                // roster order) counts every engagement referred before it, as if each had waited until the engine was
                // idle. Nothing else changes those counts meanwhile: time stands still (no timer comes due that was not
                // due before); the day's actions and everything they started finished before (idle, above); and what a
                // new engagement does after its start never closes an engagement or moves one to another clinician:
                // it waits on its assessment step's timers, of which only the reminder can be due at once (EngagementPolicy:
                // the assessment is due at least 1 s after the referral, the escalation at or after that, the maximum
                // duration's closure review at least 1 s after the start and its closure later still), and that
                // reminder is a timeline entry on its own case (status and clinician unchanged) and an email. Its
                // provider outreach starts only after the assessment, on a later day. After the day's last referral
                // the engine is waited for until idle, as before, so the cases read next are those of an idle engine.
                for (; nextReferral < _members.Count && _members[nextReferral].ReferralDay == _today; nextReferral++)
                {
                    await ReferAsync(_members[nextReferral]).ConfigureAwait(false);
                }

                await _host.WaitForIdleAsync().ConfigureAwait(false);
                Lap("referrals");
                await LookAtTouchedCasesAsync().ConfigureAwait(false);
                TakeEmails();
                Lap("reading cases");
                if (_today % 7 == 6)
                {
                    options.Progress?.Invoke($"week {(_today / 7) + 1,3}/{_scenario.Weeks}: {_members.Count(m => m.Engagement is not null && !m.Closed),6:N0} open as far as known, {_emails.Count,8:N0} emails, {stopwatch.Elapsed.TotalSeconds,6:N1} s");
                }
            }

            await _host.AdvanceToAsync(_scenario.EndsAt - TimeSpan.FromTicks(1)).ConfigureAwait(false);
            TakeEmails();
            Lap("timers");
            var tally = await TallyAsync().ConfigureAwait(false);
            Lap("final count");
            var failed = 0;
            await foreach (var _ in _host.Client.GetAllInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Failed] }).ConfigureAwait(false))
            {
                failed++;
            }

            stopwatch.Stop();
            return new WorkloadResult(
                _scenario, policy, [.. Enumerable.Range(0, _scenario.Clinicians).Select(RosterClinician)], tally, _counts, failed, problems.Snapshot(), stopwatch.Elapsed, folder);
        }
    }

    /// <summary>The policy exactly as the hosts bind and check it; a bad setting is a <see cref="ScenarioException"/> naming it.</summary>
    private static EngagementPolicy ReadPolicy(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddSingleton(configuration).AddMetsWorkflowCore().BuildServiceProvider();
        EngagementPolicy policy;
        try
        {
            policy = services.GetRequiredService<IOptions<EngagementPolicy>>().Value;
        }
        catch (InvalidOperationException e)
        {
            throw new ScenarioException($"policy: {e.Message}", e);
        }
        catch (OptionsValidationException e)
        {
            throw new ScenarioException("policy: " + string.Join(" ", e.Failures), e);
        }

        var problems = policy.Validate();
        return problems.Count == 0 ? policy : throw new ScenarioException("policy: " + string.Join(" ", problems));
    }

    private DateTimeOffset DayStart(int day) => _scenario.StartsAt.AddDays(day) + _scenario.DayStartsAt.ToTimeSpan();

    private int DayOf(DateTimeOffset at) => (int)Math.Floor((at - _scenario.StartsAt).TotalDays);

    private DateTimeOffset Now => _host.Time.GetUtcNow();

    private void CreateMembers()
    {
        var referralDays = _scenario.ReferralWeeks * 7;
        var sources = _scenario.Referrals.Sources;
        for (var i = 0; i < _scenario.Members; i++)
        {
            var spread = Draws.Spread(i);
            var cumulative = 0.0;
            var source = sources[^1];
            foreach (var s in sources)
            {
                cumulative += s.Share;
                if (spread < cumulative)
                {
                    source = s;
                    break;
                }
            }

            var providers = _draws.Pick(_scenario.Referrals.TreatingProviderCounts, i, DrawPurpose.ProviderCount);
            _members.Add(new SimulatedMember(
                i, (int)((long)i * referralDays / _scenario.Members), source, [.. Enumerable.Range(0, providers).Select(k => SimulatedMember.Provider(i, k))]));
        }
    }

    private void Plan(int day, ActionKind kind, SimulatedMember member, int number = 0, int version = 0, string? text = null)
    {
        if (day < _scenario.Weeks * 7)
        {
            _planned.Enqueue(new PlannedAction(kind, member, number, version, text), (day, member.Index, _sequence++));
        }
    }

    // ---- referral ----

    private async Task ReferAsync(SimulatedMember member)
    {
        var i = member.Index;
        var urgent = _draws.Chance(member.Source.UrgentProbability, i, DrawPurpose.Urgent);
        var safety = _draws.Chance(member.Source.SafetyConcernProbability, i, DrawPurpose.SafetyConcern);
        var referral = new Referral(
            member.ReferralId, member.MemberId, member.Source.Source, member.Source.Reason, null, [IcdCode.Parse("F33.1")],
            urgent ? ReferralUrgency.Urgent : ReferralUrgency.Routine, safety, false, member.Providers, Now);
        var submitted = await _service.SubmitReferralAsync(referral).ConfigureAwait(false);
        if (submitted.Outcome != SubmitReferralOutcome.Created || submitted.EngagementId is not { } engagement)
        {
            throw new InvalidOperationException($"Member {i}'s referral was not taken: {submitted.Outcome} {string.Join(" ", submitted.Errors)}");
        }

        if (!await _starts.WaitUntilStartedAsync(engagement, ReferralStartTimeout).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"Member {i}'s engagement did not start within {ReferralStartTimeout.TotalSeconds:0} s of the referral (no save of its case with a clinician assigned): the engine is stuck or the start failed.");
        }

        _counts.Referrals++;
        member.Engagement = engagement;
        _byEngagement[engagement] = member;

        var a = _scenario.Assessment;
        var path = _draws.Uniform(i, DrawPurpose.AssessmentPath);
        var delay = _draws.Days(a.DelayDays, i, DrawPurpose.AssessmentDelay);
        if (path < a.CompletedProbability)
        {
            Plan(_today + delay, ActionKind.Assess, member);
        }
        else if (path < a.CompletedProbability + a.UnableToReachProbability)
        {
            Plan(_today + a.ContactAttemptEveryDays, ActionKind.ContactAttempt, member, 1);
        }
        else if (path < a.CompletedProbability + a.UnableToReachProbability + a.DeclinedProbability)
        {
            Plan(_today + delay, ActionKind.Decline, member);
        }

        PlanWeekly(member, ActionKind.Discharge, 1);
        PlanWeekly(member, ActionKind.EligibilityLost, 1);
        PlanWeekly(member, ActionKind.MemberDeclines, 1);
    }

    /// <summary>Plans the first week from <paramref name="fromWeek"/> on (counted from the referral) in which the weekly event happens.</summary>
    private void PlanWeekly(SimulatedMember member, ActionKind kind, int fromWeek)
    {
        var (probability, purpose) = kind switch
        {
            ActionKind.Discharge => (_scenario.Claims.DischargePerWeek, DrawPurpose.Discharge),
            ActionKind.EligibilityLost => (_scenario.Claims.EligibilityLostPerWeek, DrawPurpose.EligibilityLost),
            _ => (_scenario.Closures.MemberDeclinesPerWeek, DrawPurpose.MemberDeclines),
        };
        if (probability <= 0)
        {
            return;
        }

        for (var week = fromWeek; member.ReferralDay + (7 * week) < _scenario.Weeks * 7; week++)
        {
            if (_draws.Chance(probability, member.Index, purpose, week))
            {
                Plan(member.ReferralDay + (7 * week), kind, member, week);
                return;
            }
        }
    }

    // ---- the day's actions ----

    /// <summary>
    /// Performs the actions of different engagements together: their calls to METS run at the same time (at most
    /// <see cref="SimulationOptions.ActionsAtOnce"/>), then what each did is counted and its next action planned one after another, in the
    /// order they were planned, so the counts and plans are those of performing them one at a time. An action reads
    /// and changes only its own engagement, and time stands still meanwhile, so what METS answers does not depend on
    /// which call ran first.
    /// </summary>
    private async Task PerformTogetherAsync(List<PlannedAction> together, int actionsAtOnce)
    {
        var done = new Performed[together.Count];
        await Parallel.ForAsync(0, together.Count, new ParallelOptions { MaxDegreeOfParallelism = actionsAtOnce }, async (k, _) =>
            done[k] = await PerformAsync(together[k]).ConfigureAwait(false)).ConfigureAwait(false);
        for (var k = 0; k < together.Count; k++)
        {
            Account(together[k], done[k]);
        }

        together.Clear();
    }

    /// <summary>The action's calls to METS: the case as the person opens it, and the command, if it still fits.</summary>
    private async Task<Performed> PerformAsync(PlannedAction action)
    {
        var member = action.Member;
        if (member.Closed || member.Engagement is not { } id)
        {
            return new Performed(PerformedOutcome.NotPerformed, null);
        }

        var found = await _service.GetEngagementAsync(id).ConfigureAwait(false);
        if (found is null || found.Status == EngagementStatus.Closed)
        {
            return new Performed(PerformedOutcome.FoundClosed, null);
        }

        var clinician = found.AssignedClinician ?? StaffId.Parse(RosterClinician(0));
        var i = member.Index;
        CommandResult? result = null;
        switch (action.Kind)
        {
            case ActionKind.Assess when found.CurrentStep.Step == StepReference.Assessment:
                var tier = _draws.Pick([_scenario.Assessment.RiskTier.Low, _scenario.Assessment.RiskTier.Moderate, _scenario.Assessment.RiskTier.High], i, DrawPurpose.RiskTier);
                var safetyRisk = _draws.Chance(_scenario.Assessment.SafetyRiskProbability, i, DrawPurpose.SafetyRisk);
                result = await _service.RecordAssessmentAsync(id, new Assessment(Scores(Phq9TotalByTier[tier], safetyRisk), [], clinician, Now)).ConfigureAwait(false);
                break;
            case ActionKind.ContactAttempt:
                result = await _service.RecordContactAttemptAsync(id, MemberContactOutcome.NoAnswer, clinician).ConfigureAwait(false);
                break;
            case ActionKind.Decline:
            case ActionKind.MemberDeclines:
                result = await _service.RequestClosureAsync(id, ClosureReason.MemberDeclined, Actor.Staff(ActorKind.Clinician, clinician)).ConfigureAwait(false);
                break;
            case ActionKind.Review when action.Version == member.ReviewPlanVersion && found.CurrentStep.Step == StepReference.Review(action.Number):
                var goalsMet = _draws.Chance(_scenario.Reviews.GoalsMetProbability, i, DrawPurpose.GoalsMet, action.Number);
                result = await _service.RecordReviewAsync(id, new ReviewSubmission(action.Number, null, goalsMet ? ClosureReason.GoalsMet : null, clinician)).ConfigureAwait(false);
                break;
            case ActionKind.ProviderResponse:
                var response = (ProviderResponse)_draws.Pick(
                    [_scenario.Providers.Responses.WillCollaborate, _scenario.Providers.Responses.DeclinedToCollaborate, _scenario.Providers.Responses.NotTreatingMember],
                    i, DrawPurpose.ProviderResponse, action.Number);
                result = await _service.RespondToOutreachAsync(action.Text!, response).ConfigureAwait(false);
                break;
            case ActionKind.PeerReview:
                result = await _service.RecordPeerReviewAsync(OutreachId.Parse(action.Text!), PeerReviewOutcome.AgreedOnPlan, StaffId.Parse(MedicalDirector)).ConfigureAwait(false);
                break;
            case ActionKind.ClosureDecision when found.CurrentStep.Step.Step == EngagementStep.ClosureReview:
                var decision = Enum.Parse<ClosureReviewDecision>(action.Text!);
                result = await _service.DecideClosureReviewAsync(id, found.CurrentStep.Step.Number, decision, null, StaffId.Parse(Supervisor)).ConfigureAwait(false);
                break;
            case ActionKind.Discharge:
                result = await _service.ObserveClaimsActivityAsync(
                    member.MemberId, ClaimsActivityKind.BehavioralHealthInpatientDischarge, Now.AddDays(-1), null, $"sim-{i}-discharge-{action.Number}").ConfigureAwait(false);
                break;
            case ActionKind.EligibilityLost:
                result = await _service.ObserveClaimsActivityAsync(
                    member.MemberId, ClaimsActivityKind.EligibilityLost, Now.AddDays(-1), null, $"sim-{i}-eligibility-{action.Number}").ConfigureAwait(false);
                break;
        }

        return new Performed(PerformedOutcome.FoundOpen, result);
    }

    /// <summary>Counts what <paramref name="action"/> did and plans what follows from it.</summary>
    private void Account(PlannedAction action, Performed performed)
    {
        var member = action.Member;
        if (performed.Outcome == PerformedOutcome.NotPerformed)
        {
            return;
        }

        if (performed.Outcome == PerformedOutcome.FoundClosed)
        {
            member.Closed = true;
            return;
        }

        if (performed.Result is { } result)
        {
            var accepted = Accepted(result);
            switch (action.Kind)
            {
                case ActionKind.Assess:
                    _counts.Assessments += accepted;
                    member.NeedsLook = true;
                    break;
                case ActionKind.ContactAttempt:
                    _counts.ContactAttempts += accepted;
                    Plan(_today + _scenario.Assessment.ContactAttemptEveryDays, ActionKind.ContactAttempt, member, action.Number + 1);
                    break;
                case ActionKind.Decline:
                case ActionKind.MemberDeclines:
                    _counts.ClosureRequests += accepted;
                    break;
                case ActionKind.Review:
                    _counts.Reviews += accepted;
                    member.NeedsLook = true;
                    break;
                case ActionKind.ProviderResponse:
                    _counts.ProviderResponses += accepted;
                    break;
                case ActionKind.PeerReview:
                    _counts.PeerReviews += accepted;
                    break;
                case ActionKind.ClosureDecision:
                    _counts.ClosureDecisions += accepted;
                    member.NeedsLook = true;
                    break;
                case ActionKind.Discharge:
                    _counts.ClaimsEvents += accepted;
                    member.NeedsLook = true;
                    break;
                case ActionKind.EligibilityLost:
                    _counts.ClaimsEvents += accepted;
                    break;
            }

            if (result.Status != CommandStatus.Accepted)
            {
                _counts.Refused++;
            }
        }

        if (action.Kind is ActionKind.Discharge or ActionKind.EligibilityLost or ActionKind.MemberDeclines)
        {
            PlanWeekly(member, action.Kind, action.Number + 1);
        }
    }

    private static int Accepted(CommandResult result) => result.Status == CommandStatus.Accepted ? 1 : 0;

    /// <summary>PHQ-9 with <paramref name="phq9Total"/> (item 9 at 1 for a safety risk), GAD-7 5, negative AUDIT-C, no C-SSRS risk: the tier follows from the PHQ-9 (3 low, 12 moderate, 22 high).</summary>
    private static AssessmentScores Scores(int phq9Total, bool safetyRisk)
    {
        var items = new int[Phq9.ItemCount];
        var left = phq9Total;
        if (safetyRisk)
        {
            items[8] = 1;
            left--;
        }

        for (var i = 0; i < 8 && left > 0; i++)
        {
            items[i] = Math.Min(Phq9.MaxItemScore, left);
            left -= items[i];
        }

        return new AssessmentScores(
            new Phq9(items), new Gad7([1, 1, 1, 1, 1, 0, 0]), new AuditC([1, 0, 0], AuditCSex.Female),
            new CssrsScreener(false, false, false, false, false, SuicidalBehavior.None), [], []);
    }

    /// <summary>Reads the cases of the day's actions and plans the clinician's next review from the case's due date.</summary>
    private async Task LookAtTouchedCasesAsync()
    {
        foreach (var member in _members)
        {
            if (!member.NeedsLook || member.Engagement is not { } id)
            {
                continue;
            }

            member.NeedsLook = false;
            var found = await _service.GetEngagementAsync(id).ConfigureAwait(false);
            if (found is null || found.Status == EngagementStatus.Closed)
            {
                member.Closed = true;
                continue;
            }

            if (found.CurrentStep is { Step.Step: EngagementStep.Review, DueAt: { } due } step && member.PlannedReview != (step.Step, due))
            {
                member.PlannedReview = (step.Step, due);
                member.ReviewPlanVersion++;
                var offset = _draws.Days(_scenario.Reviews.OffsetDays, member.Index, DrawPurpose.ReviewOffset, step.Step.Number);
                Plan(Math.Max(_today + 1, DayOf(due) + offset), ActionKind.Review, member, step.Step.Number, member.ReviewPlanVersion);
            }
        }
    }

    // ---- emails: counted, and what people do when they get one ----

    private void TakeEmails()
    {
        foreach (var email in _outbox.TakeNew())
        {
            _emails.Add((email.At, email.Kind, email.Engagement));
            if (!_byEngagement.TryGetValue(email.Engagement, out var member))
            {
                continue;
            }

            var i = member.Index;
            var day = DayOf(email.At);
            switch (email.Kind)
            {
                case EmailKind.ProviderCollaborationRequest when OutreachFrom(email.IdempotencyKey, "-request") is { } outreach && email.Link is { } link:
                    var k = member.ProviderIndex(outreach.Provider);
                    if (_draws.Chance(_scenario.Providers.RespondProbability, i, DrawPurpose.ProviderResponds, k))
                    {
                        // The provider opens the link in the email: its last segment is the signed token.
                        Plan(day + _draws.Days(_scenario.Providers.ResponseDelayDays, i, DrawPurpose.ProviderResponseDelay, k), ActionKind.ProviderResponse, member, k, 0, link.Segments[^1]);
                    }

                    break;
                case EmailKind.PeerToPeerEscalation when OutreachFrom(email.IdempotencyKey, "-peer-to-peer") is { } escalated:
                    var p = member.ProviderIndex(escalated.Provider);
                    if (_draws.Chance(_scenario.Providers.PeerReviewProbability, i, DrawPurpose.PeerReview, p))
                    {
                        Plan(day + _draws.Days(_scenario.Providers.PeerReviewDelayDays, i, DrawPurpose.PeerReviewDelay, p), ActionKind.PeerReview, member, p, 0, escalated.Value);
                    }

                    break;
                case EmailKind.ClosureReviewOpened:
                    var n = ++member.ClosureReviewsSeen;
                    var c = _scenario.Closures.ClosureReview;
                    var u = _draws.Uniform(i, DrawPurpose.ClosureDecision, n);
                    ClosureReviewDecision? decision = u < c.ExtendProbability ? ClosureReviewDecision.Extend
                        : u < c.ExtendProbability + c.CloseProbability ? ClosureReviewDecision.Close
                        : null;
                    if (decision is { } d)
                    {
                        Plan(day + _draws.Days(c.DecisionDelayDays, i, DrawPurpose.ClosureDecisionDelay, n), ActionKind.ClosureDecision, member, n, 0, d.ToString());
                    }

                    break;
            }
        }
    }

    private static OutreachId? OutreachFrom(string key, string suffix) =>
        key.EndsWith(suffix, StringComparison.Ordinal) && OutreachId.TryParse(key[..^suffix.Length], out var id) ? id : null;

    // ---- the count ----

    /// <summary>Emails by kind and the timeline's starts, reviews and closures, per week and the engagement's clinician.</summary>
    private async Task<WorkloadTally> TallyAsync()
    {
        var tally = new WorkloadTally(_scenario.Weeks, _scenario.Clinicians);
        var clinicianOf = new Dictionary<EngagementId, int>();
        var clinicians = Enumerable.Range(0, _scenario.Clinicians).ToDictionary(c => StaffId.Parse(RosterClinician(c)), c => c);
        foreach (var member in _members)
        {
            if (member.Engagement is not { } id || await _service.GetEngagementAsync(id).ConfigureAwait(false) is not { } found)
            {
                continue;
            }

            var clinician = found.AssignedClinician is { } assigned ? clinicians[assigned] : 0;
            clinicianOf[id] = clinician;
            if (found.Status != EngagementStatus.Closed)
            {
                _counts.OpenAtEnd++;
            }
            else if (found.Outcome is { } outcome)
            {
                _counts.ClosuresByReason[outcome.Reason] = _counts.ClosuresByReason.GetValueOrDefault(outcome.Reason) + 1;
            }

            foreach (var entry in found.Timeline)
            {
                var week = Week(entry.At);
                switch (entry.Kind)
                {
                    case TimelineEntryKind.EngagementStarted:
                        tally.Add(week, clinician, Measure.EngagementsStarted);
                        break;
                    case TimelineEntryKind.ReviewCompleted:
                        tally.Add(week, clinician, Measure.Reviews);
                        break;
                    case TimelineEntryKind.EngagementClosed:
                        tally.Add(week, clinician, Measure.Closures);
                        break;
                    case TimelineEntryKind.ReminderSent:
                        _counts.TimelineReminders++;
                        break;
                    case TimelineEntryKind.EscalatedToSupervisor when entry.Details.Contains($"reason={EscalationReason.Overdue}"):
                        _counts.TimelineEscalations++;
                        break;
                }
            }
        }

        foreach (var (at, kind, engagement) in _emails)
        {
            var measure = kind switch
            {
                EmailKind.StepReminder => Measure.Reminders,
                EmailKind.StepEscalation => Measure.Escalations,
                EmailKind.SafetyEscalation => Measure.SafetyEscalations,
                EmailKind.ProviderCollaborationRequest => Measure.ProviderRequests,
                EmailKind.ProviderReminder => Measure.ProviderReminders,
                EmailKind.PeerToPeerEscalation => Measure.PeerToPeerEscalations,
                EmailKind.ClosureReviewOpened => Measure.ClosureReviews,
                EmailKind.ClosureSummary => Measure.ClosureSummaries,
                _ => throw new InvalidOperationException($"Unknown email kind {kind}."),
            };
            tally.Add(Week(at), clinicianOf.GetValueOrDefault(engagement), measure);
        }

        return tally;
    }

    private int Week(DateTimeOffset at) => (DayOf(at) / 7) + 1;

    /// <summary>Warnings and errors the engine and the workflow log (there should be none): kept for the report; nothing else is formatted.</summary>
    private sealed class ProblemLog : ILoggerFactory
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Snapshot()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public ILogger CreateLogger(string categoryName) => new ProblemLogger(this, categoryName);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The simulation keeps warnings only.");

        public void Dispose()
        {
        }

        private sealed class ProblemLogger(ProblemLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }

                lock (owner._lines)
                {
                    if (owner._lines.Count < 1000)
                    {
                        owner._lines.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
                    }
                }
            }
        }
    }
}

internal static class CaseDatabaseRegistration
{
    /// <summary>
    /// Parsed case documents the simulator's case store remembers (the hosts': <see cref="SqliteCaseStore"/>'s default,
    /// 2,048): a simulated year keeps thousands of engagements open, and every one of them is read again within days.
    /// 10,000 members: about 0.9 of the CPU and the time of 2,048, for about 250 MB more at the peak
    /// (docs/workload-simulator.md, "Measured").
    /// </summary>
    public const int CaseDocumentsRemembered = 8192;

    /// <summary>
    /// The case store on <paramref name="path"/> remembering <see cref="CaseDocumentsRemembered"/> parsed documents, or
    /// with <paramref name="oneWriter"/> the case store and command ledger of <see cref="OneWriterCaseDatabase"/> (before
    /// AddMetsWorkflowCore, whose defaults then stand back). Either case store is reached through
    /// <see cref="EngagementStarts"/> (also registered as itself), which tells the simulation when a referral's
    /// engagement has started.
    /// </summary>
    public static IServiceCollection AddCaseDatabase(this IServiceCollection services, string path, bool oneWriter)
    {
        if (oneWriter)
        {
            services.AddSingleton(_ => new OneWriterCaseDatabase(path));
            services.AddSingleton(sp => new EngagementStarts(sp.GetRequiredService<OneWriterCaseDatabase>().Cases));
            services.AddSingleton(sp => sp.GetRequiredService<OneWriterCaseDatabase>().Commands);
        }
        else
        {
            services.AddSingleton(_ => new SqliteCaseStore(path, CaseDocumentsRemembered));
            services.AddSingleton(sp => new EngagementStarts(sp.GetRequiredService<SqliteCaseStore>()));
        }

        services.AddSingleton<ICaseStore>(sp => sp.GetRequiredService<EngagementStarts>());
        return services;
    }
}
