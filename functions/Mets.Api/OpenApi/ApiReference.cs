using Mets.Api.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Mets.Api.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) and the browsable reference page
/// (<c>/scalar</c>, served with its script from the Scalar.AspNetCore assembly: no CDN, no web fonts,
/// no telemetry, no agent, no request proxy: works offline and sends nothing to a third party).
/// Both are anonymous. The document declares the <c>x-functions-key</c> scheme and
/// requires it on every operation that is not anonymous.
/// </summary>
public static class ApiReference
{
    public const string DocumentName = "v1";

    public const string DocumentPath = "/openapi/v1.json";

    public const string PagePath = "/scalar";

    private const string SchemeId = "functionsKey";

    internal static IServiceCollection AddApiReference(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "METS engagement workflow API";
                document.Info.Description = "Referrals, engagements, provider responses, claims files and the durable engine's management routes.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = FunctionsKeyDefaults.HeaderName,
                    Description = "An API key (Mets:ApiKeys), or the admin key (Mets:AdminKey) for /runtime/webhooks/durabletask.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(SchemeId, context.Document)] = [],
                    });
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    internal static void MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference(PagePath, page => page
                .WithTitle("METS API reference")
                .AddDocument(DocumentName, routePattern: DocumentPath)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                // Without a proxy URL the page's "try it" client would route requests (keys and
                // all) through Scalar's public proxy; an empty one means: call the API directly.
                .WithProxy(string.Empty)
                .AddPreferredSecuritySchemes(SchemeId))
            .AllowAnonymous();
    }
}
