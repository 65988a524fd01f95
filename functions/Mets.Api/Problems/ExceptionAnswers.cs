using Mets.Api.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mets.Api.Problems;

/// <summary>
/// How both hosts answer an exception nothing else handled: a <see cref="BadHttpRequestException"/> (oversize body,
/// unreadable request) keeps its 4xx status; anything else becomes a 500 whose body says nothing about the cause.
/// The log gets the exception's type and stack frames (no member data in either) as a <see cref="RedactedException"/>:
/// messages pass through the member-data redactor, and the exception's data is dropped.
/// </summary>
internal static partial class ExceptionAnswers
{
    /// <summary>Logs the exception (redacted) with the method and the route (as the request log shows it) and answers.</summary>
    public static async Task AnswerAsync(HttpContext context, Exception exception, ILogger logger, string route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(exception);
        var exceptionType = exception.GetType().FullName;
        if (FindBadRequest(exception) is { } bad)
        {
            var badType = bad.GetType().FullName;
            LogBadRequest(logger, badType, bad.StatusCode, context.Request.Method, route);
            await WriteIfPossibleAsync(context, bad.StatusCode, TitleFor(bad.StatusCode)).ConfigureAwait(false);
            return;
        }

        LogUnhandled(logger, Redacted(context, exception), exceptionType, context.Request.Method, route);
        await WriteIfPossibleAsync(context, StatusCodes.Status500InternalServerError, "The request could not be completed.").ConfigureAwait(false);
    }

    /// <summary>A 4xx <see cref="BadHttpRequestException"/>, also when a caller wrapped it (an aggregate of one).</summary>
    private static BadHttpRequestException? FindBadRequest(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: >= 400 and < 500 } bad => bad,
        AggregateException { InnerExceptions.Count: 1 } aggregate => FindBadRequest(aggregate.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => FindBadRequest(inner),
        _ => null,
    };

    private static async Task WriteIfPossibleAsync(HttpContext context, int status, string title)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        await Problem.WriteAsync(context, status, title).ConfigureAwait(false);
    }

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status408RequestTimeout => "The request body arrived too slowly.",
        _ => "The request could not be read.",
    };

    /// <summary>The exception as the log may see it: redacted by the host's member-data redactor (erasing when none is registered).</summary>
    private static RedactedException Redacted(HttpContext context, Exception exception)
    {
        var redactor = context.RequestServices?.GetService<IRedactorProvider>()?.GetRedactor(MemberData.Set) ?? ErasingRedactor.Instance;
        return RedactedException.From(exception, redactor);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled {ExceptionType} while handling {Method} {Route}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string? exceptionType, string method, string route);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Refused request ({ExceptionType}, {StatusCode}) for {Method} {Route}")]
    private static partial void LogBadRequest(ILogger logger, string? exceptionType, int statusCode, string method, string route);
}
