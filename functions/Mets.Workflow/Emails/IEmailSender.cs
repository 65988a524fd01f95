namespace Mets.Workflow.Emails;

/// <summary>
/// One outgoing email. <see cref="IdempotencyKey"/> identifies it across retries: a sender given the
/// same key twice delivers once. Subject and body never carry member names, dates of birth,
/// diagnoses or member ids (see <see cref="EmailComposer"/>).
/// </summary>
public sealed record OutgoingEmail(string IdempotencyKey, string To, string Subject, string TextBody)
{
    /// <summary>The key and recipient only: bodies carry signed links, which never go to logs.</summary>
    public override string ToString() => $"Email {IdempotencyKey}";
}

/// <summary>Sends email (port): outbox folder embedded, SendGrid in Azure.</summary>
public interface IEmailSender
{
    /// <summary>Sends <paramref name="email"/> unless an email with the same idempotency key was sent; returns false when it had been.</summary>
    Task<bool> SendAsync(OutgoingEmail email, CancellationToken cancellationToken = default);
}
