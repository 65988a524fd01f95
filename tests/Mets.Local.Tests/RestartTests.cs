using System.Net;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>
/// The host is killed (SIGKILL, as a crash) or stopped (SIGTERM, graceful) in the middle of an engagement;
/// started again on the same data folder, the engagement continues.
/// </summary>
[Collection(HostProcessGroup.Name)]
public class RestartTests
{
    // Policy durations come from configuration: the provider reminder is due two seconds after the first email.
    private static readonly Dictionary<string, string> ShortPolicy = new()
    {
        ["Mets__Policy__ProviderReminderInterval"] = "00:00:02",
        ["Mets__Policy__ProviderReminderCount"] = "1",
        ["Mets__Policy__ProviderEscalationAfter"] = "01:00:00",
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StopMidEngagement_RestartOnSameDataFolder_EngagementContinues(bool kill)
    {
        string id;
        string link;
        string dataFolder;
        await using (var first = await LocalHostProcess.StartAsync(settings: ShortPolicy))
        {
            using var client = first.CreateClient();
            var (status, accepted, _) = await PostJsonAsync(client, "/api/referrals", first.ApiKey, EngagementLifecycleTests.Referral("REF-RESTART-1", "PLAN:RS0001"));
            Assert.Equal(HttpStatusCode.Accepted, status);
            id = accepted.GetProperty("id").GetString()!;
            await WaitForStepAsync(client, first.ApiKey, id, "assessment", diagnostics: () => first.Output);
            var (assessed, _, _) = await PostJsonAsync(client, $"/api/engagements/{id}/assessment", first.ApiKey, EngagementLifecycleTests.Assessment);
            Assert.Equal(HttpStatusCode.Accepted, assessed);
            link = ProviderLinkPath(await WaitForEmailAsync(first.DataFolder, "-request", () => first.Output));
            dataFolder = first.DataFolder;
            if (kill)
            {
                await first.KillAsync();
            }
            else
            {
                await first.StopAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(0, first.ExitCode);
            }
        }

        await using var second = await LocalHostProcess.StartAsync(dataFolder, ShortPolicy);
        using var again = second.CreateClient();
        var key = second.ApiKey;

        // The durable timer set before the kill fires after the restart: the provider reminder goes out.
        await WaitForEmailAsync(dataFolder, "-reminder-1", () => second.Output);
        var engagement = await WaitForStepAsync(again, key, id, "review", 1, () => second.Output);
        Assert.Equal("open", engagement.GetProperty("status").GetString());

        // The link from before the restart still works; the engagement goes on to closure.
        var (answered, _, _) = await SendAsync(again, Request(HttpMethod.Post, link, content: Json("""{ "response": "willCollaborate" }""")));
        Assert.Equal(HttpStatusCode.Accepted, answered);
        var (reviewed, _, _) = await PostJsonAsync(again, $"/api/engagements/{id}/reviews", key, """{ "reviewNumber": 1, "closeWith": "goalsMet" }""");
        Assert.Equal(HttpStatusCode.Accepted, reviewed);
        var closed = await WaitForStepAsync(again, key, id, "closed", diagnostics: () => second.Output);
        Assert.Equal("goalsMet", closed.GetProperty("outcome").GetProperty("reason").GetString());
        Assert.Single(Directory.GetFiles(Path.Combine(dataFolder, "outbox"), "*-request.eml"));
    }
}
