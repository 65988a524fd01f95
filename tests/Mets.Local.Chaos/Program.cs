using System.Globalization;
using Mets.Local.Chaos;

// The chaos run against the built local host (docs/reliability.md, "Chaos"):
//   dotnet run -c Release --project tests/Mets.Local.Chaos -- --engagements 1000 --kills 20 [--seed N] [--rate 2.5] [--claims-files N] [--run-folder PATH]
// Prints the seed first (the same seed plays the same scripts and kill moments), the figures at the end, and exits 1 when a check failed.
var engagements = 1000;
var kills = 20;
var seed = Random.Shared.Next();
var rate = 2.5;
int? claimsFiles = null;
string? runFolder = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--engagements": engagements = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--kills": kills = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--rate": rate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--claims-files": claimsFiles = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--run-folder": runFolder = Path.GetFullPath(Next()); break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Use --engagements N --kills N --seed N --rate R --claims-files N --run-folder PATH.");
            return 2;
    }
}

var report = await ChaosRun.RunAsync(new ChaosOptions(engagements, kills, seed)
{
    ReferralsPerSecond = rate,
    ClaimsFiles = claimsFiles,
    RunFolder = runFolder,
    Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}"),
});
Console.WriteLine(report.Summary());
return report.Passed ? 0 : 1;
