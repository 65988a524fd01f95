using Mets.Workflow.Emails;
using Microsoft.Extensions.Logging;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Mets.Azure.Emails;

/// <summary>
/// The Azure mailer: sends each email through the SendGrid v3 API (plain text only) and records its
/// idempotency key in <see cref="ISentEmailLedger"/> once SendGrid accepted it, so a retried activity
/// does not send it again. SendGrid has no idempotency header of its own; the key also travels as the
/// custom argument and header <see cref="IdempotencyKeyName"/> so duplicates can be told apart in
/// SendGrid's activity feed.
/// <para>
/// Remaining at-least-once risk: if the process dies (or the ledger write fails) after SendGrid
/// answered 2xx but before the key was recorded, the retry sends the email a second time. The reverse
/// order (record first) would instead lose the email on such a crash, which is worse for reminders and
/// escalations. Sends are serialized within the process so two concurrent attempts with one key
/// cannot both pass the ledger check.
/// </para>
/// Logs carry the idempotency key and HTTP status only: never the API key, the recipient or the body.
/// </summary>
public sealed partial class SendGridEmailSender : IEmailSender, IDisposable
{
    /// <summary>The name of the custom argument and header carrying the idempotency key.</summary>
    public const string IdempotencyKeyName = "X-Mets-Idempotency-Key";

    private readonly ISendGridClient _client;
    private readonly EmailAddress _from;
    private readonly ISentEmailLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<SendGridEmailSender> _logger;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public SendGridEmailSender(ISendGridClient client, string fromAddress, ISentEmailLedger ledger, TimeProvider time, ILogger<SendGridEmailSender> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(fromAddress);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _from = new EmailAddress(fromAddress);
        _ledger = ledger;
        _time = time;
        _logger = logger;
    }

    /// <summary>A SendGrid client for <paramref name="options"/> (the key and, when set, the host).</summary>
    public static SendGridClient CreateClient(SendGridOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new SendGridClientOptions { ApiKey = options.ApiKey };
        if (!string.IsNullOrWhiteSpace(options.Host))
        {
            clientOptions.Host = options.Host.TrimEnd('/');
        }

        return new SendGridClient(clientOptions);
    }

    public async Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(email);
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            if (await _ledger.WasSentAsync(email.IdempotencyKey, cancellationToken))
            {
                LogAlreadySent(_logger, email.IdempotencyKey);
                return false;
            }

            var message = new SendGridMessage();
            message.SetFrom(_from);
            message.AddTo(new EmailAddress(email.To));
            message.SetSubject(email.Subject);
            message.AddContent(MimeType.Text, email.TextBody);
            message.AddCustomArg(IdempotencyKeyName, email.IdempotencyKey);
            message.AddHeader(IdempotencyKeyName, email.IdempotencyKey);

            var response = await _client.SendEmailAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogRefused(_logger, email.IdempotencyKey, (int)response.StatusCode);
                throw new SendGridDeliveryException(email.IdempotencyKey, response.StatusCode);
            }

            // The at-least-once window: a crash here, before the key is recorded, means one more send on retry.
            await _ledger.RecordSentAsync(email.IdempotencyKey, _time.GetUtcNow(), CancellationToken.None);
            LogSent(_logger, email.IdempotencyKey, (int)response.StatusCode);
            return true;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Email {IdempotencyKey} accepted by SendGrid (HTTP {StatusCode})")]
    private static partial void LogSent(ILogger logger, string idempotencyKey, int statusCode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Email {IdempotencyKey} was sent before; not sending again")]
    private static partial void LogAlreadySent(ILogger logger, string idempotencyKey);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "SendGrid refused email {IdempotencyKey} (HTTP {StatusCode})")]
    private static partial void LogRefused(ILogger logger, string idempotencyKey, int statusCode);
}
