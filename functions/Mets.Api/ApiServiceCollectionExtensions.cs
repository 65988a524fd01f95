using System.Text.Json;
using System.Text.Json.Serialization;
using Mets.Api.Authentication;
using Mets.Api.Logging;
using Mets.Api.OpenApi;
using Mets.Api.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mets.Api;

/// <summary>Registers the HTTP platform every METS endpoint sits on.</summary>
public static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// The local host's HTTP platform: <see cref="AddMetsApiPlatform"/> plus API keys and actors, authorization
    /// policies (API key by default, admin key for management), the provider-link rate limit (ASP.NET Core's rate
    /// limiter) keyed on the client address behind <c>Mets:Api:TrustedProxies</c> only, and OpenAPI.
    /// </summary>
    public static IServiceCollection AddMetsApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetsApiPlatform(configuration);
        services.AddOptions<ApiAccessOptions>()
            .Bind(configuration.GetSection(ApiAccessOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ApiKeyVerifier>();

        services.AddAuthentication(FunctionsKeyDefaults.AuthenticationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, FunctionsKeyAuthenticationHandler>(
                FunctionsKeyDefaults.AuthenticationScheme, _ => { });
        var userPolicy = new AuthorizationPolicyBuilder(FunctionsKeyDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireRole(FunctionsKeyDefaults.UserRole)
            .Build();
        services.AddAuthorizationBuilder()
            .AddPolicy(FunctionsKeyDefaults.UserPolicy, userPolicy)
            .AddPolicy(FunctionsKeyDefaults.AdminPolicy, policy => policy
                .AddAuthenticationSchemes(FunctionsKeyDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(FunctionsKeyDefaults.AdminRole))
            // Requests no route matched, and routes mapped outside the groups, need a valid key of
            // either kind: a known caller gets 404 for an unknown route, a stranger 401.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(FunctionsKeyDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(FunctionsKeyDefaults.UserRole, FunctionsKeyDefaults.AdminRole)
                .Build());

        services.AddProviderLinkRateLimit();
        // The client address behind configured proxies only (PostConfigure: the last word over ASP.NET Core's
        // defaults and ASPNETCORE_FORWARDEDHEADERS_ENABLED); UseMetsApi runs the middleware first.
        services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<ApiLimitsOptions>>((forwarded, limits) =>
            TrustedProxies.Apply(forwarded, limits.Value.TrustedProxies, host: []));
        services.AddApiReference();
        return services;
    }

    /// <summary>
    /// What every host of the METS handlers needs, whoever checks the callers: the limits (<c>Mets:Api</c>), the
    /// clock, the actor accessor, problem details, the JSON answers' enum names, the member-data redactor (erasing) and
    /// log filters that keep request paths and query strings out of the framework's own logs. The function app calls this (its callers are
    /// checked with Microsoft Entra ID tokens); the local host calls it through <see cref="AddMetsApi"/>.
    /// </summary>
    public static IServiceCollection AddMetsApiPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ApiLimitsOptions>()
            .Bind(configuration.GetSection(ApiLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.TryAddSingleton<IActorAccessor, HttpActorAccessor>();

        services.AddProblemDetails();
        // Responses name enum values the way request bodies must (StrictJson): camelCase strings.
        services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        // Member data in logs is erased (RedactedException: unhandled exceptions keep type and frames, not messages).
        services.AddRedaction(redaction => redaction
            .SetRedactor<ErasingRedactor>(MemberData.Set)
            .SetFallbackRedactor<ErasingRedactor>());

        services.AddLogging(logging => logging
            // The hosting diagnostics log the raw URL (tokens, `code` keys) and open a scope that
            // carries it; the request log of Mets.Api replaces them.
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            // Below Warning the framework logs route and parameter values as received.
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        return services;
    }
}
