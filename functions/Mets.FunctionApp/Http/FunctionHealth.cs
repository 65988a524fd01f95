using Mets.Api.Health;
using Mets.Azure;
using Microsoft.Extensions.Configuration;

namespace Mets.FunctionApp.Http;

/// <summary>
/// What <c>GET /api/health</c> reports for the function app: the stores its configuration selects, by the same tests
/// <see cref="AzureServiceCollectionExtensions.AddMetsAzureAdapters"/> uses (a <c>Cosmos</c> section: Cosmos DB for
/// cases and claims; a <c>SendGrid</c> section: SendGrid for mail), the engine (Durable Functions) and the claims
/// inbox (blob uploads).
/// </summary>
internal sealed class FunctionHealth(HealthReport report)
{
    public const string HostName = "azure-functions";

    public HealthReport Report { get; } = report;

    public static FunctionHealth From(IConfiguration configuration)
    {
        var cosmos = AzureServiceCollectionExtensions.IsCosmosConfigured(configuration);
        return new FunctionHealth(new HealthReport("healthy", HealthEndpoint.ProductVersion, HostName, new Dictionary<string, string>
        {
            ["engine"] = "durable-functions",
            ["cases"] = cosmos ? "cosmos" : "sqlite",
            ["claims"] = cosmos ? "cosmos" : "sqlite",
            ["claimsInbox"] = "blob",
            ["mail"] = AzureServiceCollectionExtensions.IsSendGridConfigured(configuration) ? "sendgrid" : "outbox",
        }));
    }
}
