using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Mets.Api.Problems;

/// <summary>
/// The last line of defence. A <see cref="BadHttpRequestException"/> (oversize body, unreadable
/// request) keeps its 4xx status; anything else becomes a 500 whose body says nothing about the
/// cause. Only the exception's type is logged: its message or data may hold a member's details.
/// </summary>
internal sealed partial class UnhandledExceptionMiddleware(RequestDelegate next, ILogger<UnhandledExceptionMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
#pragma warning disable CA1031 // The whole point of this middleware is to catch every exception.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            var exceptionType = exception.GetType().FullName;
            if (exception is BadHttpRequestException bad && bad.StatusCode is >= 400 and < 500)
            {
                LogBadRequest(logger, exceptionType, bad.StatusCode, context.Request.Method, route);
                await WriteIfPossibleAsync(context, bad.StatusCode, TitleFor(bad.StatusCode)).ConfigureAwait(false);
                return;
            }

            LogUnhandled(logger, exceptionType, context.Request.Method, route);
            await WriteIfPossibleAsync(context, StatusCodes.Status500InternalServerError, "The request could not be completed.").ConfigureAwait(false);
        }
    }

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

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled {ExceptionType} while handling {Method} {Route}")]
    private static partial void LogUnhandled(ILogger logger, string? exceptionType, string method, string route);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Refused request ({ExceptionType}, {StatusCode}) for {Method} {Route}")]
    private static partial void LogBadRequest(ILogger logger, string? exceptionType, int statusCode, string method, string route);
}
