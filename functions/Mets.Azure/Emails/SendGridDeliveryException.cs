using System.Net;

namespace Mets.Azure.Emails;

/// <summary>
/// SendGrid did not accept an email (a non-2xx answer). The message names the email's idempotency key
/// and the HTTP status only: never the API key, the recipient or the body.
/// </summary>
public sealed class SendGridDeliveryException : Exception
{
    public SendGridDeliveryException()
    {
    }

    public SendGridDeliveryException(string message)
        : base(message)
    {
    }

    public SendGridDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SendGridDeliveryException(string idempotencyKey, HttpStatusCode statusCode)
        : base($"SendGrid refused email {idempotencyKey}: HTTP {(int)statusCode} ({statusCode}).")
    {
        IdempotencyKey = idempotencyKey;
        StatusCode = statusCode;
    }

    public string? IdempotencyKey { get; }

    public HttpStatusCode? StatusCode { get; }
}
