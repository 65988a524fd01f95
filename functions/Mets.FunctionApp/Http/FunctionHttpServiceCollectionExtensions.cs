using System.Net;
using Mets.Api;
using Mets.Api.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mets.FunctionApp.Http;

/// <summary>The HTTP side of the function app: Mets.Api's handlers behind Microsoft Entra ID access tokens.</summary>
public static class FunctionHttpServiceCollectionExtensions
{
    /// <summary>
    /// Mets.Api's platform (<see cref="ApiServiceCollectionExtensions.AddMetsApiPlatform"/>: limits, problem details,
    /// JSON, log filters; no API keys, no OpenAPI), Entra ID token validation (JwtBearer, <c>Mets:Entra</c>, validated
    /// on start), the caller mapping to METS users, the role policies, the provider-link limiter and the health report.
    /// </summary>
    public static IServiceCollection AddMetsFunctionHttp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetsApiPlatform(configuration);
        services.AddOptions<EntraOptions>()
            .Bind(configuration.GetSection(EntraOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntraOptions>, EntraOptionsValidation>());

        services.TryAddSingleton<EntraCallerMapping>();
        services.AddAuthentication(EntraDefaults.AuthenticationScheme).AddJwtBearer(EntraDefaults.AuthenticationScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(EntraDefaults.AuthenticationScheme).Configure<IOptions<EntraOptions>>((jwt, entraOptions) =>
        {
            var entra = entraOptions.Value;
            jwt.Authority = entra.Authority; // the tenant's OpenID metadata: its signing keys
            jwt.RequireHttpsMetadata = true;
            jwt.MapInboundClaims = false; // claims keep their token names (oid, roles, scp): none turns into a METS actor
            jwt.IncludeErrorDetails = false;
            jwt.SaveToken = false;
            jwt.EventsType = typeof(EntraCallerMapping);
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuer = entra.Issuer,
                ValidateAudience = true,
                ValidAudience = entra.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ValidateIssuerSigningKey = true,
                RequireSignedTokens = true,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                RoleClaimType = EntraDefaults.RoleClaimType,
                NameClaimType = "name",
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(EntraDefaults.StaffPolicy, policy => policy
                .AddAuthenticationSchemes(EntraDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(EntraDefaults.StaffRoles))
            .AddPolicy(EntraDefaults.ReferralSubmitterPolicy, policy => policy
                .AddAuthenticationSchemes(EntraDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole([.. EntraDefaults.StaffRoles, EntraDefaults.ReferralSource]));

        services.TryAddSingleton<ProviderLinkLimiter>();

        // The ASP.NET Core integration (ConfigureFunctionsWebApplication) runs the forwarded-headers middleware before
        // every function, trusting loopback with no hop limit. Here the hops it believes are the Functions host on
        // loopback, which proxies each request to the worker, and the proxies of Mets:Api:TrustedProxies: the
        // provider-link limit keys on the address the first untrusted hop was seen from (MetsHttpMiddleware).
        services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<ApiLimitsOptions>>((forwarded, limits) =>
            TrustedProxies.Apply(forwarded, limits.Value.TrustedProxies, host: [IPAddress.Loopback, IPAddress.IPv6Loopback]));
        services.TryAddSingleton(FunctionHealth.From(configuration));
        return services;
    }

    /// <summary>
    /// <see cref="MetsHttpMiddleware"/> around every HTTP-triggered function (after the ASP.NET Core integration's own
    /// middleware, which <c>ConfigureFunctionsWebApplication</c> adds first): request log, problem details for
    /// exceptions, tokens and roles or the provider-link rate limit. Other triggers do not pass through it.
    /// </summary>
    public static FunctionsApplicationBuilder UseMetsHttpMiddleware(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseWhen<MetsHttpMiddleware>(IsHttpTriggered);
        return builder;
    }

    /// <summary>Whether the function has an HTTP trigger.</summary>
    internal static bool IsHttpTriggered(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(binding => string.Equals(binding.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));
}
