using System.Threading.RateLimiting;
using Mets.Api.Authentication;
using Mets.Api.Logging;
using Mets.Api.Problems;
using Mets.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mets.FunctionApp.Http;

/// <summary>
/// What the local host's pipeline (Mets.Api <c>UseMetsApi</c>) does around its handlers, for every HTTP function, with
/// the same Mets.Api pieces: (1) the request log line (<see cref="RequestLog"/>: method, route pattern with only
/// id-shaped loggable values, query count, status, actor, duration), (2) exceptions as problem details
/// (<see cref="ExceptionAnswers"/>: 4xx for unreadable requests, 500 without details), (3) who may call
/// (<see cref="HttpFunctionRoutes"/>: Entra ID token + role + mapped caller, or the provider-link rate limit
/// <see cref="ProviderLinkRateLimit"/>, or anonymous), then the function, whose <see cref="IResult"/> it executes
/// here, inside the log and the exception handler (the worker's ASP.NET Core integration would otherwise execute it
/// after this middleware returned: the log would miss the status and a failure the problem answer).
/// Runs after the integration's own middleware (it puts the request's <see cref="HttpContext"/> in the function
/// context), for HTTP-triggered functions only.
/// </summary>
internal sealed partial class MetsHttpMiddleware(ILogger<MetsHttpMiddleware> logger, TimeProvider timeProvider, ProviderLinkLimiter providerLinks)
    : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext()
            ?? throw new InvalidOperationException("This HTTP function has no HttpContext: the app must call ConfigureFunctionsWebApplication before the METS HTTP middleware.");
        HttpFunctionRoutes.All.TryGetValue(context.FunctionDefinition.Name, out var route);
        var started = timeProvider.GetTimestamp();
        try
        {
            await RunAsync(context, next, http, route).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            Handled(context);
        }
#pragma warning disable CA1031 // Every exception becomes a problem answer without details; only its type is logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Handled(context);
            await ExceptionAnswers.AnswerAsync(http, exception, logger, route?.Pattern.RawText ?? "(unlisted function)").ConfigureAwait(false);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var elapsed = Math.Round(timeProvider.GetElapsedTime(started).TotalMilliseconds, 1);
                var described = route is null ? "/... (unlisted function)" : RequestLog.DescribeRoute(route.Pattern, http.Request.RouteValues, route.MayLog);
                var query = RequestLog.DescribeQuery(http.Request.Query);
                var actor = http.FindActor()?.UserName ?? "anonymous";
                RequestLog.Write(logger, http.Request.Method, described, query, http.Response.StatusCode, actor, elapsed);
            }
        }
    }

    private async Task RunAsync(FunctionContext context, FunctionExecutionDelegate next, HttpContext http, HttpFunctionRoute? route)
    {
        if (route is null)
        {
            // Fail closed: a function nobody decided the access of is not served.
            Handled(context);
            LogUnlisted(logger, context.FunctionDefinition.Name);
            await Problem.WriteAsync(http, StatusCodes.Status500InternalServerError, "The request could not be completed.").ConfigureAwait(false);
            return;
        }

        if (!await AdmitAsync(http, route).ConfigureAwait(false))
        {
            Handled(context);
            return;
        }

        await next(context).ConfigureAwait(false);
        var invocation = context.GetInvocationResult();
        if (invocation.Value is IResult result)
        {
            invocation.Value = Results.Empty;
            await result.ExecuteAsync(http).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the request may reach the function; when not, the refusal is written.</summary>
    private async Task<bool> AdmitAsync(HttpContext http, HttpFunctionRoute route)
    {
        switch (route.Access)
        {
            case HttpAccess.Anonymous:
                return true;
            case HttpAccess.ProviderLink:
                using (var lease = await providerLinks.Limiter.AcquireAsync(http, 1, http.RequestAborted).ConfigureAwait(false))
                {
                    if (!lease.IsAcquired)
                    {
                        await ProviderLinkRateLimit.RejectAsync(http, lease).ConfigureAwait(false);
                        return false;
                    }
                }

                return true;
            case HttpAccess.Staff:
                return await AuthorizeAsync(http, EntraDefaults.StaffPolicy).ConfigureAwait(false);
            case HttpAccess.ReferralSubmitter:
                return await AuthorizeAsync(http, EntraDefaults.ReferralSubmitterPolicy).ConfigureAwait(false);
            default:
                throw new InvalidOperationException("Unknown access kind.");
        }
    }

    /// <summary>
    /// The token (JwtBearer: issuer, audience, signature, lifetime) -> 401; the route's roles (the policy) -> 403; a
    /// mapped caller (the METS actor, <see cref="EntraCallerMapping"/>) -> 403.
    /// </summary>
    private static async Task<bool> AuthorizeAsync(HttpContext http, string policy)
    {
        var authentication = await http.AuthenticateAsync(EntraDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!authentication.Succeeded)
        {
            http.Response.Headers.WWWAuthenticate = authentication.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
            await Problem.WriteAsync(http, StatusCodes.Status401Unauthorized, "A valid access token is required.",
                "Send a Microsoft Entra ID access token for the METS API in the Authorization header (Bearer).").ConfigureAwait(false);
            return false;
        }

        http.User = authentication.Principal;
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(http.User, resource: null, policy).ConfigureAwait(false)).Succeeded)
        {
            await Problem.WriteAsync(http, StatusCodes.Status403Forbidden, "This caller's roles do not open this route.",
                policy == EntraDefaults.ReferralSubmitterPolicy
                    ? "Submitting referrals needs the Clinician, Supervisor, MedicalDirector or ReferralSource app role."
                    : "This route needs the Clinician, Supervisor or MedicalDirector app role.").ConfigureAwait(false);
            return false;
        }

        if (http.FindActor() is null)
        {
            await Problem.WriteAsync(http, StatusCodes.Status403Forbidden, "This caller is not a METS user.",
                "The token is valid, but no Mets:Entra:Callers entry maps its object id (or, for an application calling as itself, its client id) to a METS user.").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>The answer is written: the integration has nothing left to execute.</summary>
    private static void Handled(FunctionContext context) => context.GetInvocationResult().Value = Results.Empty;

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "HTTP function {FunctionName} is not listed in HttpFunctionRoutes: refused")]
    private static partial void LogUnlisted(ILogger logger, string functionName);
}

/// <summary>The function app's provider-link limiter (<see cref="ProviderLinkRateLimit"/>): one for the app's lifetime.</summary>
internal sealed class ProviderLinkLimiter : IDisposable
{
    public PartitionedRateLimiter<HttpContext> Limiter { get; } = ProviderLinkRateLimit.CreateLimiter();

    public void Dispose() => Limiter.Dispose();
}
