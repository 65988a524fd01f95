using System.Globalization;
using Mets.Local.Bench;

// Referral intake against the built local host (docs/performance.md):
//   dotnet build -c Release tests/Mets.Local.Bench
//   dotnet tests/Mets.Local.Bench/bin/Release/net10.0/Mets.Local.Bench.dll [--referrals 10000] [--concurrency 16]
//       [--warmup 500] [--health-seconds 5] [--host PATH/Mets.Local.dll] [--label NAME] [--drain-timeout-minutes 15] [--pid-file PATH] [--setting KEY=VALUE]...
// --host starts another build of the host (a baseline built from another worktree). Exits 1 when any referral was not
// answered 202 or the backlog did not drain in time.
var options = new IntakeOptions();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--referrals": options = options with { Referrals = NextInt() }; break;
        case "--concurrency": options = options with { Concurrency = NextInt() }; break;
        case "--warmup": options = options with { Warmup = NextInt() }; break;
        case "--health-seconds": options = options with { HealthSeconds = NextInt() }; break;
        case "--host": options = options with { HostDll = Path.GetFullPath(Next()) }; break;
        case "--label": options = options with { Label = Next() }; break;
        case "--setting":
            var setting = Next().Split('=', 2);
            options = options with { Settings = new Dictionary<string, string>(options.Settings) { [setting[0]] = setting.Length > 1 ? setting[1] : string.Empty } };
            break;
        case "--pid-file": options = options with { PidFile = Path.GetFullPath(Next()) }; break;
        case "--drain-timeout-minutes": options = options with { DrainTimeout = TimeSpan.FromMinutes(NextInt()) }; break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Use --referrals N --concurrency N --warmup N --health-seconds N --host PATH --label NAME --drain-timeout-minutes N.");
            return 2;
    }
}

var result = await IntakeBench.RunAsync(options, line => Console.WriteLine(line));
return result.Passed ? 0 : 1;
