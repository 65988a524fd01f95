using Mets.Domain.Identifiers;
using Mets.Workflow.Adapters.Outbox;
using Mets.Workflow.Links;
using Mets.Workflow.Reports.Feedback;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Mets.Workflow.Tests.Reports;

/// <summary>
/// The monthly provider feedback email on fake time, into the real outbox: one email per provider and month, only a
/// signed link to the scorecard, the same subject for everyone, never member data.
/// </summary>
public sealed class ProviderFeedbackTests : IAsyncLifetime
{
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "mets-feedback-tests", Guid.NewGuid().ToString("N"));
    private OutcomeScenario _scenario = null!;

    public async Task InitializeAsync() => _scenario = await OutcomeScenario.CreateAsync();

    public async Task DisposeAsync()
    {
        await _scenario.DisposeAsync();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }
    }

    internal static IOptions<ProviderLinkOptions> LinkKeys()
    {
        var options = new ProviderLinkOptions { BaseUrl = "https://mets.example.org/api/provider-responses", ActiveKeyId = "k1" };
        options.Keys["k1"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        return Options.Create(options);
    }

    private (ProviderFeedbackRun Run, ScorecardLinkSigner Links, OutboxEmailSender Outbox) Create(FakeTimeProvider clock)
    {
        var feedback = Options.Create(new ProviderFeedbackOptions { PeriodMonths = 2 });
        var links = new ScorecardLinkSigner(LinkKeys(), feedback, clock);
        var outbox = new OutboxEmailSender(_outbox, "mets-no-reply@plan.example");
        return (new ProviderFeedbackRun(_scenario.Cases, outbox, links, feedback, clock, NullLogger<ProviderFeedbackRun>.Instance), links, outbox);
    }

    [Fact]
    public async Task RunAsync_MonthlyOnFakeTime_SendsEachProviderOneLinkAMonth()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 6, 0, 0, TimeSpan.Zero));
        var (run, links, outbox) = Create(clock);

        // May 1: the period is March-April: providers one (E1, E2) and two (E2).
        var first = await run.RunAsync();
        clock.Advance(TimeSpan.FromDays(19));
        var again = await run.RunAsync(); // May 20: the same month, nothing new
        clock.SetUtcNow(new DateTimeOffset(2026, 6, 1, 6, 0, 0, TimeSpan.Zero));
        var june = await run.RunAsync(); // June 1: April-May: provider one (E6 in May)

        Assert.Equal((new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 30), 2, 2, 0), (first.From, first.To, first.Providers, first.Sent, first.AlreadySent));
        Assert.Equal((2, 0, 2), (again.Providers, again.Sent, again.AlreadySent));
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 31), 1, 1), (june.From, june.To, june.Providers, june.Sent));
        var files = Directory.GetFiles(outbox.Folder, "*.eml").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(
            [$"provider-feedback-{OutcomeScenario.ProviderOne}-202604.eml", $"provider-feedback-{OutcomeScenario.ProviderOne}-202605.eml", $"provider-feedback-{OutcomeScenario.ProviderTwo}-202604.eml"],
            files);

        foreach (var file in Directory.GetFiles(outbox.Folder, "*.eml"))
        {
            using var message = await MimeMessage.LoadAsync(file);
            Assert.Equal(ProviderFeedbackRun.Subject, message.Subject);
            var text = message.TextBody ?? string.Empty;
            var link = System.Text.RegularExpressions.Regex.Match(text, @"https://mets\.example\.org/api/provider-feedback/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)");
            Assert.True(link.Success, "the email carries the scorecard link");
            Assert.Equal(Mets.Workflow.Links.ProviderLinkRejection.None, links.Verify(link.Groups[1].Value, out var granted));
            Assert.Contains(granted!.Provider.Value, Path.GetFileName(file), StringComparison.Ordinal);
            // No member data: member numbers and ids, the scenario's birth date, diagnosis codes, provider names, referral ids.
            string[] sentinels = ["M100", "PLAN:M10", "1980-01-01", "F33", "F20", "F32", "Provider 1", "Provider 2", "REF-E", "claims-e"];
            Assert.All(sentinels, s => Assert.DoesNotContain(s, message.Subject + "\n" + text, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task RunAsync_Disabled_SendsNothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 6, 0, 0, TimeSpan.Zero));
        var feedback = Options.Create(new ProviderFeedbackOptions { PeriodMonths = 2, Enabled = false });
        var outbox = new OutboxEmailSender(_outbox, "mets-no-reply@plan.example");
        var run = new ProviderFeedbackRun(_scenario.Cases, outbox, new ScorecardLinkSigner(LinkKeys(), feedback, clock), feedback, clock, NullLogger<ProviderFeedbackRun>.Instance);

        var result = await run.RunAsync();

        Assert.Equal(0, result.Sent);
        Assert.Empty(Directory.GetFiles(outbox.Folder));
    }

    [Fact]
    public void Verify_TamperedExpiredOrProviderResponseToken_IsRefused()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 6, 0, 0, TimeSpan.Zero));
        var feedback = Options.Create(new ProviderFeedbackOptions());
        var links = new ScorecardLinkSigner(LinkKeys(), feedback, clock);
        var token = links.CreateToken(OutcomeScenario.ProviderOne, new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 30), clock.GetUtcNow());

        Assert.Equal(ProviderLinkRejection.None, links.Verify(token, out var link));
        Assert.Equal((OutcomeScenario.ProviderOne, new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 30)), (link!.Provider, link.From, link.To));
        var flipped = token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..];
        Assert.Equal(ProviderLinkRejection.Invalid, links.Verify(flipped, out _));
        var responseToken = new ProviderLinkSigner(LinkKeys(), clock).CreateToken(OutreachId.For(EngagementId.New(Guid.NewGuid()), OutcomeScenario.ProviderOne), clock.GetUtcNow());
        Assert.Equal(ProviderLinkRejection.Invalid, links.Verify(responseToken, out _));
        Assert.Equal("https://mets.example.org/api/provider-feedback", links.BaseUrl);
        clock.Advance(TimeSpan.FromDays(45));
        Assert.Equal(ProviderLinkRejection.Expired, links.Verify(token, out _));
    }
}
