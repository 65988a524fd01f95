using System.Diagnostics;
using System.Globalization;
using Mets.Workload.Simulator;

// The workload simulator (docs/workload-simulator.md):
//   dotnet run -c Release --project tests/Mets.Workload.Simulator -- [--scenario FILE] [--members N] [--seed N] [--weeks N]
//       [--clinicians N] [--policy Name=Value]... [--csv FILE] [--table full|year] [--data-folder DIR] [--activities N] [--case-database one-writer|concurrent]
// Prints the seed, a progress line per simulated week, the table per week and clinician, the totals, time and peak memory;
// writes the CSV (workload.csv by default). Exit 0; 1 when a check failed (a failed orchestration, emails that disagree
// with the timeline); 2 for a bad scenario or option (the message names it).
var wall = Stopwatch.StartNew();
string scenarioPath = Path.Combine(AppContext.BaseDirectory, "scenario.json");
string csvPath = "workload.csv";
var perWeek = true;
int? members = null, seed = null, weeks = null, clinicians = null;
string? dataFolder = null;
var activities = new SimulationOptions().MaxConcurrentActivities;
var oneWriter = false;
var policy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
try
{
    for (var i = 0; i < args.Length; i++)
    {
        var option = args[i];
        string Next() => i + 1 < args.Length ? args[++i] : throw new ScenarioException($"{option} needs a value.");
        int Number() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ScenarioException($"{option} needs a whole number.");
        switch (option)
        {
            case "--scenario": scenarioPath = Next(); break;
            case "--members": members = Number(); break;
            case "--seed": seed = Number(); break;
            case "--weeks": weeks = Number(); break;
            case "--clinicians": clinicians = Number(); break;
            case "--csv": csvPath = Next(); break;
            case "--data-folder": dataFolder = Next(); break;
            case "--activities": activities = Number(); break;
            case "--case-database":
                var mode = Next();
                oneWriter = mode == "one-writer" || (mode == "concurrent" ? false : throw new ScenarioException("--case-database is one-writer or concurrent."));
                break;
            case "--table":
                var table = Next();
                perWeek = table == "full" || (table == "year" ? false : throw new ScenarioException("--table is full or year."));
                break;
            case "--policy":
                var setting = Next();
                var eq = setting.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new ScenarioException("--policy takes Name=Value, e.g. --policy ModerateRiskReviewInterval=21.00:00:00.");
                }

                policy[setting[..eq]] = setting[(eq + 1)..];
                break;
            default:
                throw new ScenarioException($"Unknown option {option}. Options: --scenario FILE --members N --seed N --weeks N --clinicians N --policy Name=Value --csv FILE --table full|year --data-folder DIR --activities N --case-database one-writer|concurrent.");
        }
    }

    if (activities is < 1 or > 256)
    {
        throw new ScenarioException("--activities must be between 1 and 256.");
    }

    var scenario = Scenario.Load(scenarioPath);
    scenario = scenario with
    {
        Members = members ?? scenario.Members,
        Seed = seed ?? scenario.Seed,
        Weeks = weeks ?? scenario.Weeks,
        ReferralWeeks = Math.Min(scenario.ReferralWeeks, weeks ?? scenario.Weeks),
        Clinicians = clinicians ?? scenario.Clinicians,
    };
    var problems = scenario.Validate()
        .Concat(policy.Keys.Where(name => !Scenario.IsPolicySetting(name)).Select(name => $"--policy {name} is not a Mets:Policy setting."))
        .ToList();
    if (problems.Count > 0)
    {
        throw new ScenarioException(string.Join(Environment.NewLine, problems));
    }

    StreamWriter csv;
    try
    {
        // Opened before the run: a path that cannot be written fails now, not after the simulated year.
        csv = new StreamWriter(csvPath);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
    {
        throw new ScenarioException($"--csv {csvPath}: cannot be written ({e.Message}).");
    }

    await using var _ = csv.ConfigureAwait(false);
    Console.WriteLine($"METS workload simulator: {Path.GetFullPath(scenarioPath)}, seed {scenario.Seed}, {scenario.Members:N0} members, {scenario.Weeks} weeks.");
    var result = await WorkloadSimulation.RunAsync(scenario, new SimulationOptions
    {
        DataFolder = dataFolder,
        PolicyOverrides = policy,
        MaxConcurrentActivities = activities,
        OneWriterCaseDatabase = oneWriter,
        Progress = line => Console.WriteLine("  " + line),
    });
    var peak = Process.GetCurrentProcess().PeakWorkingSet64;
    Console.WriteLine();
    WorkloadReport.WriteTable(result, Console.Out, perWeek);
    WorkloadReport.WriteCsv(result, csv);
    await csv.FlushAsync();

    Console.WriteLine();
    Console.Write(WorkloadReport.Summary(result, wall.Elapsed, peak));
    Console.WriteLine($"CSV: {Path.GetFullPath(csvPath)}");
    return WorkloadReport.ChecksPass(result) ? 0 : 1;
}
catch (ScenarioException e)
{
    Console.Error.WriteLine($"Not a valid scenario or option: {e.Message}");
    return 2;
}
