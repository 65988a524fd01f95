using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Microsoft.DurableTask;
using Mets.Workflow.Audit;
using Mets.Workflow.Cases;
using Mets.Workflow.Emails;
using Mets.Workflow.Links;
using Mets.Workflow.Roster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Workflow.Activities;

/// <summary>
/// An email to send. Providers are addressed by <paramref name="OutreachId"/> (the address comes from
/// the case document), staff by <paramref name="Staff"/> (the address comes from the roster).
/// <paramref name="IdempotencyKey"/> makes a retried activity send once.
/// </summary>
public sealed record EmailRequest(
    EmailKind Kind,
    EngagementId EngagementId,
    OutreachId? OutreachId,
    StaffId? Staff,
    StepReference? Step,
    DateTimeOffset? DueAt,
    int Number,
    ClosureReason? Reason,
    string IdempotencyKey,
    DateTimeOffset At);

/// <summary>Composes (no PHI) and sends one email through <see cref="IEmailSender"/>. Returns false when there was nobody to send to or it had been sent.</summary>
public sealed partial class SendEmailActivity(
    ICaseStore store,
    IEmailSender sender,
    ProviderLinkSigner signer,
    IOptions<RosterOptions> roster,
    IOptions<ProviderLinkOptions> linkOptions,
    ILogger<SendEmailActivity> logger) : TaskActivity<EmailRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, EmailRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string? to;
        Uri? link = null;
        DateTimeOffset? expires = null;
        if (input.OutreachId is { } outreach)
        {
            var engagement = await store.GetAsync(input.EngagementId)
                ?? throw new InvalidOperationException($"Engagement {input.EngagementId} has no case document.");
            to = engagement.FindTreatingProvider(outreach.Provider)?.Email.Value;
            if (input.Kind is EmailKind.ProviderCollaborationRequest or EmailKind.ProviderReminder)
            {
                link = signer.CreateLink(outreach, input.At);
                expires = input.At + linkOptions.Value.Lifetime;
            }
        }
        else
        {
            var staff = input.Staff ?? (input.Kind == EmailKind.PeerToPeerEscalation ? roster.Value.GetMedicalDirector() : null);
            to = staff is { } s ? roster.Value.EmailOf(s) : null;
        }

        if (to is null)
        {
            LogNoRecipient(input.EngagementId.Value, input.Kind);
            return false;
        }

        var (subject, body) = EmailComposer.Compose(input.Kind, input.EngagementId, input.Step, input.DueAt, input.Number, input.Reason, link, expires);
        var sent = await sender.SendAsync(new OutgoingEmail(input.IdempotencyKey, to, subject, body));
        LogSent(input.EngagementId.Value, input.Kind, sent);
        return sent;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement {EngagementId}: no address for {Kind} email; not sent")]
    private partial void LogNoRecipient(string engagementId, EmailKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId}: {Kind} email handed over (new: {Sent})")]
    private partial void LogSent(string engagementId, EmailKind kind, bool sent);
}

public sealed record ClosureSummaryRequest(EngagementId EngagementId, ClosureReason Reason, DateTimeOffset At);

/// <summary>Sends the closure summary to every provider contacted and notes each in the timeline (once per provider, retry-safe).</summary>
public sealed class SendClosureSummariesActivity(ICaseStore store, IEmailSender sender, CaseEditor editor) : TaskActivity<ClosureSummaryRequest, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, ClosureSummaryRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var engagement = await store.GetAsync(input.EngagementId)
            ?? throw new InvalidOperationException($"Engagement {input.EngagementId} has no case document.");
        var sent = 0;
        foreach (var npi in engagement.ProvidersContacted)
        {
            if (engagement.FindTreatingProvider(npi)?.Email.Value is not { } to)
            {
                continue;
            }

            var response = engagement.Outreach.Where(o => o.Npi == npi && o.Response is not null).Select(o => o.Response).LastOrDefault();
            var (subject, body) = EmailComposer.Compose(EmailKind.ClosureSummary, input.EngagementId, null, null, 0, input.Reason, null, null, response);
            await sender.SendAsync(new OutgoingEmail($"{input.EngagementId}-closure-{npi}", to, subject, body));
            await editor.ChangeAsync(input.EngagementId, $"{input.EngagementId}:closure-summary:{npi}",
                current => CaseEdit.Change(current.NoteClosureSummarySent(npi, input.At)));
            sent++;
        }

        return sent;
    }
}
