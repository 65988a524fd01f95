using System.Net;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>The Demo profile (appsettings.Demo.json) starts, and its policy durations are minutes.</summary>
[Collection(HostProcessGroup.Name)]
public class DemoProfileTests
{
    [Fact]
    public async Task DemoProfile_AssessmentDueInMinutes_MaximumDurationInMinutes()
    {
        await using var host = await LocalHostProcess.StartAsync(settings: new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Demo" });
        using var client = host.CreateClient();

        var (status, accepted, _) = await PostJsonAsync(client, "/api/referrals", host.ApiKey, EngagementLifecycleTests.Referral("REF-DEMO-1", "PLAN:DEMO0001"));

        Assert.Equal(HttpStatusCode.Accepted, status);
        var engagement = await WaitForStepAsync(client, host.ApiKey, accepted.GetProperty("id").GetString()!, "assessment", diagnostics: () => host.Output);
        var started = engagement.GetProperty("startedAt").GetDateTimeOffset();
        var due = engagement.GetProperty("currentStep").GetProperty("dueAt").GetDateTimeOffset();
        var maximum = engagement.GetProperty("dueDates").GetProperty("maximumDurationEndsAt").GetDateTimeOffset();
        Assert.InRange(due - started, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6));
        Assert.InRange(maximum - started, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(16));
    }
}
