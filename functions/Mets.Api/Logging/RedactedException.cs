using System.Text;
using Microsoft.Extensions.Compliance.Redaction;

namespace Mets.Api.Logging;

/// <summary>
/// What the log gets in place of an exception: the original type and stack frames (types, methods, files and lines
/// carry no member data) of the exception and each inner one, with every message passed through the member-data
/// redactor, except a message known to carry no values (the framework's own default text for its type). Its
/// <see cref="Exception.Data"/> is empty: the original's is not copied. Log providers see only this
/// (<see cref="ToString"/> renders it as the original would be, message redacted).
/// </summary>
#pragma warning disable CA1032 // Only From builds one: a public constructor taking an inner exception would let an unredacted one in.
public sealed class RedactedException : Exception
#pragma warning restore CA1032
{
    /// <summary>What a message redacted to nothing reads.</summary>
    public const string RedactedMessage = "(message redacted)";

    private readonly string? _stackTrace;

    private RedactedException(string originalType, string message, string? stackTrace, IReadOnlyList<RedactedException> inner)
        : base(message, inner.Count > 0 ? inner[0] : null)
    {
        OriginalType = originalType;
        _stackTrace = stackTrace;
        InnerExceptions = inner;
    }

    /// <summary>The full name of the exception's type.</summary>
    public string OriginalType { get; }

    /// <summary>The redacted inner exceptions (all of an <see cref="AggregateException"/>'s).</summary>
    public IReadOnlyList<RedactedException> InnerExceptions { get; }

    /// <summary>The original's stack frames.</summary>
    public override string? StackTrace => _stackTrace;

    /// <summary><paramref name="exception"/> with its messages redacted by <paramref name="memberData"/>.</summary>
    public static RedactedException From(Exception exception, Redactor memberData)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(memberData);
        IEnumerable<Exception> inner = exception is AggregateException aggregate
            ? aggregate.InnerExceptions
            : exception.InnerException is { } one ? [one] : [];
        var message = CarriesNoValues(exception) ? exception.Message : memberData.Redact(exception.Message);
        return new RedactedException(
            exception.GetType().FullName ?? exception.GetType().Name,
            message.Length == 0 ? RedactedMessage : message,
            exception.StackTrace,
            [.. inner.Take(16).Select(e => From(e, memberData))]);
    }

    /// <summary>
    /// Whether the message is the framework's own fixed text for a type that has one (no value of the caller's in
    /// it): "The operation was canceled.", "The operation has timed out." and the like.
    /// </summary>
    internal static bool CarriesNoValues(Exception exception) => exception switch
    {
        TaskCanceledException => exception.Message == new TaskCanceledException().Message,
        OperationCanceledException => exception.Message == new OperationCanceledException().Message,
        TimeoutException => exception.Message == new TimeoutException().Message,
        NotSupportedException => exception.Message == new NotSupportedException().Message,
        NotImplementedException => exception.Message == new NotImplementedException().Message,
        _ => false,
    };

    /// <summary>As <see cref="Exception.ToString"/> renders the original: type, (redacted) message, inner exceptions, frames.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(OriginalType).Append(": ").Append(Message);
        for (var i = 0; i < InnerExceptions.Count; i++)
        {
            text.Append(InnerExceptions.Count > 1 ? $"{Environment.NewLine} ---> (Inner Exception #{i}) " : " ---> ")
                .Append(InnerExceptions[i])
                .Append(Environment.NewLine).Append("   --- End of inner exception stack trace ---");
        }

        if (StackTrace is { Length: > 0 } frames)
        {
            text.Append(Environment.NewLine).Append(frames);
        }

        return text.ToString();
    }
}
