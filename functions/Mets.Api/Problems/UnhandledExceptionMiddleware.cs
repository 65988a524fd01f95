using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Mets.Api.Problems;

/// <summary>
/// The last line of defence of the local host's pipeline (<see cref="ExceptionAnswers"/>): 4xx for unreadable
/// requests, 500 without details for anything else; only the exception's type is logged.
/// </summary>
internal sealed class UnhandledExceptionMiddleware(RequestDelegate next, ILogger<UnhandledExceptionMiddleware> logger)
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
            await ExceptionAnswers.AnswerAsync(context, exception, logger, route).ConfigureAwait(false);
        }
    }
}
