using Mets.Local.Chaos;
using Mets.Local.Tests.Hosting;
using Xunit.Abstractions;

namespace Mets.Local.Tests;

/// <summary>
/// The short chaos run (the full one is a command of its own: docs/reliability.md, "Chaos"): the built host with the
/// policy in seconds, 40 scripted engagements driven over HTTP, SIGKILLed at 3 random moments and restarted. Every
/// referral answered 202 has its engagement, every engagement ends as its script implies, no instance is left running,
/// no email is sent twice, every reminder that came due was sent, claims files are processed once, and the SQLite
/// databases pass an integrity check. The seed is printed; repeat a run with <c>METS_CHAOS_SEED</c>.
/// </summary>
[Collection(HostProcessGroup.Name)]
public class ChaosTests(ITestOutputHelper output)
{
    private const int Engagements = 40;
    private const int Kills = 3;

    [Fact]
    public async Task LocalHost_KilledAtRandomMomentsWhileEngagementsRun_EveryEngagementEndsAsScripted()
    {
        var seed = Environment.GetEnvironmentVariable("METS_CHAOS_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"chaos test seed: {seed} (repeat with METS_CHAOS_SEED={seed})");

        var report = await ChaosRun.RunAsync(new ChaosOptions(Engagements, Kills, seed) { ReferralsPerSecond = 4, Log = output.WriteLine });

        output.WriteLine(report.Summary());
        Assert.True(report.Passed, report.Summary());
        Assert.Equal(Kills, report.Kills.Count);
        Directory.Delete(report.RunFolder, recursive: true);
    }
}
