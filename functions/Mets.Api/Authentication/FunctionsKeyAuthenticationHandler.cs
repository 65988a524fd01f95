using System.Security.Claims;
using System.Text.Encodings.Web;
using Mets.Api.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Api.Authentication;

/// <summary>
/// Authenticates a request by its <c>x-functions-key</c> header or, failing that, its <c>code</c>
/// query parameter. A user key yields a principal named after the key's user in the
/// <see cref="FunctionsKeyDefaults.UserRole"/> role; the admin key one in the
/// <see cref="FunctionsKeyDefaults.AdminRole"/> role. Challenges and refusals answer with problem details.
/// </summary>
public sealed class FunctionsKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers.TryGetValue(FunctionsKeyDefaults.HeaderName, out var header) && !string.IsNullOrEmpty(header)
            ? header.ToString()
            : Request.Query[FunctionsKeyDefaults.QueryName].ToString();
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var (kind, user) = verifier.Verify(presented);
        if (kind == KeyKind.None || user is null)
        {
            // The message names no key: authentication failures are logged by the framework.
            return Task.FromResult(AuthenticateResult.Fail("The key is not valid."));
        }

        var role = kind == KeyKind.Admin ? FunctionsKeyDefaults.AdminRole : FunctionsKeyDefaults.UserRole;
        var identity = ActorIdentity.Create(user, FunctionsKeyDefaults.AuthenticationScheme, role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problem.WriteAsync(
            Context,
            StatusCodes.Status401Unauthorized,
            "A valid key is required.",
            $"Send a key in the {FunctionsKeyDefaults.HeaderName} header or the {FunctionsKeyDefaults.QueryName} query parameter.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem.WriteAsync(
            Context,
            StatusCodes.Status403Forbidden,
            "This key does not open this route.",
            "Management routes need the admin key; API routes need an API key.");
}
