using Microsoft.Extensions.Logging;
using Xunit.Sdk;

namespace Mets.Workflow.Tests;

/// <summary>The PHI scan itself can fail: a sentinel or a token in a log line is caught.</summary>
public class PhiScanTests
{
    [Fact]
    public async Task Scan_SentinelInALogLine_Fails()
    {
        await using var h = await WorkflowHarness.StartAsync();
        await h.Service.SubmitReferralAsync(Sample.Referral(at: h.Now));
        await h.IdleAsync();
        await PhiScan.AssertNoSentinelsAsync(h);

        using var factory = LoggerFactory.Create(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(h.Logs)));
#pragma warning disable CA1848 // a plain log call on purpose: this test leaks a sentinel
#pragma warning disable CA2254 // the leaked text is the point of the test
        factory.CreateLogger("leak").LogInformation("member " + Sample.SentinelMemberNumber);
#pragma warning restore CA2254
#pragma warning restore CA1848
        await Assert.ThrowsAnyAsync<XunitException>(() => PhiScan.AssertNoSentinelsAsync(h));
    }
}
