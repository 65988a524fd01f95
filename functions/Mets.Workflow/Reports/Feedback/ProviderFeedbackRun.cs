using System.Globalization;
using Mets.Domain.Identifiers;
using Mets.Workflow.Emails;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Reports.Feedback;

/// <summary>What one feedback run did, in counts.</summary>
public sealed record ProviderFeedbackResult(DateOnly From, DateOnly To, int Providers, int Sent, int AlreadySent);

/// <summary>
/// The provider feedback email (docs/outcomes.md): to every treating provider of the engagements that started in the
/// <see cref="ProviderFeedbackOptions.PeriodMonths"/> whole months before the current one, an email carrying only a
/// signed link to their scorecard over that period: no member data, the same subject for everyone. One email per
/// provider and month: the idempotency key names the provider and the period's last month, so a run repeated in the
/// same month (a timer firing twice, a restart, a retry) sends nothing again (the outbox file name locally, the
/// sent-email ledger with SendGrid).
/// </summary>
public sealed partial class ProviderFeedbackRun(
    IEngagementHistory history,
    IEmailSender sender,
    ScorecardLinkSigner links,
    IOptions<ProviderFeedbackOptions> options,
    TimeProvider time,
    ILogger<ProviderFeedbackRun> logger)
{
    public const string Subject = "METS provider feedback";

    public async Task<ProviderFeedbackResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var month = ReportMonths.MonthOf(DateOnly.FromDateTime(now.UtcDateTime));
        var from = month.AddMonths(-options.Value.PeriodMonths);
        var to = month.AddDays(-1);
        if (!options.Value.Enabled)
        {
            return new ProviderFeedbackResult(from, to, 0, 0, 0);
        }

        var cases = await history.ListStartedAsync(
            new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), cancellationToken).ConfigureAwait(false);

        // Each provider's address as the latest engagement that names them gives it.
        var providers = cases.OrderBy(c => c.StartedAt)
            .SelectMany(c => c.TreatingProviders)
            .GroupBy(p => p.Npi)
            .Select(g => (Npi: g.Key, Email: g.Last().Email))
            .OrderBy(p => p.Npi.Value, StringComparer.Ordinal)
            .ToList();
        int sent = 0, already = 0;
        foreach (var (npi, email) in providers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var body = Body(links.CreateLink(npi, from, to, now), from, to, now + options.Value.LinkLifetime);
            var key = string.Create(CultureInfo.InvariantCulture, $"provider-feedback-{npi.Value}-{to:yyyyMM}");
            if (await sender.SendAsync(new OutgoingEmail(key, email.Value, Subject, body), cancellationToken).ConfigureAwait(false))
            {
                sent++;
            }
            else
            {
                already++;
            }
        }

        LogRun(providers.Count, sent, already);
        return new ProviderFeedbackResult(from, to, providers.Count, sent, already);
    }

    /// <summary>The email's text: the period, the link and its expiry; nothing about any member.</summary>
    public static string Body(Uri link, DateOnly from, DateOnly to, DateTimeOffset expires) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Your METS provider feedback for {from:yyyy-MM-dd} to {to:yyyy-MM-dd} is ready: your METS members' outcomes, care gaps closed and response timeliness, beside the plan's other providers.\n\nOpen this secure link to see it (valid until {expires.UtcDateTime:yyyy-MM-dd}):\n{link}\n\nFor privacy, this email contains no member information.");

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Provider feedback: {Providers} providers, {Sent} emails sent, {AlreadySent} sent before")]
    private partial void LogRun(int providers, int sent, int alreadySent);
}
